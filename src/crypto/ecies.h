/*
 * ecies.h - PowerAuth 3.0-3.3 end-to-end encryption (protocol.md §4).
 *
 * Owns: the protocol version enum, the sharedInfo1 constants, envelope key
 * derivation (ECDH + X9.63 over the exact received ephemeral key bytes), the
 * per-version IV / sharedInfo2 / associated-data rules, encrypt-then-MAC in
 * both directions (server: decrypt request, encrypt response; device: encrypt
 * request, decrypt response) and the strict JSON envelope codec (§4.6).
 * Must not: look up keys, check timestamps or replays (service layer), log.
 *
 * One struct ecies_ctx carries one request/response pair: the server keeps it
 * between decrypting a request and encrypting its response; it holds the
 * envelope key and is wiped by ecies_ctx_wipe() on every path.
 */
#ifndef PASERV_CRYPTO_ECIES_H
#define PASERV_CRYPTO_ECIES_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

struct json_object;

/* Protocol versions of the 3.x family; the value orders them. */
enum pa_proto_version {
	PA_PROTO_30 = 30,
	PA_PROTO_31 = 31,
	PA_PROTO_32 = 32,
	PA_PROTO_33 = 33
};

/* "3.0".."3.3" -> version; 0 (not a valid enum value) when unknown. */
enum pa_proto_version pa_proto_parse(const char *s);
/* Version -> "3.0".."3.3"; NULL for an invalid value. */
const char *pa_proto_str(enum pa_proto_version v);

enum ecies_scope {
	ECIES_SCOPE_APPLICATION,
	ECIES_SCOPE_ACTIVATION
};

/* Every sharedInfo1 of §4.2 (activation level 1 = APPLICATION_GENERIC). */
enum ecies_sh1 {
	ECIES_SH1_APPLICATION_GENERIC,	/* /pa/generic/application, app */
	ECIES_SH1_ACTIVATION_LAYER2,	/* /pa/activation, app */
	ECIES_SH1_UPGRADE,		/* /pa/upgrade, activation */
	ECIES_SH1_VAULT_UNLOCK,		/* /pa/vault/unlock, activation */
	ECIES_SH1_TOKEN_CREATE,		/* /pa/token/create, activation */
	ECIES_SH1_RECOVERY_CONFIRM,	/* /pa/recovery/confirm, activation */
	ECIES_SH1_ACTIVATION_GENERIC,	/* /pa/generic/activation, activation */
	ECIES_SH1_COUNT
};

const char *ecies_sh1_str(enum ecies_sh1 s);
enum ecies_scope ecies_sh1_scope(enum ecies_sh1 s);

enum ecies_err {
	ECIES_OK = 0,
	ECIES_ERR_PARAM,	/* caller error: missing/oversized parameter */
	ECIES_ERR_FORMAT,	/* envelope malformed / field presence wrong */
	ECIES_ERR_VERSION,	/* unsupported protocol version */
	ECIES_ERR_KEY,		/* bad ephemeral/server key, ECDH failed */
	ECIES_ERR_TEMP_KEY,	/* 3.3 temporaryKeyId differs from the expected one */
	ECIES_ERR_MAC,		/* MAC mismatch (nothing decrypted) */
	ECIES_ERR_DECRYPT,	/* padding error after a good MAC */
	ECIES_ERR_INTERNAL	/* allocation / OpenSSL failure */
};

#define ECIES_ENVELOPE_LEN	48
#define ECIES_MAC_LEN		32
#define ECIES_NONCE_LEN		16
#define ECIES_EPH_MAX		65
#define ECIES_TEXT_MAX		64	/* app key, activation id, temp key id */
#define ECIES_RAW_SH_MAX	256	/* bare-primitive sharedInfo1/2 */
#define ECIES_DATA_MAX		(16u * 1024 * 1024)

/* What the caller knows about the exchange (strings are copied). */
struct ecies_params {
	enum pa_proto_version	 version;
	enum ecies_scope	 scope;
	const char		*app_key;	/* Base64 text, AD (3.2+) */
	const char		*app_secret;	/* Base64 text, SH2_BASE */
	const uint8_t		*transport_key;	/* 16 B, activation scope */
	const char		*activation_id;	/* activation scope, AD */
	/* 3.3: the temporary key id. Server side may leave it NULL to take it
	 * from the request; if set, the request must carry the same id. */
	const char		*temp_key_id;
};

/* A request envelope (decoded). */
struct ecies_request {
	uint8_t		 eph[ECIES_EPH_MAX];
	size_t		 ephlen;
	uint8_t		*data;		/* malloc'ed ciphertext */
	size_t		 datalen;
	uint8_t		 mac[ECIES_MAC_LEN];
	uint8_t		 nonce[ECIES_NONCE_LEN];
	int		 has_nonce;
	int64_t		 timestamp;
	int		 has_timestamp;
	char		 temp_key_id[ECIES_TEXT_MAX + 1];
	int		 has_temp_key_id;
};

/* A response envelope (decoded). */
struct ecies_response {
	uint8_t		*data;		/* malloc'ed ciphertext */
	size_t		 datalen;
	uint8_t		 mac[ECIES_MAC_LEN];
	uint8_t		 nonce[ECIES_NONCE_LEN];
	int		 has_nonce;
	int64_t		 timestamp;
	int		 has_timestamp;
};

