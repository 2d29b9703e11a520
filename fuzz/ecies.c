/*
 * ecies.c - fuzz target: ECIES envelopes (protocol.md §4): the request and
 * response JSON codecs of crypto/ecies.c, opening a request with a fixed
 * server key, and the server's own path (service/ecies_server.c: the
 * key from the stored, encrypted row, the timestamp window, the replay
 * record) for envelopes a device made of the input.
 *
 * The first byte picks the protocol version (bits 0-1: 3.0 .. 3.3), the
 * scope (bit 2: application or activation) and what the rest is (bits 3-4):
 *   0	a request envelope (JSON) to decode, re-encode and open
 *   1	a response envelope (JSON) a device decodes and opens
 *   2, 3	a plaintext: a device encrypts it, the server opens it and
 *	answers it back, and both sides must read what the other sent
 * Invariants: a decoded envelope re-encodes to the same fields; nothing
 * the input makes up opens (the MAC needs the keys); whatever a device
 * seals, the server opens to the same bytes, and back.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "crypto/ec.h"
#include "crypto/ecies.h"
#include "fuzz/fuzz.h"
#include "service/ecies_server.h"
#include "service/secrets.h"

#define APP_KEY		"ZnV6ei1hcHAta2V5LTE2Qg=="	/* 16 bytes */
#define APP_SECRET	"ZnV6ei1hcHAtc2VjcmV0LTE="	/* 16 bytes */
#define ACTIVATION_ID	"9a1f1c34-6d8e-4f5c-9b2a-0e7d3c5b8a41"
#define TEMP_KEY_ID	"3c0e8f52-7b4d-4a19-8e6f-d2a1b9c4e705"

static const uint8_t TRANSPORT[16] = "fuzz-transport16";

struct keys {
	EVP_PKEY	*server;	/* opens mode 0, seals nothing */
	struct app_row	 app;		/* its stored master key ... */
	EVP_PKEY	*app_key;	/* ... and that key */
	struct act_row	 act;		/* its stored server key ... */
	EVP_PKEY	*act_key;	/* ... and that key */
	struct pa_keys	 pk;		/* only the transport key is used */
	struct db	*db;
};

static struct keys *
keys(void)
{
	static struct keys k;
	static int done;
	uint8_t pub[65];
	size_t publen;
	char *enc;

	if (done)
		return &k;
	FUZZ_ASSERT(pa_ec_generate(&k.server) == 0);
	strcpy(k.app.id, "fuzz-app");
	strcpy(k.app.app_key, APP_KEY);
	strcpy(k.app.app_secret, APP_SECRET);
	FUZZ_ASSERT(secret_keypair_new(fuzz_config(), SECRET_APP_KEY, NULL,
	    "fuzz-app", APP_PRIV_ENC_MAX, pub, &publen, &enc,
	    &k.app_key) == 0);
	strcpy(k.app.master_private_key_enc, enc);
	free(enc);
	strcpy(k.act.id, ACTIVATION_ID);
	strcpy(k.act.app_id, "fuzz-app");
	strcpy(k.act.user_id, "fuzz-user");
	FUZZ_ASSERT(secret_keypair_new(fuzz_config(), SECRET_REG_KEY,
	    "fuzz-user", ACTIVATION_ID, REG_PRIV_ENC_MAX, pub, &publen, &enc,
	    &k.act_key) == 0);
	strcpy(k.act.server_private_key_enc, enc);
	free(enc);
	memcpy(k.pk.transport, TRANSPORT, sizeof(TRANSPORT));
	FUZZ_ASSERT((k.db = db_new(fuzz_config())) != NULL);
	done = 1;
	return &k;
}

static void
params(struct ecies_params *p, enum pa_proto_version v, int activation)
{
	memset(p, 0, sizeof(*p));
	p->version = v;
	p->scope = activation ? ECIES_SCOPE_ACTIVATION :
	    ECIES_SCOPE_APPLICATION;
	p->app_key = APP_KEY;
	p->app_secret = APP_SECRET;
	if (activation) {
		p->transport_key = TRANSPORT;
		p->activation_id = ACTIVATION_ID;
	}
	if (v == PA_PROTO_33)
		p->temp_key_id = TEMP_KEY_ID;
}

static enum ecies_sh1
sh1(int activation)
{
	return activation ? ECIES_SH1_ACTIVATION_GENERIC :
	    ECIES_SH1_APPLICATION_GENERIC;
}

static void
same_request(const struct ecies_request *a, const struct ecies_request *b)
{
	FUZZ_ASSERT(a->ephlen == b->ephlen &&
	    memcmp(a->eph, b->eph, a->ephlen) == 0);
	FUZZ_ASSERT(a->datalen == b->datalen &&
	    memcmp(a->data, b->data, a->datalen) == 0);
	FUZZ_ASSERT(memcmp(a->mac, b->mac, ECIES_MAC_LEN) == 0);
	FUZZ_ASSERT(a->has_nonce == b->has_nonce && (!a->has_nonce ||
	    memcmp(a->nonce, b->nonce, ECIES_NONCE_LEN) == 0));
	FUZZ_ASSERT(a->has_timestamp == b->has_timestamp &&
	    a->timestamp == b->timestamp);
	FUZZ_ASSERT(a->has_temp_key_id == b->has_temp_key_id &&
	    strcmp(a->temp_key_id, b->temp_key_id) == 0);
}

