/*
 * operations.h - operations (out-of-band approvals) as the integration
 * API sees them (api.md §2.4): creating one from a template, reading,
 * listing, cancelling.
 *
 * Owns: the rules of creation (template must exist; the user must have an
 * ACTIVE registration in the application, or the named one; parameters
 * are strings and fill every ${name} of the template's data; expiry from
 * the request or the template; a proximity TOTP seed when asked, stored
 * encrypted bound to {"operation", id}), the application an operation
 * belongs to (the request's appId, or the caller's only application), the
 * status a reader sees (an overdue PENDING reads as EXPIRED without a
 * write), and cancellation (PENDING only, in one transaction).
 * Must not: speak HTTP or hold SQL.
 */
#ifndef PASERV_SERVICE_OPERATIONS_H
#define PASERV_SERVICE_OPERATIONS_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/config.h"
#include "service/result.h"
#include "store/db.h"
#include "store/operations.h"
#include "store/templates.h"

#define OP_PARAMS_MAX		32
#define OP_PARAM_NAME_MAX	64
#define OP_PARAM_VALUE_MAX	1024

struct op_param {
	const char	*name;
	const char	*value;
};

struct op_create_req {
	const char		*user_id;
	const char		*app_id;	/* NULL: the caller's only one */
	const char		*template_name;
	const char		*language;	/* NULL: "en" */
	const char		*external_id;
	const char		*flag;
	int64_t			 expires_ms;	/* 0: the template's */
	const struct op_param	*params;
	size_t			 nparams;
	int			 proximity;	/* -1: the template's */
	int			 silent;
	const char		*registration_id;
};

/* An operation as read: the row, its effective status and, with a
 * proximity check, the current TOTP. */
struct operation {
	struct op_row	row;
	int		status;		/* enum op_status, expiry applied */
	char		proximity_otp[9];	/* "" when none */
};

/*
 * Fills out with tpl, every ${name} replaced by value(arg, name, len).
 * 0 done, 1 a value is missing (value returned NULL), -1 no memory.
 */
int		 operation_fill(const char *tpl,
		    const char *(*value)(void *, const char *, size_t),
		    void *arg, struct buf *out);

/*
 * The application a request of the caller (scope) means: app_id when the
 * caller may use it, or when app_id is NULL the caller's only one (an
 * administrator must name it), into out. SVC_OK, SVC_INVALID with *why,
 * SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	 operation_pick_app(struct db *db,
		    const struct reg_scope *scope, const char *app_id,
		    char out[APP_ID_MAX + 1], const char **why);

/* A string parameter of an operation's parameters object, or NULL. */
const char	*operation_param(json_object *params, const char *name);
/* For operation_fill() over a parameters object: a missing parameter is
 * "" (display texts never fail to render). */
const char	*operation_param_text(void *params, const char *name,
		    size_t n);

/* "PENDING", ... */
const char	*operation_status_name(int status);
/* enum op_status for a name, 0 when unknown. */
int		 operation_status_parse(const char *s);

/*
 * SVC_OK (out filled), SVC_INVALID (why), SVC_REG_NOT_FOUND (no usable
 * registration), SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	operation_create(struct db *db, const struct config *cfg,
		    const struct reg_scope *scope,
		    const struct op_create_req *req, struct operation *out,
		    const char **why);
/* SVC_OK, SVC_OP_NOT_FOUND, SVC_DB_DOWN, SVC_INTERNAL. */
enum svc_rc	operation_get(struct db *db, const struct config *cfg,
		    const struct reg_scope *scope, const char *id,
		    struct operation *out);
/* PENDING -> CANCELED. SVC_OP_STATE for any other (effective) state. */
enum svc_rc	operation_cancel(struct db *db, const struct config *cfg,
		    const struct reg_scope *scope, const char *id,
		    const char *reason, struct operation *out);
/* Calls fn for each operation of the filter, newest first. */
enum svc_rc	operation_list(struct db *db, const struct config *cfg,
		    const struct reg_scope *scope, const struct op_filter *f,
		    int (*fn)(const struct operation *, void *), void *arg);

#endif
