/*
 * registrations.h - table activation (registrations).
 *
 * Owns: the SQL that stores a new registration, reads one or a user's list
 * (restricted, in the query itself, to the applications granted to a
 * caller unless the caller is an administrator), tells whether a user has
 * an unfinished one, removes one in a single transaction, locks one (and
 * an application, for incompleteStatusCheck) for a change made inside the
 * caller's transaction, and the updates of commit, failed OTP, BLOCK and
 * UNBLOCK. Values are stored as given: the private key arrives encrypted,
 * the OTP hashed.
 * Must not: generate keys, hash, encrypt, or decide what is valid or
 * which transition is allowed (service/registrations.c does).
 */
#ifndef PASERV_STORE_REGISTRATIONS_H
#define PASERV_STORE_REGISTRATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "store/apps.h"
#include "store/db.h"

#define REG_ID_LEN		36
#define REG_USER_MAX		255
#define REG_CODE_LEN		23
#define REG_SIG_MAX		128
#define REG_PRIV_ENC_MAX	512
#define REG_HASH_MAX		255
#define REG_PHASE_MAX		16
#define REG_TEXT_MAX		255
#define REG_PLATFORM_MAX	32
#define REG_FLAGS_TEXT_MAX	4096
#define REG_FINGERPRINT_LEN	8
#define REG_LIST_MAX		500	/* rows per list answer */

enum reg_status {
	REG_CREATED = 1,
	REG_PENDING_COMMIT = 2,
	REG_ACTIVE = 3,
	REG_BLOCKED = 4,
	REG_REMOVED = 5
};

/* Who asks: an administrator sees every application. */
struct reg_scope {
	int64_t	 caller_id;	/* cloud_user.id */
	int	 admin;
};

/* What a new registration stores (secrets already protected). */
struct reg_new {
	const char	*id;
	const char	*app_id;
	const char	*user_id;
	const char	*code;
	const char	*code_signature;
	const char	*server_private_key_enc;
	const uint8_t	*server_public_key;
	size_t		 server_public_key_len;
	int64_t		 max_failed_attempts;
	const char	*otp_hash;		/* NULL: no OTP */
	const char	*commit_phase;
	const char	*flags;			/* JSON array text */
	int64_t		 expires_ms;
};

/* What is read back (no secrets). */
struct reg_row {
	char	 id[REG_ID_LEN + 1];
	char	 app_id[APP_ID_MAX + 1];
	char	 user_id[REG_USER_MAX + 1];
	int	 status;
	char	 code[REG_CODE_LEN + 1];		/* "" when NULL */
	char	 code_signature[REG_SIG_MAX + 1];	/* "" when NULL */
	char	 name[REG_TEXT_MAX + 1];
	char	 platform[REG_PLATFORM_MAX + 1];
	char	 device_info[REG_TEXT_MAX + 1];
	char	 flags[REG_FLAGS_TEXT_MAX + 1];
	char	 blocked_reason[REG_TEXT_MAX + 1];
	char	 fingerprint[REG_FINGERPRINT_LEN + 1];	/* "" when NULL */
	int	 has_name, has_platform, has_device_info, has_blocked_reason;
	int	 has_fingerprint;
	int64_t	 created_ms;
	int64_t	 last_used_ms;
	int64_t	 expires_ms;
};

/* DB_OK, DB_DUPLICATE (code or id taken), DB_NO_PARENT, DB_ERROR, DB_DOWN. */
int	reg_insert(struct db *db, const struct reg_new *r);
/* How many unfinished (CREATED/PENDING_COMMIT, not expired) registrations
 * the user has in the application, counting up to limit. */
int	reg_count_unfinished(struct db *db, const char *user_id,
	    const char *app_id, int64_t limit, int64_t *n);
/* DB_OK, DB_NOT_FOUND (also when out of scope), DB_ERROR, DB_DOWN. */
int	reg_get(struct db *db, const struct reg_scope *scope, const char *id,
	    struct reg_row *out);
/*
 * A user's registrations within scope, newest first, at most REG_LIST_MAX;
 * REMOVED rows only with include_removed. fn returns 0 to go on.
 */
int	reg_list(struct db *db, const struct reg_scope *scope,
	    const char *user_id, int include_removed,
	    int (*fn)(const struct reg_row *, void *), void *arg);
/*
 * In one transaction: lock the row (within scope), set REMOVED and clear
 * the activation code. DB_OK, DB_NOT_FOUND, DB_ERROR, DB_DOWN.
 */
int	reg_remove(struct db *db, const struct reg_scope *scope,
	    const char *id);

/* What a change decides on: the locked row's state (no secrets but the
 * OTP hash). */
struct reg_state {
	int	 status;
	int	 expired;		/* CREATED/PENDING_COMMIT past expiry */
	int64_t	 failed_attempts;
	int64_t	 max_failed_attempts;
	char	 commit_phase[REG_PHASE_MAX + 1];
	char	 otp_hash[REG_HASH_MAX + 1];	/* "" when NULL */
};

/*
 * Inside the caller's transaction (db_begin): SELECT ... FOR UPDATE of the
 * registration within scope. DB_OK, DB_NOT_FOUND, DB_ERROR, DB_DOWN.
 */
int	reg_lock(struct db *db, const struct reg_scope *scope, const char *id,
	    struct reg_state *out);
/* Inside the caller's transaction: lock the application row (serialises
 * creates that check for unfinished registrations) and write it unchanged
 * (so that on Galera two such creates on two nodes conflict at
 * certification). DB_OK, DB_NOT_FOUND, DB_RETRY, DB_ERROR, DB_DOWN. */
int	reg_lock_app(struct db *db, const char *app_id);

/*
 * Updates of a row the caller has locked; each sets last_change_at.
 * committed_by NULL: committed by the owner.
 */
int	reg_set_active(struct db *db, const char *id,
	    const char *committed_by);		/* ACTIVE, code cleared, 0 fails */
int	reg_set_failed_attempts(struct db *db, const char *id,
	    int64_t failed_attempts);
int	reg_set_removed(struct db *db, const char *id);	/* code cleared */
int	reg_set_blocked(struct db *db, const char *id, const char *reason);
int	reg_set_unblocked(struct db *db, const char *id);	/* 0 fails */

#endif
