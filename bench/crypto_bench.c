/*
 * crypto_bench - operations per second of the server's cryptographic hot
 * paths, run by N processes at once (default 2, one per vCPU here).
 *
 * Not a test: it asserts nothing about speed. It prints one line per
 * operation with the summed rate of all processes; bench/crypto compares
 * them with `openssl speed ecdhp256` from the same run.
 */
#include <config.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/timeutil.h"
#include "crypto/ec.h"
#include "crypto/ecies.h"
#include "crypto/fingerprint.h"
#include "crypto/headers.h"
#include "crypto/keys.h"
#include "crypto/sigdata.h"
#include "crypto/signature.h"
#include "crypto/token.h"

static const char *APP_KEY = "c2VjcmV0LWFwcC1rZXkxMg==";
static const char *APP_SECRET = "YXBwLXNlY3JldC0xMjM0NQ==";
static const char *AID = "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b";

struct fixture {
	EVP_PKEY	*master, *server, *device;
	struct pa_keys	 keys;
	uint8_t		 ctr[16];
	char		 hdr_hit[512], hdr_miss[512];
	char		*l1_json;	/* activation request, level 1 */
	uint8_t		 tok_secret[16], tok_nonce[16];
};

typedef int (*op_fn)(struct fixture *);

/* Header parse + data normalisation + look-ahead verification. */
static int
verify_header(struct fixture *f, const char *hdr, int want_valid)
{
	struct sig_keys k = { f->keys.possession, f->keys.knowledge,
	    f->keys.biometry };
	struct hdr_auth h;
	struct buf data = BUF_INIT;
	struct sig_verify_req r;
	struct sig_state st;
	struct sig_result res;
	int rc = -1;

	if (hdr_auth_parse(hdr, strlen(hdr), &h) != HDR_OK ||
	    sigdata_build(&data, "POST", "/login", h.nonce,
	    (const uint8_t *)"{}", 2, APP_SECRET) != 0)
		goto fail;
	memset(&st, 0, sizeof(st));
	memcpy(st.ctr_data, f->ctr, 16);
	st.max_failed = 1000000;
	st.is_active = 1;
	memset(&r, 0, sizeof(r));
	r.keys = &k;
	r.type = h.sig_type;
	r.data = data.data;
	r.datalen = data.len;
	r.signature = h.signature;
	r.format = SIG_FORMAT_BASE64;
	if (signature_verify(&r, &st, &res) == 0 && res.valid == want_valid)
		rc = 0;
fail:
	buf_free(&data);
	return rc;
}

static int
op_verify_hit(struct fixture *f)
{
	return verify_header(f, f->hdr_hit, 1);
}

static int
op_verify_miss(struct fixture *f)
{
	return verify_header(f, f->hdr_miss, 0);
}

static int
op_token(struct fixture *f)
{
	uint8_t d[32];

	if (token_digest(f->tok_secret, PA_PROTO_33, f->tok_nonce,
	    "1700000000123", d) != 0)
		return -1;
	return token_verify(f->tok_secret, PA_PROTO_33, f->tok_nonce,
	    "1700000000123", d);
}

/* Opens one application-scope layer with the master key. */
static int
open_layer(struct ecies_ctx *c, enum ecies_sh1 sh1, struct json_object *env,
    EVP_PKEY *master, struct buf *plain)
{
	struct ecies_params p = { PA_PROTO_32, ECIES_SCOPE_APPLICATION,
	    APP_KEY, APP_SECRET, NULL, NULL, NULL };
	struct ecies_request req;
	int rc = -1;

	memset(&req, 0, sizeof(req));
	if (ecies_ctx_init(c, &p, sh1) == ECIES_OK &&
	    ecies_request_from_object(env, PA_PROTO_32, &req) == ECIES_OK &&
	    ecies_decrypt_request(c, master, &req, plain) == ECIES_OK &&
	    buf_cstr(plain) != NULL)
		rc = 0;
	ecies_request_free(&req);
	return rc;
}

/* Encrypts a response and returns its JSON object. */
static struct json_object *
seal_layer(struct ecies_ctx *c, const char *plain)
{
	struct ecies_response r;
	struct json_object *o = NULL;

	memset(&r, 0, sizeof(r));
	if (ecies_encrypt_response(c, (const uint8_t *)plain, strlen(plain),
	    NULL, time_now_ms(), &r) == ECIES_OK)
		o = ecies_response_to_object(&r);
	ecies_response_free(&r);
	return o;
}

/*
 * The server's cryptography of one /pa/v3/activation/create: both ECIES
 * layers opened, device key validated, activation keys and fingerprint
 * derived, both layers sealed. (The activation's own key pair is made when
 * the registration is created, as in the reference server.)
 */
