/*
 * audit_hook.h - the audit hook both workers install (http_app.audit):
 * turns a request and its answer into an audit row (service/audit).
 */
#ifndef PASERV_BIN_AUDIT_HOOK_H
#define PASERV_BIN_AUDIT_HOOK_H

#include "http/server.h"

void	audit_hook(struct worker *w, const struct route *rt,
	    const struct request *req, const struct response *res);

#endif
