/*
 * headers.h - the three PowerAuth HTTP headers: X-PowerAuth-Authorization
 * (protocol.md §5.4), X-PowerAuth-Token (§7.2) and X-PowerAuth-Encryption
 * (§4.7), parsed into validated structs and built in the mobile SDK's order.
 *
 * Owns: the `PowerAuth key="value", ...` syntax and the per-field validation
 * (versions, UUIDs, Base64 lengths, signature shapes). Parsing is order
 * independent and as tolerant of separators as the reference server's regex
 * (a missing comma or space between pairs is accepted), but every value is
 * validated, every length is bounded and known keys may not repeat. Unknown
 * keys are ignored, as the reference server does.
 * Must not: look anything up or decide authorization (service layer).
 */
#ifndef PASERV_CRYPTO_HEADERS_H
#define PASERV_CRYPTO_HEADERS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/ecies.h"

#define HDR_MAX_LEN		1024	/* whole header value */
#define HDR_UUID_LEN		36
#define HDR_B64_16_LEN		24	/* Base64 of 16 bytes */
#define HDR_SIGNATURE_MAX	64

enum hdr_err {
	HDR_OK = 0,
	HDR_ERR_SYNTAX,		/* not `PowerAuth k="v", ...`, or too long */
	HDR_ERR_DUPLICATE,	/* a known key appears twice */
	HDR_ERR_MISSING,	/* a required key is absent */
	HDR_ERR_VERSION,	/* not 3.0 .. 3.3 */
	HDR_ERR_ACTIVATION_ID,	/* not a UUID */
	HDR_ERR_APP_KEY,	/* not Base64 of 16 bytes */
	HDR_ERR_NONCE,		/* not Base64 of 16 bytes */
	HDR_ERR_SIG_TYPE,	/* unknown signature type */
	HDR_ERR_SIGNATURE,	/* neither decimal nor Base64 shape */
	HDR_ERR_TOKEN_ID,	/* not a UUID */
	HDR_ERR_DIGEST,		/* not Base64 of 32 bytes */
	HDR_ERR_TIMESTAMP	/* not 9..15 decimal digits */
};

/* pa_signature_type values (§5.2). */
enum hdr_sig_type {
	HDR_SIG_POSSESSION = 1,
	HDR_SIG_KNOWLEDGE,
	HDR_SIG_BIOMETRY,
	HDR_SIG_POSSESSION_KNOWLEDGE,
	HDR_SIG_POSSESSION_BIOMETRY,
	HDR_SIG_POSSESSION_KNOWLEDGE_BIOMETRY
};

/* "possession_knowledge" -> type; 0 when unknown. */
enum hdr_sig_type hdr_sig_type_parse(const char *s);
const char *hdr_sig_type_str(enum hdr_sig_type t);
/* Human-readable name of an error (for logs/messages). */
const char *hdr_err_str(enum hdr_err e);
/* UUID check of §5.4: 8-4-4-4-12 hex, version 1..5, variant 8..b. */
int	hdr_uuid_valid(const char *s, size_t n);

struct hdr_auth {
	enum pa_proto_version	version;
	char		activation_id[HDR_UUID_LEN + 1];	/* as received */
	char		app_key[HDR_B64_16_LEN + 1];		/* as received */
	uint8_t		app_key_raw[16];
	uint8_t		nonce[16];	/* decoded; re-encode for signing */
	enum hdr_sig_type sig_type;
	char		signature[HDR_SIGNATURE_MAX + 1];	/* as received */
	int		signature_decimal; /* 1: 3.0/offline decimal shape */
};

struct hdr_token {
	enum pa_proto_version	version;
	char		token_id[HDR_UUID_LEN + 1];
	uint8_t		digest[32];
	uint8_t		nonce[16];
	char		timestamp[16];	/* digits exactly as received */
	int64_t		timestamp_ms;
};

struct hdr_encryption {
	enum pa_proto_version	version;
	char		app_key[HDR_B64_16_LEN + 1];
	uint8_t		app_key_raw[16];
	int		has_activation_id;
	char		activation_id[HDR_UUID_LEN + 1];
};

enum hdr_err hdr_auth_parse(const char *s, size_t n, struct hdr_auth *out);
enum hdr_err hdr_token_parse(const char *s, size_t n, struct hdr_token *out);
enum hdr_err hdr_encryption_parse(const char *s, size_t n,
	    struct hdr_encryption *out);

/*
 * Builders (device side and tests) in the SDK's field order; they validate
 * the struct as the parser would. Return malloc'ed text, NULL on error.
 */
char	*hdr_auth_build(const struct hdr_auth *h);
char	*hdr_token_build(const struct hdr_token *h);
char	*hdr_encryption_build(const struct hdr_encryption *h);

#endif
