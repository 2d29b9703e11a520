/*
 * sigauth.h - verifying a PowerAuth signature against an activation
 * (protocol.md §5.5), with its bookkeeping, as one transaction.
 *
 * Owns: the order of the checks (header syntax, allowed factor types,
 * application by app key, activation locked FOR UPDATE, same application,
 * ACTIVE), the data signed (method, uriId, nonce, body, app secret), the
 * look-ahead verification with the configured window, and storing its
 * outcome: counter and CTR_DATA advance on success; failed attempts and
 * blocking (reason MAX_FAILED_ATTEMPTS) on failure, as crypto/signature.h
 * decides. An action that must happen only with a valid signature runs in
 * the same transaction (on_valid).
 * Must not: speak HTTP or hold SQL text.
 */
#ifndef PASERV_SERVICE_SIGAUTH_H
#define PASERV_SERVICE_SIGAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "crypto/headers.h"
#include "service/result.h"
#include "store/activations.h"
#include "store/db.h"

/* Bit of a factor type in sigauth_req.allowed. */
#define SIGAUTH_TYPE(t)		(1u << (t))
#define SIGAUTH_2FA	(SIGAUTH_TYPE(HDR_SIG_POSSESSION_KNOWLEDGE) | \
	SIGAUTH_TYPE(HDR_SIG_POSSESSION_BIOMETRY) | \
	SIGAUTH_TYPE(HDR_SIG_POSSESSION_KNOWLEDGE_BIOMETRY))
#define SIGAUTH_ANY	(SIGAUTH_2FA | SIGAUTH_TYPE(HDR_SIG_POSSESSION) | \
	SIGAUTH_TYPE(HDR_SIG_KNOWLEDGE) | SIGAUTH_TYPE(HDR_SIG_BIOMETRY))

struct sigauth_req {
	const char	*header;	/* X-PowerAuth-Authorization value */
	const char	*method;
	const char	*uri_id;
	const uint8_t	*body;
	size_t		 bodylen;
	unsigned	 allowed;	/* SIGAUTH_* bits */
	/* Runs inside the transaction after a valid signature; anything
	 * but SVC_OK rolls everything back and is returned. */
	enum svc_rc	(*on_valid)(struct db *db, const struct act_row *a,
			    void *arg);
	void		*arg;
};

struct sigauth_result {
	int		 valid;
	char		 activation_id[37];	/* from the header */
	enum hdr_sig_type type;
	int		 remaining_attempts;
	int		 blocked;		/* this failure blocked it */
};

/*
 * SVC_OK with res->valid saying whether the signature authenticates
 * (unknown activation, other application, not ACTIVE, type not allowed
 * and a wrong signature are all "not valid"); SVC_INVALID when the header
 * is malformed (why names the problem); SVC_DB_DOWN, SVC_INTERNAL, or
 * what on_valid returned.
 */
enum svc_rc	sigauth_verify(struct db *db, const struct config *cfg,
		    const struct sigauth_req *req, struct sigauth_result *res,
		    const char **why);

#endif
