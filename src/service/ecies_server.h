/*
 * ecies_server.h - opening a mobile request's ECIES envelope and sealing
 * its response, with everything around the cryptography that the server
 * must decide (protocol.md §4.8, §9.3).
 *
 * Owns: which private key opens the envelope (application master key or
 * the registration's server key for 3.0-3.2; the 3.3 temporary key named
 * by temporaryKeyId, which must belong to the same application key and
 * activation and not be expired), the timestamp window (ecies.window,
 * either direction, 3.2+), and the durable replay check: after the MAC
 * verified, SHA-256(ephemeral key || nonce (3.2+, where the MAC covers
 * it) || activation id) is recorded per scope for twice the window; a
 * second arrival is refused.
 * Must not: parse HTTP headers or know endpoints.
 */
#ifndef PASERV_SERVICE_ECIES_SERVER_H
#define PASERV_SERVICE_ECIES_SERVER_H

#include <json-c/json.h>

#include "common/buf.h"
#include "common/config.h"
#include "crypto/ecies.h"
#include "crypto/keys.h"
#include "service/result.h"
#include "store/activations.h"
#include "store/apps.h"
#include "store/db.h"

struct ecies_server_in {
	enum pa_proto_version	 version;
	enum ecies_sh1		 sh1;
	const struct app_row	*app;	/* found by the request's app key */
	const struct act_row	*act;	/* activation scope, else NULL */
	const struct pa_keys	*keys;	/* activation scope: its keys */
};

/*
 * Opens envelope (a JSON object) into plain; ctx keeps the exchange for
 * ecies_server_seal() and must be wiped by the caller (ecies_ctx_wipe)
 * on every path. SVC_OK, SVC_ENCRYPTION (malformed, stale, MAC, replay),
 * SVC_TEMP_KEY, SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	ecies_server_open(struct db *db, const struct config *cfg,
		    const struct ecies_server_in *in, json_object *envelope,
		    struct ecies_ctx *ctx, struct buf *plain);
/* The response envelope for plain (n bytes) as a new JSON object. */
enum svc_rc	ecies_server_seal(struct ecies_ctx *ctx, const void *plain,
		    size_t n, json_object **out);

#endif