static int
op_activation(struct fixture *f)
{
	struct ecies_ctx c1, c2;
	struct buf p1 = BUF_INIT, p2 = BUF_INIT;
	struct json_object *env = NULL, *o1 = NULL, *o2 = NULL, *v, *r2 = NULL,
	    *r1 = NULL, *resp = NULL;
	struct pa_keys k;
	EVP_PKEY *dev = NULL;
	uint8_t raw[65];
	size_t n;
	char fp[9];
	int rc = -1;

	memset(&c1, 0, sizeof(c1));
	memset(&c2, 0, sizeof(c2));
	if ((env = json_tokener_parse(f->l1_json)) == NULL ||
	    open_layer(&c1, ECIES_SH1_APPLICATION_GENERIC, env, f->master,
	    &p1) != 0 || (o1 = json_tokener_parse(buf_cstr(&p1))) == NULL ||
	    !json_object_object_get_ex(o1, "activationData", &v) ||
	    open_layer(&c2, ECIES_SH1_ACTIVATION_LAYER2, v, f->master,
	    &p2) != 0 || (o2 = json_tokener_parse(buf_cstr(&p2))) == NULL ||
	    !json_object_object_get_ex(o2, "devicePublicKey", &v) ||
	    b64_decode(json_object_get_string(v), json_object_get_string_len(v),
	    raw, sizeof(raw), &n) != 0 ||
	    pa_ec_public_from_bytes(raw, n, &dev) != 0 ||
	    keys_from_ecdh(f->server, dev, &k) != 0 ||
	    fingerprint_v3(dev, AID, f->server, fp) != 0)
		goto fail;
	keys_clear(&k);
	if ((r2 = seal_layer(&c2, "{\"activationId\":\"3f2a1b4c-5d6e-4f70-"
	    "8a9b-0c1d2e3f4a5b\",\"serverPublicKey\":\"BGx1b3JlbSBpcHN1bSBkb2"
	    "xvciBzaXQgYW1ldCwgY29uc2VjdGV0dXIgYWRpcGlzY2luZyBlbGl0Lg==\","
	    "\"ctrData\":\"AAECAwQFBgcICQoLDA0ODw==\"}")) == NULL ||
	    (resp = json_object_new_object()) == NULL)
		goto fail;
	json_object_object_add(resp, "activationData", r2);
	r2 = NULL;
	json_object_object_add(resp, "customAttributes",
	    json_object_new_object());
	if ((r1 = seal_layer(&c1, json_object_to_json_string(resp))) == NULL)
		goto fail;
	rc = 0;
fail:
	ecies_ctx_wipe(&c1);
	ecies_ctx_wipe(&c2);
	buf_free(&p1);
	buf_free(&p2);
	json_object_put(env);
	json_object_put(o1);
	json_object_put(o2);
	json_object_put(r1);
	json_object_put(r2);
	json_object_put(resp);
	EVP_PKEY_free(dev);
	return rc;
}

/* One generic activation-scope ECIES request decrypted and answered. */
static int
op_ecies(struct fixture *f)
{
	struct buf plain = BUF_INIT;
	struct json_object *env = NULL, *r = NULL;
	struct ecies_ctx c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	/* Level 1 of the activation request is a generic app-scope envelope. */
	if ((env = json_tokener_parse(f->l1_json)) != NULL &&
	    open_layer(&c, ECIES_SH1_APPLICATION_GENERIC, env, f->master,
	    &plain) == 0 && (r = seal_layer(&c, "{\"ok\":true}")) != NULL)
		rc = 0;
	ecies_ctx_wipe(&c);
	buf_free(&plain);
	json_object_put(env);
	json_object_put(r);
	return rc;
}

/* A header signed `ahead` steps past the server's counter. */
static int
make_header(struct fixture *f, int ahead, char out[512])
{
	struct sig_keys k = { f->keys.possession, f->keys.knowledge,
	    f->keys.biometry };
	struct hdr_auth h;
	struct buf data = BUF_INIT;
	uint8_t ctr[16];
	char *s = NULL;
	int rc = -1;

	memcpy(ctr, f->ctr, 16);
	for (int i = 0; i < ahead; i++)
		pa_ctr_next(ctr, ctr);
	memset(&h, 0, sizeof(h));
	h.version = PA_PROTO_33;
	snprintf(h.activation_id, sizeof(h.activation_id), "%s", AID);
	snprintf(h.app_key, sizeof(h.app_key), "%s", APP_KEY);
	h.sig_type = HDR_SIG_POSSESSION_KNOWLEDGE;
	if (b64_decode_exact(APP_KEY, h.app_key_raw, 16) != 0 ||
	    pa_random(h.nonce, 16) != 0 ||
	    sigdata_build(&data, "POST", "/login", h.nonce,
	    (const uint8_t *)"{}", 2, APP_SECRET) != 0 ||
	    signature_compute(&k, h.sig_type, ctr, data.data, data.len,
	    SIG_FORMAT_BASE64, 8, h.signature) != 0 ||
	    (s = hdr_auth_build(&h)) == NULL)
		goto fail;
	snprintf(out, 512, "%s", s);
	rc = 0;
fail:
	free(s);
	buf_free(&data);
	return rc;
}

