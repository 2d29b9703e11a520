/* The phone's User-Agent, taken apart. */
#include <config.h>

#include <string.h>

#include "service/user_agent.h"
#include "tap.h"

static const char *
field(json_object *o, const char *k)
{
	json_object *v;

	return o != NULL && json_object_object_get_ex(o, k, &v) ?
	    json_object_get_string(v) : NULL;
}

static int
is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

int
main(void)
{
	json_object *o;

	o = user_agent_device("PowerAuthNetworking/1.5.1 (en; cellular) "
	    "com.wultra.app.MobileToken/13.0.1 (Apple; iOS/26.0.1; "
	    "iphone14,5)");
	tap_ok(is(field(o, "networkVersion"), "1.5.1") &&
	    is(field(o, "language"), "en") &&
	    is(field(o, "connection"), "cellular") &&
	    is(field(o, "product"), "com.wultra.app.MobileToken") &&
	    is(field(o, "version"), "13.0.1") &&
	    is(field(o, "platform"), "Apple") && is(field(o, "os"), "iOS") &&
	    is(field(o, "osVersion"), "26.0.1") &&
	    is(field(o, "model"), "iphone14,5"), "iOS agent: all nine fields");
	json_object_put(o);
	o = user_agent_device("PowerAuthNetworking/1.0 (en; wifi) "
	    "pa-device/1.0 (paserv; Linux; simulator)");
	tap_ok(is(field(o, "os"), "Linux") && field(o, "osVersion") == NULL &&
	    is(field(o, "model"), "simulator"),
	    "agent without an OS version: the rest");
	json_object_put(o);
	tap_ok(user_agent_device("Mozilla/5.0 (X11; Linux x86_64)") == NULL,
	    "a browser: not a known agent");
	tap_ok(user_agent_device(NULL) == NULL && user_agent_device("") ==
	    NULL, "none: NULL");
	tap_ok(user_agent_device("PowerAuthNetworking/1 (en; wifi) "
	    "x/1 (A; B/") == NULL, "truncated: NULL");
	return tap_done();
}
