/*
 * push_payload.h - what one push attempt consists of, computed without
 * I/O (doc/push.md "What is sent").
 *
 * Owns: the platform names (apns, fcm, hms and the deprecated ios,
 * android, huawei), the content of each kind of push (which are silent,
 * the data extras of api.md §2.6: messageType, operationId,
 * operationName, mtokenOperationResult, activationId, inboxId), the APNs
 * JSON body (aps alert or content-available, extras beside aps) and
 * headers' values, the FCM HTTP v1 message (notification, data as
 * strings, android priority), the APNs provider token (ES256 JWT: kid,
 * iss = team id, iat), the FCM OAuth 2.0 JWT assertion (RS256: iss, scope,
 * aud, iat, exp) and the token endpoint's answer, and what an answer of
 * either service means (delivered, retry, new provider token, token
 * refused, message refused).
 * Must not: touch the database or the network, or decrypt keys.
 */
#ifndef PASERV_SERVICE_PUSH_PAYLOAD_H
#define PASERV_SERVICE_PUSH_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#define PUSH_MSG_OPERATION_INIT		"mtoken.operationInit"
#define PUSH_MSG_OPERATION_FINISHED	"mtoken.operationFinished"
#define PUSH_MSG_INBOX			"mtoken.inboxMessage.new"
#define PUSH_MSG_BLOCKED		"mtoken.activationBlocked"
#define PUSH_MSG_REMOVED		"mtoken.activationRemoved"
#define PUSH_MSG_CUSTOM			"MESSAGE"	/* /v2/messages/send */

#define PUSH_FCM_SCOPE	"https://www.googleapis.com/auth/firebase.messaging"
#define PUSH_FCM_GRANT	"urn:ietf:params:oauth:grant-type:jwt-bearer"
#define PUSH_FCM_ASSERTION_TTL_S	3600
#define PUSH_WHY_MAX			160

/* The canonical platform of a name the SDKs send (apns, fcm, hms; ios,
 * android, huawei as their old names), case-insensitive; NULL if none. */
const char	*push_platform_canonical(const char *name);
/* mtokenOperationResult for an operation status (APPROVED ...); NULL
 * for PENDING or an unknown one. */
const char	*push_operation_result(const char *status);

/* What one push says. */
struct push_content {
	int		 silent;	/* background / data only */
	char		*title;		/* NULL: none */
	char		*body;
	char		*sound;
	json_object	*data;		/* extras, an object (owned) */
};

/* Texts the caller looked up for the kinds that show an alert. */
struct push_texts {
	const char	*operation_title;	/* operationInit */
	const char	*operation_body;
	const char	*inbox_title;		/* inboxMessage.new; the body
						 * is the message's subject */
};

/*
 * The content of a push of message_type about the event whose payload
 * (event_outbox JSON) is given, to the device of activation_id. 0, or -1
 * when the payload is no JSON object or memory runs out. Free with
 * push_content_clear().
 */
int	 push_content_build(const char *message_type, const char *payload,
	    const char *activation_id, const struct push_texts *texts,
	    struct push_content *out);
void	 push_content_clear(struct push_content *c);

/* The APNs request body; malloc'ed, NULL on failure. */
char	*push_apns_body(const struct push_content *c);
/* apns-push-type and apns-priority for the content. */
const char	*push_apns_type(const struct push_content *c);
const char	*push_apns_priority(const struct push_content *c);
/* The FCM v1 messages:send body for device token; malloc'ed. */
char	*push_fcm_body(const struct push_content *c, const char *token);

/* The APNs provider token: ES256 JWT of {"alg","kid"} {"iss","iat"}. */
char	*push_apns_jwt(const EVP_PKEY *key, const char *key_id,
	    const char *team_id, int64_t iat);
/* The OAuth 2.0 JWT assertion of an FCM service account (RS256; kid
 * when key_id is not ""), for audience aud (the token endpoint). */
char	*push_fcm_assertion(const EVP_PKEY *key, const char *key_id,
	    const char *client_email, const char *aud, int64_t iat);
/* The token endpoint's form body for assertion; malloc'ed. */
char	*push_fcm_token_request(const char *assertion);
/* The access token and its lifetime (s) from the endpoint's JSON answer;
 * 0 or -1. */
int	 push_fcm_token_parse(const char *body, char *token, size_t cap,
	    int64_t *expires_in);

/* What an answer means. */
enum push_outcome {
	PUSH_OUT_DELIVERED = 0,
	PUSH_OUT_RETRY,		/* try again after the backoff */
	PUSH_OUT_REAUTH,	/* the provider/access token: make a new one */
	PUSH_OUT_BAD_TOKEN,	/* the device token is dead: deactivate */
	PUSH_OUT_REJECTED	/* this message will never go: give up */
};

/* APNs: HTTP status (0: no answer) and body ({"reason":...}); why gets a
 * short text for the records. */
enum push_outcome push_apns_outcome(long http, const char *body, char *why,
	    size_t cap);
/* FCM v1: HTTP status and body ({"error":{"status","message",
 * "details":[{"errorCode"}]}}). */
enum push_outcome push_fcm_outcome(long http, const char *body, char *why,
	    size_t cap);

#endif
