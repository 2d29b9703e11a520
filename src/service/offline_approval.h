/*
 * offline_approval.h - approving an operation through another channel
 * (api.md §2.4 offline/qr and offline/otp): the bank shows a signed QR
 * code of the operation, the phone computes an offline signature over it,
 * the user types that code into the bank's channel.
 *
 * Owns: the QR payload for one registration (PENDING operation of that
 * registration's user and application; title and message from the display
 * template; flag B when biometry may approve; signed with the
 * registration's server key, K = 1; a fresh nonce), the normalisation of
 * the typed code (spaces and dashes removed, regrouped by 8 digits), and
 * the check: the offline signature over "operationId&operationData",
 * uriId /operation/authorize/offline, with the QR's nonce. A valid code
 * approves the operation; an invalid one counts a failure on it (and, as
 * every signature failure, on the registration). Operations with a
 * proximity check have no offline QR (the TOTP is for the online channel).
 * Must not: speak HTTP or hold SQL.
 */
#ifndef PASERV_SERVICE_OFFLINE_APPROVAL_H
#define PASERV_SERVICE_OFFLINE_APPROVAL_H

#include "common/config.h"
#include "service/result.h"
#include "service/sigauth.h"
#include "store/db.h"
#include "store/registrations.h"

/* SVC_OK (qr malloc'ed, nonce_b64 filled), SVC_OP_NOT_FOUND, SVC_OP_STATE,
 * SVC_REG_NOT_FOUND, SVC_INVALID (why), SVC_DB_DOWN, SVC_INTERNAL. */
enum svc_rc	offline_qr_for(struct db *db, const struct config *cfg,
		    const struct reg_scope *scope, const char *op_id,
		    const char *registration_id, char **qr, char nonce_b64[25],
		    const char **why);

/* SVC_OK with res (res->valid: approved), SVC_OP_NOT_FOUND,
 * SVC_OP_STATE, SVC_INVALID (why), SVC_DB_DOWN, SVC_INTERNAL. */
enum svc_rc	offline_otp_check(struct db *db, const struct config *cfg,
		    const struct reg_scope *scope, const char *op_id,
		    const char *registration_id, const char *nonce_b64,
		    const char *otp, struct sigauth_result *res,
		    const char **why);

#endif
