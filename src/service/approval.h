/*
 * approval.h - a phone approving or rejecting an operation (the Mobile
 * Token API's authorize and cancel, api.md §2.4 state machine, §3.6).
 *
 * Owns: the approval rules, checked in one transaction with the
 * activation's signature: the operation must be PENDING and not expired,
 * of the activation's user and application, bound to no device or to this
 * one; the activation must carry the operation's flag (checked first, not
 * counted); the signed data must equal the operation's data exactly, the
 * signature type must be one the template allows, and a proximity TOTP
 * (when the operation has a seed) must be current. Any other mismatch, and
 * a signature that does not authenticate, counts a failure; the last one
 * allowed ends the operation FAILED. What the phone told (activation,
 * application, IP address, User-Agent, factor, reject reason) goes into
 * additionalData.
 * Must not: speak HTTP or hold SQL.
 */
#ifndef PASERV_SERVICE_APPROVAL_H
#define PASERV_SERVICE_APPROVAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "service/result.h"
#include "store/db.h"

enum approval_outcome {
	APPROVAL_DONE = 0,		/* approved / rejected */
	APPROVAL_AUTH_FAILED,		/* signature: counted on the op */
	APPROVAL_FAILED_ATTEMPT,	/* a rule failed, attempts remain */
	APPROVAL_NOW_FAILED,		/* ... and that was the last one */
	APPROVAL_NOT_FOUND,		/* no such operation for this user */
	APPROVAL_FINISHED,		/* APPROVED or REJECTED already */
	APPROVAL_ALREADY_FAILED,
	APPROVAL_CANCELED,
	APPROVAL_EXPIRED,
	APPROVAL_REQUIRES_FLAG		/* not counted */
};

struct approval_req {
	const char	*auth_header;
	const uint8_t	*body;		/* exactly as received (signed) */
	size_t		 bodylen;
	const char	*operation_id;
	const char	*data;		/* authorize: what the phone shows */
	const char	*proximity_otp;	/* authorize: NULL when none */
	const char	*reject_reason;	/* reject: NULL for authorize */
	const char	*ip_address;	/* may be NULL */
	const char	*user_agent;	/* may be NULL */
};

/*
 * Authorize (reject_reason NULL) or reject. SVC_OK with *outcome set;
 * SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	approval_run(struct db *db, const struct config *cfg,
		    const struct approval_req *req,
		    enum approval_outcome *outcome);

#endif
