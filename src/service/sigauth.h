/*
 * sigauth.h - verifying a PowerAuth signature against an activation
 * (protocol.md §5.5), with its bookkeeping, as one transaction.
 *
 * Owns: the order of the checks (protocol.md §5.5: header syntax, allowed
 * factor types, activation locked FOR UPDATE and within the caller's scope,
 * the app key's application must be the activation's -- otherwise a
 * non-possession signature counts as a failure --, ACTIVE), the data signed
 * (method, uriId, nonce, body, app secret), the look-ahead verification
 * with the configured window, and storing its outcome: counter and
 * CTR_DATA advance on success; failed attempts and blocking (reason
 * MAX_FAILED_ATTEMPTS) on failure, as crypto/signature.h decides;
 * possession-only failures, which never count toward blocking, are
 * limited per registration (signature.possession_limit per
 * signature.possession_window) and refused unchecked beyond it. An
 * action that must happen only with a valid signature runs in the same
 * transaction (on_valid), with the activation's keys. A transaction that
 * lost a conflict (deadlock, Galera certification) is run again from the
 * start, re-reading the row and verifying afresh, a bounded number of
 * times with a growing pause (see sigauth.c).
 * Must not: speak HTTP or hold SQL text.
 */
#ifndef PASERV_SERVICE_SIGAUTH_H
#define PASERV_SERVICE_SIGAUTH_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/buf.h"
#include "common/config.h"
#include "crypto/ecies.h"
#include "crypto/headers.h"
#include "crypto/keys.h"
#include "service/result.h"
#include "store/activations.h"
#include "store/apps.h"
#include "store/db.h"
#include "store/registrations.h"

/* Bit of a factor type in sigauth_req.allowed. */
#define SIGAUTH_TYPE(t)		(1u << (t))
#define SIGAUTH_2FA	(SIGAUTH_TYPE(HDR_SIG_POSSESSION_KNOWLEDGE) | \
	SIGAUTH_TYPE(HDR_SIG_POSSESSION_BIOMETRY) | \
	SIGAUTH_TYPE(HDR_SIG_POSSESSION_KNOWLEDGE_BIOMETRY))
#define SIGAUTH_ANY	(SIGAUTH_2FA | SIGAUTH_TYPE(HDR_SIG_POSSESSION) | \
	SIGAUTH_TYPE(HDR_SIG_KNOWLEDGE) | SIGAUTH_TYPE(HDR_SIG_BIOMETRY))

struct sigauth_ctx;

struct sigauth_req {
	const char	*header;	/* X-PowerAuth-Authorization value */
	const char	*method;
	const char	*uri_id;
	const uint8_t	*body;
	size_t		 bodylen;
	unsigned	 allowed;	/* SIGAUTH_* bits */
	const struct reg_scope *scope;	/* NULL: any application */
	/* Runs inside the transaction after a valid signature; anything
	 * but SVC_OK rolls everything back and is returned. It may run
	 * more than once: when the transaction loses a conflict (a Galera
	 * certification failure at commit) all of it is rolled back and
	 * run again, this action included. So it must change nothing
	 * outside the transaction, and must replace, not add to, what it
	 * leaves in arg. */
	enum svc_rc	(*on_valid)(struct db *db, const struct sigauth_ctx *c,
			    void *arg);
	void		*arg;
};

/* What an action after a valid signature gets to work with. */
struct sigauth_ctx {
	const struct hdr_auth	*header;
	const struct act_row	*act;	/* locked */
	const struct pa_keys	*keys;
	const struct app_row	*app;
};

/* Who a verified header or token names, as a back end is told. */
struct auth_subject {
	int	 found;		/* the activation exists (in scope) */
	char	 activation_id[37];
	int	 status;	/* enum reg_status; REMOVED when not found */
	char	 user_id[REG_USER_MAX + 1];
	char	 app_id[APP_ID_MAX + 1];
	char	 flags[REG_FLAGS_TEXT_MAX + 1];	/* JSON array */
	char	 roles[APP_ROLES_TEXT_MAX + 1];	/* JSON array */
};

struct sigauth_result {
	int		 valid;
	enum hdr_sig_type type;
	enum pa_proto_version version;
	int		 remaining_attempts;
	int		 blocked;	/* this failure blocked it */
	int		 rate_limited;	/* possession-only, over the limit */
	struct auth_subject subject;	/* after the verification */
};

/*
 * SVC_OK with res->valid saying whether the signature authenticates
 * (unknown or out-of-scope activation, other application, not ACTIVE,
 * type not allowed and a wrong signature are all "not valid"); SVC_INVALID
 * when the header is malformed (why names the problem); SVC_DB_DOWN,
 * SVC_INTERNAL, or what on_valid returned.
 */
/* An offline signature (protocol.md §5.6) a back end hands over. */
struct sigauth_offline_req {
	const char	*activation_id;
	const char	*data;		/* METHOD&b64(uriId)&nonce&b64(body) */
	const char	*signature;	/* decimal components joined by '-' */
	int		 digits;	/* per component, 4..8 */
	int		 allow_biometry; /* also try possession_biometry */
	const struct reg_scope *scope;
};

/*
 * Offline verification: DATA is data "&offline", possession_knowledge
 * (and possession_biometry if allowed) tried at each counter step, with
 * the same counter and failed-attempt bookkeeping. SVC_OK with res->valid
 * (res->type: the type that matched); SVC_INVALID when data or signature
 * is malformed (why says which); SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	sigauth_verify_offline(struct db *db, const struct config *cfg,
		    const struct sigauth_offline_req *req,
		    struct sigauth_result *res, const char **why);

/*
 * A signed mobile endpoint: header must sign POST uri_id over body with one
 * of the allowed types; on_valid then runs inside the same transaction.
 * res may be NULL. SVC_OK; SVC_AUTH_FAILED when the header is malformed or
 * the signature does not authenticate; otherwise what failed (on_valid's
 * result, SVC_DB_DOWN, SVC_INTERNAL), with nothing kept.
 */
enum svc_rc	sigauth_signed_call(struct db *db, const struct config *cfg,
		    const char *header, const char *uri_id,
		    const uint8_t *body, size_t bodylen, unsigned allowed,
		    enum svc_rc (*on_valid)(struct db *,
		    const struct sigauth_ctx *, void *), void *arg,
		    struct sigauth_result *res);

/*
 * Inside on_valid: opens the call's activation-scope ECIES request (the
 * version of the signature header, sharedInfo1 sh1) into plain; ecies
 * keeps the exchange for the answer (the caller wipes it).
 */
enum svc_rc	sigauth_open_ecies(struct db *db, const struct config *cfg,
		    const struct sigauth_ctx *c, enum ecies_sh1 sh1,
		    json_object *envelope, struct ecies_ctx *ecies,
		    struct buf *plain);

/* Fills s from a found activation (roles: its application's, or NULL). */
void		auth_subject_set(struct auth_subject *s,
		    const struct act_row *a, const char *roles);

enum svc_rc	sigauth_verify(struct db *db, const struct config *cfg,
		    const struct sigauth_req *req, struct sigauth_result *res,
		    const char **why);

#endif