/* Mode 0: a request envelope from outside. */
static void
request(const char *s, size_t n, enum pa_proto_version v, int activation)
{
	struct ecies_request r, r2;
	struct ecies_params p;
	struct ecies_ctx c;
	struct buf plain = BUF_INIT;
	char *again;

	if (ecies_request_from_json(s, n, v, &r) != ECIES_OK)
		return;
	FUZZ_ASSERT((again = ecies_request_to_json(&r)) != NULL);
	FUZZ_ASSERT(ecies_request_from_json(again, strlen(again), v,
	    &r2) == ECIES_OK);
	same_request(&r, &r2);
	free(again);
	ecies_request_free(&r2);
	params(&p, v, activation);
	p.temp_key_id = NULL;		/* taken from the request */
	FUZZ_ASSERT(ecies_ctx_init(&c, &p, sh1(activation)) == ECIES_OK);
	FUZZ_ASSERT(ecies_decrypt_request(&c, keys()->server, &r,
	    &plain) != ECIES_OK);
	FUZZ_ASSERT(plain.len == 0);
	ecies_ctx_wipe(&c);
	buf_free(&plain);
	ecies_request_free(&r);
}

/* Mode 1: a response envelope as a device receives it. */
static void
response(const char *s, size_t n, enum pa_proto_version v, int activation)
{
	struct ecies_response r;
	struct ecies_request req;
	struct ecies_params p;
	struct ecies_ctx c;
	struct buf plain = BUF_INIT;
	char *again;

	if (ecies_response_from_json(s, n, v, &r) != ECIES_OK)
		return;
	FUZZ_ASSERT((again = ecies_response_to_json(&r)) != NULL);
	free(again);
	params(&p, v, activation);
	FUZZ_ASSERT(ecies_ctx_init(&c, &p, sh1(activation)) == ECIES_OK);
	FUZZ_ASSERT(ecies_encrypt_request(&c, keys()->app_key,
	    (const uint8_t *)"{}", 2, time_now_ms(), &req) == ECIES_OK);
	FUZZ_ASSERT(ecies_decrypt_response(&c, &r, &plain) != ECIES_OK);
	ecies_ctx_wipe(&c);
	buf_free(&plain);
	ecies_request_free(&req);
	ecies_response_free(&r);
}

/* Modes 2, 3: the plaintext there and back through the server path. */
static void
roundtrip(const uint8_t *d, size_t n, enum pa_proto_version v,
    int activation)
{
	struct keys *k = keys();
	struct ecies_server_in in;
	struct ecies_request req;
	struct ecies_response resp;
	struct ecies_params p;
	struct ecies_ctx dc, sc;
	struct buf plain = BUF_INIT, back = BUF_INIT;
	json_object *env, *answer = NULL;
	enum svc_rc rc;

	params(&p, v, activation);
	FUZZ_ASSERT(ecies_ctx_init(&dc, &p, sh1(activation)) == ECIES_OK);
	FUZZ_ASSERT(ecies_encrypt_request(&dc, activation ? k->act_key :
	    k->app_key, d, n, time_now_ms(), &req) == ECIES_OK);
	FUZZ_ASSERT((env = ecies_request_to_object(&req)) != NULL);
	memset(&in, 0, sizeof(in));
	in.version = v;
	in.sh1 = sh1(activation);
	in.app = &k->app;
	if (activation) {
		in.act = &k->act;
		in.keys = &k->pk;
	}
	memset(&sc, 0, sizeof(sc));
	fuzz_db_set(FUZZ_DB_YES);
	rc = ecies_server_open(k->db, fuzz_config(), &in, env, &sc, &plain);
	if (v == PA_PROTO_33) {
		/* The temporary key is looked up, and no row exists. */
		FUZZ_ASSERT(rc == SVC_TEMP_KEY && plain.len == 0);
		goto done;
	}
	FUZZ_ASSERT(rc == SVC_OK);
	FUZZ_ASSERT(plain.len == n && (n == 0 || memcmp(plain.data, d,
	    n) == 0));
	FUZZ_ASSERT(ecies_server_seal(&sc, d, n, &answer) == SVC_OK);
	FUZZ_ASSERT(ecies_response_from_object(answer, v, &resp) ==
	    ECIES_OK);
	FUZZ_ASSERT(ecies_decrypt_response(&dc, &resp, &back) == ECIES_OK);
	FUZZ_ASSERT(back.len == n && (n == 0 || memcmp(back.data, d,
	    n) == 0));
	ecies_response_free(&resp);
done:
	json_object_put(answer);
	json_object_put(env);
	ecies_ctx_wipe(&sc);
	ecies_ctx_wipe(&dc);
	ecies_request_free(&req);
	buf_free(&plain);
	buf_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const enum pa_proto_version V[] = { PA_PROTO_30, PA_PROTO_31,
	    PA_PROTO_32, PA_PROTO_33 };
	enum pa_proto_version v;
	int activation, mode;
	char *s;

	if (n < 1)
		return 0;
	(void)keys();
	v = V[data[0] & 3];
	activation = (data[0] >> 2) & 1;
	mode = (data[0] >> 3) & 3;
	s = fuzz_strndup(data + 1, n - 1);
	if (mode == 0)
		request(s, n - 1, v, activation);
	else if (mode == 1)
		response(s, n - 1, v, activation);
	else
		roundtrip(data + 1, n - 1, v, activation);
	free(s);
	return 0;
}