struct ecies_ctx {
	enum pa_proto_version	version;
	enum ecies_scope	scope;
	uint8_t		sh1[ECIES_RAW_SH_MAX];
	size_t		sh1len;
	uint8_t		sh2base[ECIES_RAW_SH_MAX];	/* SH2_BASE (or raw SH2) */
	size_t		sh2baselen;
	char		app_key[ECIES_TEXT_MAX + 1];
	char		activation_id[ECIES_TEXT_MAX + 1];
	char		temp_key_id[ECIES_TEXT_MAX + 1];
	int		has_activation_id;
	int		has_temp_key_id;
	int		raw;		/* bare primitive: SH2 = sh2base as is */
	uint8_t		key_enc[16];
	uint8_t		key_mac[16];
	uint8_t		key_iv[16];
	int		has_envelope;
	uint8_t		eph[ECIES_EPH_MAX];
	size_t		ephlen;
	uint8_t		req_nonce[ECIES_NONCE_LEN];
	int		has_req_nonce;
	int		done_request;	/* a request went through this context */
	int		done_response;	/* ... and its response */
};

/*
 * Prepares a context from the protocol parameters: computes SH2_BASE
 * (application: SHA256(app secret text); activation: HMAC(transport key,
 * app secret text)) and records the AD inputs. No envelope key yet.
 */
enum ecies_err ecies_ctx_init(struct ecies_ctx *c, const struct ecies_params *p,
	    enum ecies_sh1 sh1);
/*
 * The bare primitive of the 3.0/3.1 reference tests: sharedInfo1 enters the
 * KDF as is and sharedInfo2 is used as SH2 as is.
 */
enum ecies_err ecies_ctx_init_raw(struct ecies_ctx *c, enum pa_proto_version v,
	    const uint8_t *sh1, size_t sh1len, const uint8_t *sh2,
	    size_t sh2len);
/* Starts from a known 48-byte envelope key (KEY_ENC | KEY_MAC | KEY_IV). */
void	ecies_ctx_set_envelope(struct ecies_ctx *c,
	    const uint8_t ek[ECIES_ENVELOPE_LEN]);
/* Wipes every key and secret of the context. */
void	ecies_ctx_wipe(struct ecies_ctx *c);

/* EK = X963(Z, [version] || sh1 || eph, 48) (§4.3). */
enum ecies_err ecies_envelope_derive(enum pa_proto_version v,
	    const uint8_t *sh1, size_t sh1len, const uint8_t z[32],
	    const uint8_t *eph, size_t ephlen,
	    uint8_t ek[ECIES_ENVELOPE_LEN]);
/* AD of §4.1 for the context (3.2+; empty for 3.0/3.1). */
enum ecies_err ecies_associated_data(const struct ecies_ctx *c,
	    struct buf *out);

/*
 * Server: checks the per-version field presence, derives the envelope key
 * from server_priv and the exact ephemeral key bytes (unless the context
 * already holds one and server_priv is NULL), verifies the MAC in constant
 * time, then decrypts into plain (which is reset first).
 */
enum ecies_err ecies_decrypt_request(struct ecies_ctx *c,
	    const EVP_PKEY *server_priv, const struct ecies_request *req,
	    struct buf *plain);
/*
 * Server: encrypts the response with the context of the decrypted request.
 * 3.2+: nonce (16 B) and ts_ms are the response nonce/timestamp; a NULL nonce
 * draws a random one different from the request nonce. Ignored for 3.0/3.1.
 */
enum ecies_err ecies_encrypt_response(struct ecies_ctx *c,
	    const uint8_t *plain, size_t n, const uint8_t *nonce, int64_t ts_ms,
	    struct ecies_response *out);
/*
 * Server: the response encrypted last was thrown away unsent (the
 * transaction it answered was rolled back and runs again): the context
 * may encrypt a new one. (3.2+ gives it a fresh nonce; a 3.0/3.1 response
 * reuses the request's IV, as the first would have, and only one of them
 * ever leaves the server.)
 */
void	ecies_response_withdraw(struct ecies_ctx *c);

/*
 * Device: generates an ephemeral key pair, derives the envelope key against
 * server_pub and encrypts. ts_ms is the request timestamp (3.2+).
 */
enum ecies_err ecies_encrypt_request(struct ecies_ctx *c,
	    const EVP_PKEY *server_pub, const uint8_t *plain, size_t n,
	    int64_t ts_ms, struct ecies_request *out);
/* Device: verifies and decrypts the response to the request of c. */
enum ecies_err ecies_decrypt_response(struct ecies_ctx *c,
	    const struct ecies_response *resp, struct buf *plain);

void	ecies_request_free(struct ecies_request *r);
void	ecies_response_free(struct ecies_response *r);

/*
 * JSON envelopes (§4.6) with the strict presence rules of the reference
 * validator: ephemeralPublicKey, encryptedData, mac required; nonce iff
 * >= 3.1; timestamp iff >= 3.2; temporaryKeyId iff 3.3 (JSON null counts as
 * absent). Responses: encryptedData, mac; nonce + timestamp iff >= 3.2.
 * Unknown members are ignored. *_to_json return malloc'ed text.
 */
enum ecies_err ecies_request_from_json(const char *text, size_t len,
	    enum pa_proto_version v, struct ecies_request *out);
enum ecies_err ecies_request_from_object(struct json_object *o,
	    enum pa_proto_version v, struct ecies_request *out);
char	*ecies_request_to_json(const struct ecies_request *r);
struct json_object *ecies_request_to_object(const struct ecies_request *r);
enum ecies_err ecies_response_from_json(const char *text, size_t len,
	    enum pa_proto_version v, struct ecies_response *out);
enum ecies_err ecies_response_from_object(struct json_object *o,
	    enum pa_proto_version v, struct ecies_response *out);
char	*ecies_response_to_json(const struct ecies_response *r);
struct json_object *ecies_response_to_object(const struct ecies_response *r);

#endif
