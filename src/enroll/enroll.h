/*
 * enroll.h - the /enrollment-server context: route table and per-thread
 * state of the public API used by the mobile SDKs.
 *
 * Owns: which paths exist under /enrollment-server (api.md §3) and the
 * envelope of their answers ({"status":"OK","responseObject":...}).
 * Must not: hold business rules (service/) or SQL (store/).
 */
#ifndef PASERV_ENROLL_ENROLL_H
#define PASERV_ENROLL_ENROLL_H

#include "common/config.h"
#include "http/server.h"

const struct http_app	*enroll_app_new(const struct config *cfg);
void			 enroll_app_free(const struct http_app *app);

#endif
