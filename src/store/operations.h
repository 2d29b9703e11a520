/*
 * operations.h - table operation (templates: store/templates.h).
 *
 * Owns: the SQL that stores a new operation, reads one
 * (within a caller's applications; FOR UPDATE when the caller changes it),
 * lists a user's operations a page at a time, finishes one (status,
 * reason, finalized time), and tells whether a user has a usable
 * registration for an application. Scope rules are part of the queries.
 * Must not: decide states, build data, or encrypt.
 */
#ifndef PASERV_STORE_OPERATIONS_H
#define PASERV_STORE_OPERATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "store/apps.h"
#include "store/db.h"
#include "store/registrations.h"

#define OP_NAME_MAX		64
#define OP_DATA_MAX		2048
#define OP_JSON_MAX		8192
#define OP_SIGTYPES_MAX		255
#define OP_TEXT_MAX		255
#define OP_REASON_MAX		32
#define OP_FLAG_MAX		64
#define OP_LANG_MAX		8
#define OP_RISK_MAX		16
#define OP_SEED_ENC_MAX		255
#define OP_PAGE_MAX		500

enum op_status {
	OP_PENDING = 1,
	OP_APPROVED,
	OP_REJECTED,
	OP_CANCELED,
	OP_EXPIRED,
	OP_FAILED
};

struct op_row {
	char	 id[REG_ID_LEN + 1];
	char	 app_id[APP_ID_MAX + 1];
	char	 user_id[REG_USER_MAX + 1];	/* "": anonymous */
	char	 template_name[OP_NAME_MAX + 1];
	char	 operation_type[OP_NAME_MAX + 1];
	char	 data[OP_DATA_MAX + 1];
	char	 parameters[OP_JSON_MAX + 1];		/* JSON object */
	char	 additional_data[OP_JSON_MAX + 1];	/* JSON object */
	int	 status;
	char	 status_reason[OP_REASON_MAX + 1];	/* "" when none */
	char	 signature_types[OP_SIGTYPES_MAX + 1];
	int64_t	 failure_count;
	int64_t	 max_failures;
	char	 external_id[OP_TEXT_MAX + 1];		/* "" when none */
	char	 activation_flag[OP_FLAG_MAX + 1];	/* "" when none */
	char	 registration_id[REG_ID_LEN + 1];	/* "" when none */
	char	 language[OP_LANG_MAX + 1];
	char	 risk_flags[OP_RISK_MAX + 1];
	int	 silent;
	char	 totp_seed_enc[OP_SEED_ENC_MAX + 1];	/* "" when none */
	int64_t	 created_ms;
	int64_t	 expires_ms;	/* insert: 0 = created + expires_in_s */
	int64_t	 expires_in_s;	/* insert only */
	int64_t	 finalized_ms;				/* 0 when none */
};

/* What a list asks for. */
struct op_filter {
	const char	*user_id;
	int		 status;	/* 0: any */
	const char	*external_id;	/* NULL: any */
	int64_t		 page;		/* 0-based */
	int64_t		 size;		/* 1..OP_PAGE_MAX */
};

/*
 * The PENDING, unexpired operations of a user in an application that are
 * unbound or bound to activation_id, newest first, at most limit.
 */
int	op_list_for_device(struct db *db, const char *user_id,
	    const char *app_id, const char *activation_id, int64_t limit,
	    int (*fn)(const struct op_row *, void *), void *arg);
/* Every operation of a user in an application, newest first (history). */
int	op_history(struct db *db, const char *user_id, const char *app_id,
	    int64_t limit, int (*fn)(const struct op_row *, void *),
	    void *arg);
/* DB_OK, DB_DUPLICATE, DB_NO_PARENT, DB_ERROR, DB_DOWN. */
int	op_insert(struct db *db, const struct op_row *r);
/* DB_OK, DB_NOT_FOUND (also out of scope), DB_ERROR, DB_DOWN. */
int	op_get(struct db *db, const struct reg_scope *scope, const char *id,
	    struct op_row *out);
/* The same FOR UPDATE (inside the caller's transaction). */
int	op_lock(struct db *db, const struct reg_scope *scope, const char *id,
	    struct op_row *out);
/* Ends an operation: status, reason (NULL: keep), finalized now. */
int	op_finish(struct db *db, const char *id, int status,
	    const char *reason);
/* The user of an ACTIVE registration of the application. */
int	op_registration_user(struct db *db, const char *registration_id,
	    const char *app_id, char out[REG_USER_MAX + 1]);
/* An anonymous operation (user "") becomes user_id's. DB_OK, or
 * DB_NOT_FOUND when it is not (or no longer) anonymous. */
int	op_claim(struct db *db, const char *id, const char *user_id);
/* PENDING -> APPROVED with the approval's additional data. */
int	op_approve(struct db *db, const char *id, const char *additional_data);
/* PENDING -> REJECTED with additional data and the phone's reason. */
int	op_reject(struct db *db, const char *id, const char *additional_data,
	    const char *reason);
/* A failed approval: the new count; failed = 1 also ends it (FAILED). */
int	op_fail(struct db *db, const char *id, int64_t failure_count,
	    const char *additional_data, int failed);
/* Calls fn for each operation of the filter within scope, newest first. */
int	op_list(struct db *db, const struct reg_scope *scope,
	    const struct op_filter *f,
	    int (*fn)(const struct op_row *, void *), void *arg);
/*
 * DB_OK when the user has an ACTIVE registration in the application (or,
 * with registration_id, when that one is ACTIVE and the user's there);
 * DB_NOT_FOUND otherwise.
 */
int	op_user_has_registration(struct db *db, const char *user_id,
	    const char *app_id, const char *registration_id);
/* How many PENDING operations the user has in the application, counting
 * up to limit. */
int	op_count_pending(struct db *db, const char *user_id,
	    const char *app_id, int64_t limit, int64_t *n);

#endif
