/*
 * sigdata.h - the data a PowerAuth signature covers (protocol.md §5.1):
 *   METHOD "&" b64(uriId) "&" nonceB64 "&" b64(body) "&" secret
 * with secret = the application secret's Base64 text (online) or "offline".
 *
 * Owns: building that string, the GET/DELETE query canonicalisation
 * (URL-decode, sort by key then value, re-encode as Java's URLEncoder does,
 * join with "&"), the form URL encoder itself, and the reverse parser used
 * when a back end hands us the normalised data.
 * Must not: compute signatures (signature.c) or know about HTTP framing.
 */
#ifndef PASERV_CRYPTO_SIGDATA_H
#define PASERV_CRYPTO_SIGDATA_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define SIGDATA_OFFLINE		"offline"
#define SIGDATA_METHOD_MAX	16
#define SIGDATA_URI_MAX		1024
#define SIGDATA_QUERY_PAIRS	256

/*
 * Appends the data to sign to out (which is reset first). nonce is encoded
 * canonically. body may be NULL when bodylen is 0. secret is the application
 * secret text or SIGDATA_OFFLINE. 0 ok, -1 bad input / out of memory.
 */
int	sigdata_build(struct buf *out, const char *method, const char *uri_id,
	    const uint8_t nonce[16], const uint8_t *body, size_t bodylen,
	    const char *secret);

/* application/x-www-form-urlencoded encoding of n bytes (Java URLEncoder). */
int	sigdata_url_encode(struct buf *out, const uint8_t *in, size_t n);

/*
 * Canonical form of a query string ("a=1&b=2", no leading '?') for signing
 * GET/DELETE requests; appended to out (reset first). -1 on a malformed
 * escape, too many pairs or allocation failure.
 */
int	sigdata_canonical_query(struct buf *out, const char *q, size_t n);

/* The normalised request data split back into its parts. */
struct sigdata_parts {
	char		method[SIGDATA_METHOD_MAX + 1];
	char		uri_id[SIGDATA_URI_MAX + 1];
	uint8_t		nonce[16];
	struct buf	body;		/* decoded body bytes */
	char		secret[64];	/* last part as text (may be empty) */
};

/* Parses "METHOD&b64(uri)&nonce&b64(body)[&secret]"; 0 ok, -1 malformed.
 * Call sigdata_parts_free() in both cases. */
int	sigdata_parse(const char *s, size_t n, struct sigdata_parts *out);
void	sigdata_parts_free(struct sigdata_parts *p);

#endif
