/*
 * offline_qr.h - the offline operation QR payload (protocol.md §5.6,
 * api.md §3.9):
 *   operationId \n title \n message \n operationData \n flags
 *   [\n attribute ...] \n nonceB64 \n K signatureB64
 * K = '1' signed with KEY_SERVER_PRIVATE (personalized) or '0' with
 * KEY_SERVER_MASTER_PRIVATE; the ECDSA-SHA256 (DER, Base64) signature covers
 * every byte before it, including K.
 *
 * Owns: building and signing (server), parsing and verifying (device), the
 * title/message escaping (\n and \\) and the body the device signs offline
 * (operationId & operationData [& totp]).
 * Must not: decide operation state or compute PowerAuth signatures.
 */
#ifndef PASERV_CRYPTO_OFFLINE_QR_H
#define PASERV_CRYPTO_OFFLINE_QR_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define OFFLINE_QR_MAX_LEN	4096
#define OFFLINE_QR_MAX_ATTRS	8

struct offline_qr {
	const char		*operation_id;
	const char		*title;		/* plain text, escaped here */
	const char		*message;	/* plain text, escaped here */
	const char		*operation_data; /* already in its grammar */
	const char		*flags;		/* subset of "BXFC", may be "" */
	const char *const	*attrs;		/* extra lines (e.g. TOTP) */
	size_t			 nattrs;
};

/*
 * Server: the signed payload. nonce NULL draws a random one. personalized
 * selects K ('1' activation key, '0' master key); signing_key must be the
 * matching private key. Returns malloc'ed text, NULL on invalid input.
 */
char	*offline_qr_build(const struct offline_qr *q, const uint8_t *nonce,
	    int personalized, const EVP_PKEY *signing_key);

struct offline_qr_parsed {
	char		*lines;		/* owned; fields point into it */
	const char	*operation_id;
	const char	*title;		/* still escaped */
	const char	*message;	/* still escaped */
	const char	*operation_data;
	const char	*flags;
	const char	*attrs[OFFLINE_QR_MAX_ATTRS];
	size_t		 nattrs;
	char		 nonce_b64[25];
	uint8_t		 nonce[16];
	int		 personalized;	/* K == '1' */
	size_t		 signed_len;	/* prefix of the code that is signed */
	uint8_t		 sig[80];	/* DER */
	size_t		 siglen;
};

/* Device: splits and validates the layout; 0 ok, -1 malformed. */
int	offline_qr_parse(const char *code, size_t n,
	    struct offline_qr_parsed *out);
/* Device: ECDSA check of code[0..signed_len) with pub; 0 valid. */
int	offline_qr_verify(const struct offline_qr_parsed *p, const char *code,
	    const EVP_PKEY *pub);
void	offline_qr_parsed_free(struct offline_qr_parsed *p);

/* "\n" -> newline, "\\" -> backslash; -1 on a dangling/unknown escape. */
int	offline_qr_unescape(struct buf *out, const char *in);
/* The body the mobile token signs: operationId&operationData[&totp]. */
int	offline_qr_signing_body(struct buf *out, const char *operation_id,
	    const char *operation_data, const char *totp);

#endif
