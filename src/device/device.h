/*
 * device.h - the mobile side of PowerAuth 3.0-3.3, as the device simulator
 * (pa-device) runs it: what Wultra's Mobile SDK does on a phone, in C.
 *
 * Owns: the client flows (set-up from mobileSdkConfig, temporary keys,
 * activation, status, request signing, tokens, vault unlock, removal) on top
 * of crypto/ and the state file. It never reaches into service/ or store/:
 * it talks to a server only over HTTP, like a real app.
 * Errors: functions return 0 or -1 and leave a message in d->err.
 */
#ifndef PASERV_DEVICE_DEVICE_H
#define PASERV_DEVICE_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crypto/ecies.h"
#include "device/state.h"

struct device {
	struct device_state	 st;
	enum pa_proto_version	 version;
	char			 app_key[25];	/* Base64 text */
	char			 app_secret[25];
	uint8_t			 master_pub[65];
	size_t			 master_publen;
	char			 err[512];
};

/* Opens the state file (missing = empty). */
int	device_open(struct device *d, const char *path);
/* Saves the state file. */
int	device_save(struct device *d);
void	device_close(struct device *d);

/* Takes app credentials from a mobileSdkConfig, the server URL and version. */
int	device_setup(struct device *d, const char *sdk_config,
	    const char *base_url, const char *version);

/*
 * Activates with an activation code (or QR text `code#signature`, whose
 * signature is then checked against the master key). otp may be NULL.
 * Stores the activation and prints nothing; see device_fingerprint().
 */
int	device_activate(struct device *d, const char *code_or_qr,
	    const char *otp, const char *name);
/* The 8-digit activation fingerprint, computed locally. */
int	device_fingerprint(struct device *d, char out[9]);

/*
 * For load tests: one /pa/v3/activation/create request per activation code
 * (or QR text) read from in, each with a fresh device key pair, written to
 * out as "X-PowerAuth-Encryption value<TAB>JSON body" lines. Nothing is
 * sent (but the 3.3 temporary key, fetched once) and nothing is stored
 * about the activations. *count gets the number of lines written.
 */
int	device_activation_batch(struct device *d, FILE *in, FILE *out,
	    long *count);

/* Fetches and decrypts the status blob; fills a printable JSON summary. */
int	device_status(struct device *d, char *out, size_t outlen);

/*
 * Computes an X-PowerAuth-Authorization header value for (method, uriId,
 * body) with the given factor type, advancing the local counter.
 * wrong_knowledge uses a wrong knowledge key (a mistyped PIN).
 * Returns a malloc'ed header value.
 */
char	*device_sign(struct device *d, const char *method, const char *uri_id,
	    const uint8_t *body, size_t bodylen, const char *type,
	    int wrong_knowledge);

/*
 * Advances the counter n steps without signing, as when n signed requests
 * never reached the server (the load tests' look-ahead worst case).
 */
int	device_skip(struct device *d, long n);

/* Offline signature (decimal) over data with the nonce from a QR code. */
char	*device_sign_offline(struct device *d, const char *uri_id,
	    const char *nonce_b64, const uint8_t *body, size_t bodylen,
	    const char *type, int digits);

/* Sends a signed request to the server (path under the base URL). */
int	device_signed_call(struct device *d, const char *path,
	    const char *uri_id, const char *body, const char *type,
	    int wrong_knowledge, long *status, char **resp);

/* /pa/v3/token/create: stores the token; returns its id (malloc'ed). */
char	*device_token_create(struct device *d, const char *type);
/* X-PowerAuth-Token header for a stored token (malloc'ed). */
char	*device_token_header(struct device *d, const char *token_id);
/* /pa/v3/vault/unlock: the 16-byte vault key. */
int	device_vault_unlock(struct device *d, uint8_t key[16]);
/* /pa/v3/activation/remove. */
int	device_remove(struct device *d);

/*
 * The device clock in epoch ms: the real clock shifted by
 * PA_DEVICE_CLOCK_SKEW_MS (a phone with a wrong clock; for tests).
 */
int64_t	device_now_ms(void);
/* Mobile Token operations (operations.c): list / detail with a stored
 * token; approve (reason NULL: data and optional proximity otp) or
 * reject (reason) with a signature of type. */
int	device_op_list(struct device *d, const char *token_id, long *status,
	    char **resp);
int	device_op_detail(struct device *d, const char *token_id,
	    const char *op_id, long *status, char **resp);
int	device_op_decide(struct device *d, const char *op_id, const char *data,
	    const char *otp, const char *reason, const char *type,
	    long *status, char **resp);
/*
 * The offline code for a scanned QR payload: checks its signature (server
 * key for K=1, master key for K=0), then signs "operationId&operationData"
 * offline with the QR's nonce (8 digits per component). malloc'ed.
 */
char	*device_op_offline(struct device *d, const char *qr, const char *type);
/* POST helper: JSON body to base URL + path, extra headers. */
int	device_post(struct device *d, const char *path,
	    const char *const *headers, const char *body, long *status,
	    char **resp);

#endif
