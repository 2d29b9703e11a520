/*
 * webhook.h - what one webhook attempt consists of, computed without I/O.
 *
 * Owns: the request body (the event payload cut down to `type`, the
 * object's id and the callback's selected attributes), the signature
 * headers (Standard Webhooks scheme: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<Base64 HMAC-SHA256(key, id "." timestamp "."
 * body)>`), the retry delay (exponential with a cap and jitter), and the
 * receiver authentication stored with the callback (HTTP basic, bearer
 * token, client certificate files) parsed from its JSON.
 * Must not: touch the database or the network.
 */
#ifndef PASERV_SERVICE_WEBHOOK_H
#define PASERV_SERVICE_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_KEY_MAX		64
#define WEBHOOK_SIG_MAX		64	/* "v1," + Base64 of 32 bytes */
#define WEBHOOK_TEXT_MAX	1024

/* The receiver authentication of a callback; wipe with webhook_auth_clear. */
struct webhook_auth {
	int	 basic;
	char	 username[256];
	char	 password[256];
	int	 bearer;
	char	 token[WEBHOOK_TEXT_MAX + 1];
	int	 certificate;
	char	 cert_file[WEBHOOK_TEXT_MAX + 1];
	char	 key_file[WEBHOOK_TEXT_MAX + 1];
	char	 key_password[256];
	char	 ca_file[WEBHOOK_TEXT_MAX + 1];
};

/*
 * The body sent for an event: from payload (the event_outbox JSON) the
 * members `type`, `activationId` or `operationId`, and those named in
 * attributes (a JSON array), in the payload's order. A malloc'ed string,
 * or NULL when payload or attributes is not valid JSON.
 */
char	*webhook_body(const char *payload, const char *attributes);
/* The `webhook-signature` value for message id, timestamp (Unix s), body
 * into out. 0 or -1. */
int	 webhook_signature(const uint8_t *key, size_t keylen, const char *id,
	    int64_t timestamp, const char *body, char out[WEBHOOK_SIG_MAX + 1]);
/*
 * The wait before the next attempt after `failures` failed ones (>= 1):
 * initial x multiplier^(failures-1), at most max, then a random part of
 * its second half taken off (jitter in [0, 1): spreads retries of many
 * events that failed together).
 */
int64_t	 webhook_backoff_ms(int64_t failures, int64_t initial_ms,
	    int64_t multiplier_pct, int64_t max_ms, double jitter);
/* Parses the stored authentication JSON ("" or NULL: none). 0 or -1. */
int	 webhook_auth_parse(const char *json, struct webhook_auth *out);
void	 webhook_auth_clear(struct webhook_auth *a);

#endif