/* Device side of an activation request (built once, replayed). */
static char *
make_activation_request(struct fixture *f)
{
	struct ecies_params p = { PA_PROTO_32, ECIES_SCOPE_APPLICATION,
	    APP_KEY, APP_SECRET, NULL, NULL, NULL };
	struct ecies_ctx c1, c2;
	struct ecies_request r1, r2;
	struct json_object *l1 = json_object_new_object(), *id;
	uint8_t pub[65];
	size_t n;
	char l2[256], b64[100], *out = NULL;

	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	if (pa_ec_public_to_bytes(f->device, 1, pub, &n) != 0)
		goto fail;
	b64_encode(pub, n, b64);
	snprintf(l2, sizeof(l2), "{\"devicePublicKey\":\"%s\","
	    "\"activationName\":\"bench\",\"platform\":\"Android\"}", b64);
	if (ecies_ctx_init(&c2, &p, ECIES_SH1_ACTIVATION_LAYER2) != ECIES_OK ||
	    ecies_encrypt_request(&c2, f->master, (const uint8_t *)l2,
	    strlen(l2), time_now_ms(), &r2) != ECIES_OK)
		goto fail;
	id = json_object_new_object();
	json_object_object_add(id, "code",
	    json_object_new_string("AAAAA-AAAAA-AAAAA-AAAAA"));
	json_object_object_add(l1, "type", json_object_new_string("CODE"));
	json_object_object_add(l1, "identityAttributes", id);
	json_object_object_add(l1, "activationData",
	    ecies_request_to_object(&r2));
	if (ecies_ctx_init(&c1, &p, ECIES_SH1_APPLICATION_GENERIC) !=
	    ECIES_OK || ecies_encrypt_request(&c1, f->master,
	    (const uint8_t *)json_object_to_json_string(l1),
	    strlen(json_object_to_json_string(l1)), time_now_ms(), &r1) !=
	    ECIES_OK)
		goto fail;
	out = ecies_request_to_json(&r1);
fail:
	ecies_request_free(&r1);
	ecies_request_free(&r2);
	json_object_put(l1);
	return out;
}

static int
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	if (pa_ec_generate(&f->master) != 0 || pa_ec_generate(&f->server) != 0 ||
	    pa_ec_generate(&f->device) != 0 ||
	    keys_from_ecdh(f->server, f->device, &f->keys) != 0 ||
	    pa_random(f->ctr, 16) != 0 || pa_random(f->tok_secret, 16) != 0 ||
	    pa_random(f->tok_nonce, 16) != 0)
		return -1;
	if (make_header(f, 0, f->hdr_hit) != 0 ||
	    make_header(f, 25, f->hdr_miss) != 0)
		return -1;
	return (f->l1_json = make_activation_request(f)) != NULL ? 0 : -1;
}

static void
fixture_free(struct fixture *f)
{
	EVP_PKEY_free(f->master);
	EVP_PKEY_free(f->server);
	EVP_PKEY_free(f->device);
	keys_clear(&f->keys);
	free(f->l1_json);
}

/* Runs op for `seconds` in this process; writes the count to fd. */
static void
child(op_fn op, double seconds, int fd)
{
	struct fixture f;
	uint64_t start, end, count = 0;

	if (fixture_init(&f) != 0)
		_exit(3);
	start = time_mono_us();
	end = start + (uint64_t)(seconds * 1e6);
	while (time_mono_us() < end) {
		for (int i = 0; i < 16; i++)
			if (op(&f) != 0)
				_exit(4);
		count += 16;
	}
	fixture_free(&f);
	if (write(fd, &count, sizeof(count)) != sizeof(count))
		_exit(5);
	_exit(0);
}

static const char *only;	/* run only operations whose name has this */

static int
run(const char *name, op_fn op, int procs, double seconds)
{
	uint64_t total = 0, c;
	int fds[2], status, failed = 0;

	if (only != NULL && strstr(name, only) == NULL)
		return 0;

	if (pipe(fds) != 0)
		return -1;
	for (int i = 0; i < procs; i++)
		if (fork() == 0) {
			close(fds[0]);
			child(op, seconds, fds[1]);
		}
	close(fds[1]);
	while (read(fds[0], &c, sizeof(c)) == sizeof(c))
		total += c;
	close(fds[0]);
	for (int i = 0; i < procs; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed = 1;
	if (failed) {
		printf("%-32s FAILED (an operation returned an error)\n", name);
		return -1;
	}
	printf("%-32s %10.0f ops/s  (%d processes)\n", name,
	    (double)total / seconds, procs);
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	int procs = argc > 1 ? atoi(argv[1]) : 2;
	double seconds = argc > 2 ? atof(argv[2]) : 3.0;
	int rc = 0;

	only = argc > 3 ? argv[3] : NULL;

	if (procs < 1 || procs > 64 || seconds <= 0) {
		fprintf(stderr, "usage: crypto_bench [PROCESSES] [SECONDS] [NAME-FILTER]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc |= run("signature verify (hit, 2FA)", op_verify_hit, procs, seconds);
	rc |= run("signature verify (20-step miss)", op_verify_miss, procs,
	    seconds);
	rc |= run("activation create (crypto)", op_activation, procs,
	    seconds);
	rc |= run("ECIES decrypt + encrypt", op_ecies, procs, seconds);
	rc |= run("token digest + verify", op_token, procs, seconds);
	return rc ? 1 : 0;
}
