/*
 * user_agent.h - the User-Agent of Wultra's networking library on the
 * phone, taken apart for an operation's additionalData.device (api.md
 * §2.4):
 *   PowerAuthNetworking/1.5.1 (en; cellular) com.wultra.app.MobileToken/13.0.1
 *   (Apple; iOS/26.0.1; iphone14,5)
 * Owns: the parse (every field bounded; the OS version may be absent).
 * Must not: guess: anything else is "not a known agent".
 */
#ifndef PASERV_SERVICE_USER_AGENT_H
#define PASERV_SERVICE_USER_AGENT_H

#include <json-c/json.h>

/* {"networkVersion","language","connection","product","version",
 * "platform","os","osVersion","model"} or NULL when ua is not the
 * networking library's. */
json_object	*user_agent_device(const char *ua);

#endif
