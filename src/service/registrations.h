/*
 * registrations.h - registrations (PowerAuth activations) as the
 * integration API sees them (api.md §2.2).
 *
 * Owns: the rules for creating one (input limits, OTP and commit-phase
 * modes, expiry, activation code signed with the application's master
 * key, a fresh server key pair whose private half is stored encrypted
 * bound to {userId, registrationId}, the OTP kept only as a crypt() hash),
 * reading one or a user's list within the caller's scope, the status an
 * expired unfinished registration reports, removal, and the integration
 * side of the state machine: commit (PENDING_COMMIT -> ACTIVE, with the
 * OTP of ON_COMMIT registrations and its attempt counter), BLOCK and
 * UNBLOCK. incompleteStatusCheck holds the application's row lock from
 * the check to the insert. Each change is one transaction on the locked
 * row.
 * Must not: speak HTTP or hold SQL text.
 */
#ifndef PASERV_SERVICE_REGISTRATIONS_H
#define PASERV_SERVICE_REGISTRATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "crypto/activation_code.h"
#include "service/result.h"
#include "store/db.h"
#include "store/registrations.h"

#define REG_OTP_MAX		64
#define REG_FLAGS_MAX		32
#define REG_FLAG_LEN		64
#define REG_BLOCKED_REASON_MAX	64
#define REG_BLOCKED_REASON_DEFAULT	"NOT_SPECIFIED"

enum reg_otp_validation {
	REG_OTPV_UNSET = 0,
	REG_OTPV_NONE,
	REG_OTPV_ON_KEY_EXCHANGE,
	REG_OTPV_ON_COMMIT
};

enum reg_commit_phase {
	REG_PHASE_UNSET = 0,
	REG_PHASE_ON_COMMIT,
	REG_PHASE_ON_KEY_EXCHANGE
};

struct reg_create_req {
	const char			*user_id;
	const char			*app_id;
	const char			*otp;		/* NULL: none */
	enum reg_otp_validation		 otp_validation;
	enum reg_commit_phase		 commit_phase;
	const char *const		*flags;
	size_t				 nflags;
	int64_t				 expire_ms;	/* 0: configured */
	int				 incomplete_check;
};

struct reg_created {
	char	id[REG_ID_LEN + 1];
	char	code[ACTIVATION_CODE_LEN + 1];
	char	signature[ACTIVATION_SIG_B64_MAX + 1];
};

struct reg_commit_req {
	const char	*external_user_id;	/* NULL: the owner */
	const char	*otp;			/* NULL: none given */
};

enum reg_change {
	REG_CHANGE_NONE = 0,
	REG_CHANGE_BLOCK,
	REG_CHANGE_UNBLOCK
};

/* The view of a registration: the row with its effective status. */
struct registration {
	struct reg_row	 row;
	int		 status;	/* enum reg_status, expiry applied */
	char		*flags[REG_FLAGS_MAX];	/* owned */
	size_t		 nflags;
};

/* "CREATED", ... for an enum reg_status. */
const char	*registration_status_name(int status);

/*
 * SVC_OK, SVC_INVALID (message in why), SVC_REG_NOT_ALLOWED, SVC_DB_DOWN,
 * SVC_INTERNAL. An application outside the scope is SVC_INVALID.
 */
enum svc_rc	registration_create(struct db *db, const struct config *cfg,
		    const struct reg_scope *scope,
		    const struct reg_create_req *req, struct reg_created *out,
		    const char **why);
/* SVC_OK, SVC_REG_NOT_FOUND, SVC_DB_DOWN, SVC_INTERNAL. */
enum svc_rc	registration_get(struct db *db, const struct reg_scope *scope,
		    const char *id, struct registration *out);
/* Calls fn for each registration of user_id within scope, newest first. */
enum svc_rc	registration_list(struct db *db,
		    const struct reg_scope *scope, const char *user_id,
		    int include_removed,
		    int (*fn)(const struct registration *, void *), void *arg);
/* Any state -> REMOVED. SVC_OK, SVC_REG_NOT_FOUND, SVC_DB_DOWN, ... */
enum svc_rc	registration_remove(struct db *db,
		    const struct reg_scope *scope, const char *id);
/*
 * PENDING_COMMIT (not expired) -> ACTIVE, committed_by stored; out gets
 * the updated registration. A registration created with an OTP and
 * commitPhase ON_COMMIT needs that OTP: a wrong or missing one counts a
 * failed attempt (the last allowed one removes the registration) and is
 * SVC_REG_CHANGE with the attempts left in why; a right one resets the
 * count. SVC_OK, SVC_INVALID, SVC_REG_NOT_FOUND, SVC_REG_CHANGE (why
 * set), SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	registration_commit(struct db *db,
		    const struct reg_scope *scope, const char *id,
		    const struct reg_commit_req *req, struct registration *out,
		    char *why, size_t whylen);
/*
 * BLOCK: ACTIVE -> BLOCKED with reason (NULL: NOT_SPECIFIED); UNBLOCK:
 * BLOCKED -> ACTIVE, reason cleared, failed attempts reset (reason must be
 * NULL). out gets the updated registration. SVC_OK, SVC_INVALID,
 * SVC_REG_NOT_FOUND, SVC_REG_CHANGE, SVC_DB_DOWN, SVC_INTERNAL; why set
 * for SVC_INVALID and SVC_REG_CHANGE.
 */
enum svc_rc	registration_change(struct db *db,
		    const struct reg_scope *scope, const char *id,
		    enum reg_change change, const char *reason,
		    struct registration *out, const char **why);
/* 1..64 characters of [A-Z0-9_]. */
int		registration_blocked_reason_valid(const char *s);
void		registration_clear(struct registration *r);

#endif
