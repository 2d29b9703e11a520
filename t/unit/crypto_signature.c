/*
 * Signatures (§5): every entry of signatures-v3.json (3.0 decimal),
 * signatures-v31.json (Base64), signatures-offline.json (4..8 digits) and
 * both signatures-v2.json copies (counter data 0x00*8 || BE64(counter)).
 * The ctr_data chains inside the v3/v31/offline blocks also drive the
 * server look-ahead verifier. No vectors exist for knowledge-only,
 * biometry-only and possession_biometry: they are checked against a hand
 * computation with pa_hmac_sha256 and by device-compute / server-verify
 * round trips, followed by the look-ahead and failed-attempt cases.
 */
#include <json-c/json.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/signature.h"
#include "tap.h"
#include "vectors.h"

struct vkeys {
	uint8_t	p[16], k[16], b[16];
	struct sig_keys sk;
};

static int
load_keys(struct json_object *in, struct vkeys *v)
{
	v->sk.possession = v->p;
	v->sk.knowledge = v->k;
	v->sk.biometry = v->b;
	return vec_b64(in, "signaturePossessionKey", v->p, 16) == 16 &&
	    vec_b64(in, "signatureKnowledgeKey", v->k, 16) == 16 &&
	    vec_b64(in, "signatureBiometryKey", v->b, 16) == 16;
}

/* Verifies entry e with the server look-ahead from chain start `base`
 * (k steps behind). */
static int
lookahead_entry(const struct vkeys *v, enum hdr_sig_type t,
    const uint8_t base[16], int k, const uint8_t *d, size_t dl,
    const char *sig, enum sig_format fmt, int digits,
    const uint8_t cd[16])
{
	struct sig_verify_req rq = { &v->sk, t, d, dl, sig, fmt, digits, 20,
	    0 };
	struct sig_state st = { 1000, { 0 }, 0, 5, 1, 0 };
	struct sig_result r;
	uint8_t next[16];

	memcpy(st.ctr_data, base, 16);
	pa_ctr_next(cd, next);
	return signature_verify(&rq, &st, &r) == 0 && r.valid &&
	    r.matched_ctr == 1000 + k && r.ctr_next == 1001 + k &&
	    memcmp(r.ctr_data_next, next, 16) == 0;
}

/* Protocol 2 look-ahead: numeric counter from 0, ctr_data untouched. */
static int
legacy_entry(const struct vkeys *v, enum hdr_sig_type t, long long ctr,
    const uint8_t *d, size_t dl, const char *sig)
{
	struct sig_verify_req rq = { &v->sk, t, d, dl, sig,
	    SIG_FORMAT_DECIMAL, 8, 20, 0 };
	struct sig_state st = { 0, { 9 }, 0, 5, 1, 1 };
	struct sig_result r;

	return signature_verify(&rq, &st, &r) == 0 && r.valid &&
	    r.matched_ctr == ctr && r.ctr_next == ctr + 1 &&
	    r.ctr_data_next[0] == 9;
}

struct vfile {
	const char	*path;
	int		 count;
	int		 block;	/* chain length, 0 = protocol 2 */
	enum sig_format	 fmt;
	int		 has_len;
};

static void
sig_file(const struct vfile *vf)
{
	struct json_object *root = vec_load(vf->path), *a = vec_member(root, "data");
	uint8_t cd[16], base[16] = { 0 }, prev[16] = { 0 }, d[512];
	struct vkeys v;
	char got[SIGNATURE_MAX_LEN + 1];
	const char *want;
	size_t i;
	int dl, digits, checked = 0, chain = 0, la = 0, k;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		struct json_object *in = vec_member(e, "input");
		enum hdr_sig_type t = hdr_sig_type_parse(vec_str(in,
		    "signatureType"));

		digits = vf->has_len ? (int)vec_int(in,
		    "signatureComponentLength") : 8;
		want = vec_str(vec_member(e, "output"), "signature");
		dl = vec_b64(in, "data", d, sizeof(d));
		if (vf->block == 0)
			signature_ctr_data_v2(vec_int(in, "counter"), cd);
		if (!load_keys(in, &v) || t == 0 || dl < 0 || want == NULL ||
		    (vf->block && vec_b64(in, "counterData", cd, 16) != 16) ||
		    signature_compute(&v.sk, t, cd, d, (size_t)dl, vf->fmt,
		    digits, got) != 0) {
			tap_ok(0, "%s #%zu: inputs", vf->path, i);
			continue;
		}
		checked += tap_str(got, want, "%s #%zu (%s)", vf->path, i,
		    hdr_sig_type_str(t));
		if (vf->block == 0) {
			la += legacy_entry(&v, t, vec_int(in, "counter"), d,
			    (size_t)dl, want);
			continue;
		}
		k = (int)(i % (size_t)vf->block);
		if (k == 0)
			memcpy(base, cd, 16);
		else
			chain += memcmp(cd, prev, 16) == 0;
		memcpy(prev, cd, 16);
		pa_ctr_next(prev, prev);
		if (k < 20)
			la += lookahead_entry(&v, t, base, k, d, (size_t)dl, want,
			    vf->fmt, digits, cd);
	}
	tap_ok(checked == vf->count, "%s: %d entries", vf->path, vf->count);
	if (vf->block == 0)
		tap_ok(la == vf->count, "%s: legacy v2 look-ahead from counter "
		    "0 matches every entry at its counter (%d)", vf->path, la);
	if (vf->block) {
		int n = vf->count / vf->block;

		tap_ok(chain == vf->count - n, "%s: ctr_data chains NEXT() "
		    "inside every block of %d (%d links)", vf->path, vf->block,
		    chain);
		tap_ok(la == n * 20, "%s: look-ahead from block start finds "
		    "entries 0..19 of each block (%d)", vf->path, la);
	}
	vec_report(vf->path, checked, 0);
	json_object_put(root);
}

static void
vector_files(void)
{
	static const struct vfile f[] = {
		{ "powerauth-crypto/signatures-v3.json", 300, 30,
		    SIG_FORMAT_DECIMAL, 0 },
		{ "powerauth-crypto/signatures-v31.json", 300, 30,
		    SIG_FORMAT_BASE64, 0 },
		{ "powerauth-crypto/signatures-offline.json", 200, 20,
		    SIG_FORMAT_DECIMAL, 1 },
		{ "powerauth-crypto/signatures-v2.json", 300, 0,
		    SIG_FORMAT_DECIMAL, 0 },
		{ "powerauth-mobile-sdk/signatures-v2.json", 300, 0,
		    SIG_FORMAT_DECIMAL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		sig_file(&f[i]);
}

/* Fixed test material. */
static struct vkeys tk;
static uint8_t tctr[16];
static const char tdata[] =
    "POST&L3BhL3NpZ25hdHVyZS92YWxpZGF0ZQ==&kYjzVBB8Y0ZFabxSWbWovY==&e30=&"
    "MDEyMzQ1Njc4OUFCQ0RFRg==";

static void
test_init(void)
{
	int i;

	for (i = 0; i < 16; i++) {
		tk.p[i] = (uint8_t)(0x10 + i);
		tk.k[i] = (uint8_t)(0x40 + 3 * i);
		tk.b[i] = (uint8_t)(0x90 ^ i);
		tctr[i] = (uint8_t)(0xC0 + i);
	}
	tk.sk.possession = tk.p;
	tk.sk.knowledge = tk.k;
	tk.sk.biometry = tk.b;
}

/* S = HMAC(HMAC(K, C), DATA), straight from §5.2 with pa_hmac_sha256. */
static void
hand_single(const uint8_t key[16], uint8_t s[32])
{
	uint8_t h[32];

	pa_hmac_sha256(key, 16, tctr, 16, h);
	pa_hmac_sha256(h, 32, (const uint8_t *)tdata, strlen(tdata), s);
}

static void
hand_computations(void)
{
	uint8_t s0[32], s1[32], h[32], d[32], cat[32];
	char b64[64], got[SIGNATURE_MAX_LEN + 1];

	hand_single(tk.k, s0);
	b64_encode(s0 + 16, 16, b64);
	signature_compute(&tk.sk, HDR_SIG_KNOWLEDGE, tctr,
	    (const uint8_t *)tdata, strlen(tdata), SIG_FORMAT_BASE64, 0, got);
	tap_str(got, b64, "knowledge-only = hand computation");

	hand_single(tk.b, s0);
	b64_encode(s0 + 16, 16, b64);
	signature_compute(&tk.sk, HDR_SIG_BIOMETRY, tctr,
	    (const uint8_t *)tdata, strlen(tdata), SIG_FORMAT_BASE64, 0, got);
	tap_str(got, b64, "biometry-only = hand computation");

	/* possession_biometry: S1 = HMAC(HMAC(h_b, h_b), DATA), h_b =
	 * HMAC(K_bio, C) (the K[j+1] detail). */
	hand_single(tk.p, s0);
	pa_hmac_sha256(tk.b, 16, tctr, 16, h);
	pa_hmac_sha256(h, 32, h, 32, d);
	pa_hmac_sha256(d, 32, (const uint8_t *)tdata, strlen(tdata), s1);
	memcpy(cat, s0 + 16, 16);
	memcpy(cat + 16, s1 + 16, 16);
	b64_encode(cat, 32, b64);
	signature_compute(&tk.sk, HDR_SIG_POSSESSION_BIOMETRY, tctr,
	    (const uint8_t *)tdata, strlen(tdata), SIG_FORMAT_BASE64, 0, got);
	tap_str(got, b64, "possession_biometry = hand computation");
	tap_ok(strlen(got) == 44, "two components -> 44 Base64 chars");

	signature_compute(&tk.sk, HDR_SIG_POSSESSION_BIOMETRY, tctr,
	    (const uint8_t *)tdata, strlen(tdata), SIG_FORMAT_DECIMAL, 8, got);
	tap_ok(strlen(got) == 17 && got[8] == '-', "decimal 8-8 shape: %s",
	    got);
	signature_compute(&tk.sk, HDR_SIG_POSSESSION_KNOWLEDGE_BIOMETRY, tctr,
	    (const uint8_t *)tdata, strlen(tdata), SIG_FORMAT_DECIMAL, 4, got);
	tap_ok(strlen(got) == 14, "decimal 4-4-4 shape: %s", got);
	tap_ok(signature_compute(&tk.sk, HDR_SIG_POSSESSION, tctr,
	    (const uint8_t *)tdata, strlen(tdata), SIG_FORMAT_DECIMAL, 3,
	    got) != 0, "3-digit components refused");
	tap_ok(signature_compute(&tk.sk, HDR_SIG_POSSESSION, tctr,
	    (const uint8_t *)tdata, strlen(tdata), SIG_FORMAT_DECIMAL, 9,
	    got) != 0, "9-digit components refused");
	{
		struct sig_keys only_p = { tk.p, NULL, NULL };

		tap_ok(signature_compute(&only_p, HDR_SIG_POSSESSION_KNOWLEDGE,
		    tctr, (const uint8_t *)tdata, strlen(tdata),
		    SIG_FORMAT_BASE64, 0, got) != 0, "missing factor key refused");
	}
	tap_ok(signature_compute(&tk.sk, (enum hdr_sig_type)99, tctr,
	    (const uint8_t *)tdata, strlen(tdata), SIG_FORMAT_BASE64, 0,
	    got) != 0, "unknown type refused");
}

/* Device side: the counter data n steps after tctr, and its signature. */
static void
device_sign(enum hdr_sig_type t, enum sig_format fmt, int digits, int n,
    char out[SIGNATURE_MAX_LEN + 1])
{
	uint8_t c[16];
	int i;

	memcpy(c, tctr, 16);
	for (i = 0; i < n; i++)
		pa_ctr_next(c, c);
	if (signature_compute(&tk.sk, t, c, (const uint8_t *)tdata,
	    strlen(tdata), fmt, digits, out) != 0)
		out[0] = '\0';
}

static void
nth_ctr(int n, uint8_t c[16])
{
	int i;

	memcpy(c, tctr, 16);
	for (i = 0; i < n; i++)
		pa_ctr_next(c, c);
}

static void
fresh(struct sig_state *st)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->ctr_data, tctr, 16);
	st->max_failed = 5;
	st->is_active = 1;
}

static int
verify(enum hdr_sig_type t, enum sig_format fmt, const char *sig,
    const struct sig_state *st, struct sig_result *r)
{
	struct sig_verify_req rq = { &tk.sk, t, (const uint8_t *)tdata,
	    strlen(tdata), sig, fmt, 0, 0, 0 };

	return signature_verify(&rq, st, r);
}

static void
apply(struct sig_state *st, const struct sig_result *r)
{
	st->ctr = r->ctr_next;
	memcpy(st->ctr_data, r->ctr_data_next, 16);
	st->failed_attempts = r->failed_attempts;
	if (r->block)
		st->is_active = 0;
}

static void
round_trips(void)
{
	static const enum sig_format fmts[2] = { SIG_FORMAT_BASE64,
	    SIG_FORMAT_DECIMAL };
	char sig[SIGNATURE_MAX_LEN + 1];
	struct sig_state st;
	struct sig_result r;
	uint8_t want[16];
	int t, f, ok;

	nth_ctr(1, want);
	for (f = 0; f < 2; f++)
		for (t = HDR_SIG_POSSESSION;
		    t <= HDR_SIG_POSSESSION_KNOWLEDGE_BIOMETRY; t++) {
			fresh(&st);
			device_sign((enum hdr_sig_type)t, fmts[f], 8, 0, sig);
			ok = verify((enum hdr_sig_type)t, fmts[f], sig, &st,
			    &r) == 0 && r.valid && r.matched_ctr == 0 &&
			    r.ctr_next == 1 && memcmp(r.ctr_data_next, want,
			    16) == 0 && r.failed_attempts == 0 && !r.block;
			tap_ok(ok, "round trip %s %s: device sign, server "
			    "verify at counter 0", hdr_sig_type_str(
			    (enum hdr_sig_type)t), f ? "decimal" : "base64");
			/* A different type over the same data must not pass. */
			ok = verify(t == HDR_SIG_KNOWLEDGE ? HDR_SIG_BIOMETRY :
			    HDR_SIG_KNOWLEDGE, fmts[f], sig, &st, &r) == 0 &&
			    !r.valid;
			tap_ok(ok || t == HDR_SIG_POSSESSION ||
			    t == HDR_SIG_POSSESSION_KNOWLEDGE ||
			    t == HDR_SIG_POSSESSION_BIOMETRY ||
			    t == HDR_SIG_POSSESSION_KNOWLEDGE_BIOMETRY,
			    "single-factor signature not valid as another "
			    "factor");
		}
}

static void
ahead(int n, int expect_valid)
{
	char sig[SIGNATURE_MAX_LEN + 1];
	struct sig_state st;
	struct sig_result r;
	uint8_t want[16];

	fresh(&st);
	st.ctr = 77;
	device_sign(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, 0, n,
	    sig);
	tap_ok(verify(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, sig,
	    &st, &r) == 0, "verify %d ahead runs", n);
	if (expect_valid) {
		nth_ctr(n + 1, want);
		tap_ok(r.valid && r.matched_ctr == 77 + n &&
		    r.ctr_next == 78 + n && memcmp(r.ctr_data_next, want,
		    16) == 0, "%d ahead: valid, counter -> %d", n, 78 + n);
	} else
		tap_ok(!r.valid && r.ctr_next == 77 && memcmp(r.ctr_data_next,
		    tctr, 16) == 0 && r.failed_attempts == 1 &&
		    r.remaining_attempts == 4, "%d ahead: invalid, counter "
		    "unchanged, failed 1", n);
}

static void
replay(void)
{
	char sig[SIGNATURE_MAX_LEN + 1];
	struct sig_state st;
	struct sig_result r;

	fresh(&st);
	device_sign(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, 0, 3,
	    sig);
	verify(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, sig, &st, &r);
	tap_ok(r.valid && r.ctr_next == 4, "first use accepted");
	apply(&st, &r);
	verify(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, sig, &st, &r);
	tap_ok(!r.valid && r.failed_attempts == 1,
	    "replay of an accepted signature invalid");
	/* An older, never sent signature is also behind the window now. */
	device_sign(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, 0, 1,
	    sig);
	verify(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, sig, &st, &r);
	tap_ok(!r.valid, "signature behind the counter invalid");
}

static void
blocking(void)
{
	char good[SIGNATURE_MAX_LEN + 1], bad[SIGNATURE_MAX_LEN + 1];
	struct sig_state st;
	struct sig_result r;
	int i;

	fresh(&st);
	device_sign(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, 0, 0,
	    good);
	memcpy(bad, good, sizeof(bad));
	bad[0] = bad[0] == 'A' ? 'B' : 'A';
	for (i = 1; i <= 5; i++) {
		verify(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, bad, &st,
		    &r);
		tap_ok(!r.valid && r.failed_attempts == i &&
		    r.remaining_attempts == 5 - i && r.block == (i == 5) &&
		    r.reason == (i == 5 ? SIG_BLOCK_MAX_FAILED_ATTEMPTS :
		    SIG_BLOCK_NONE), "failure %d: failed=%d remaining=%d "
		    "block=%d", i, r.failed_attempts, r.remaining_attempts,
		    r.block);
		st.failed_attempts = r.failed_attempts;
	}
	/* failed == max: even a correct signature is refused with block. */
	verify(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, good, &st, &r);
	tap_ok(!r.valid && r.block && r.failed_attempts == 5 &&
	    r.ctr_next == 0, "at max failed: correct signature refused, block");

	/* Success of a non-possession type resets the counter. */
	fresh(&st);
	st.failed_attempts = 3;
	verify(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, good, &st, &r);
	tap_ok(r.valid && r.failed_attempts == 0 && r.remaining_attempts == 5,
	    "2FA success resets failed attempts");
}

static void
possession_only(void)
{
	char good[SIGNATURE_MAX_LEN + 1], bad[SIGNATURE_MAX_LEN + 1];
	struct sig_state st;
	struct sig_result r;
	int i, ok = 1;

	fresh(&st);
	st.failed_attempts = 4;
	device_sign(HDR_SIG_POSSESSION, SIG_FORMAT_BASE64, 0, 0, good);
	memcpy(bad, good, sizeof(bad));
	bad[1] = bad[1] == 'A' ? 'B' : 'A';
	for (i = 0; i < 10; i++) {
		verify(HDR_SIG_POSSESSION, SIG_FORMAT_BASE64, bad, &st, &r);
		ok &= !r.valid && r.failed_attempts == 4 && !r.block &&
		    !r.state_changed;
	}
	tap_ok(ok, "possession-only failures are not counted (10 tries at "
	    "failed=4, max=5)");
	verify(HDR_SIG_POSSESSION, SIG_FORMAT_BASE64, good, &st, &r);
	tap_ok(r.valid && r.failed_attempts == 4 && r.ctr_next == 1,
	    "possession-only success does not reset failed attempts");
}

static void
misc_states(void)
{
	char good[SIGNATURE_MAX_LEN + 1];
	struct sig_state st;
	struct sig_result r;
	struct sig_verify_req rq = { &tk.sk, HDR_SIG_POSSESSION_KNOWLEDGE,
	    (const uint8_t *)tdata, strlen(tdata), NULL, SIG_FORMAT_BASE64, 0,
	    5, 0 };

	device_sign(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, 0, 0,
	    good);
	fresh(&st);
	st.is_active = 0;
	tap_ok(verify(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, good,
	    &st, &r) == 0 && !r.valid && !r.block && r.failed_attempts == 0 &&
	    !r.state_changed, "inactive: invalid, nothing changes");
	fresh(&st);
	tap_ok(verify(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, "AAAA",
	    &st, &r) == 0 && !r.valid && r.failed_attempts == 1,
	    "wrong-length signature invalid and counted");
	tap_ok(verify(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_DECIMAL, good,
	    &st, &r) == 0 && !r.valid, "Base64 text against decimal format "
	    "invalid");
	device_sign(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, 0, 5,
	    good);
	rq.signature = good;
	tap_ok(signature_verify(&rq, &st, &r) == 0 && !r.valid,
	    "lookahead 5: 5 ahead is outside");
	device_sign(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_BASE64, 0, 4,
	    good);
	tap_ok(signature_verify(&rq, &st, &r) == 0 && r.valid &&
	    r.matched_ctr == 4, "lookahead 5: 4 ahead is inside");
	rq.signature = NULL;
	tap_ok(signature_verify(&rq, &st, &r) != 0, "NULL signature: error");
	tap_ok(signature_verify(NULL, &st, &r) != 0, "NULL request: error");
	tap_ok(signature_format_for_version(PA_PROTO_30) ==
	    SIG_FORMAT_DECIMAL && signature_format_for_version(PA_PROTO_33) ==
	    SIG_FORMAT_BASE64, "format by version");
}

static void
offline(void)
{
	char pk[SIGNATURE_MAX_LEN + 1], pb[SIGNATURE_MAX_LEN + 1],
	    p[SIGNATURE_MAX_LEN + 1];
	struct sig_state st;
	struct sig_result r;
	struct sig_verify_req rq = { &tk.sk, 0, (const uint8_t *)tdata,
	    strlen(tdata), NULL, SIG_FORMAT_DECIMAL, 6, 0, 0 };

	device_sign(HDR_SIG_POSSESSION_KNOWLEDGE, SIG_FORMAT_DECIMAL, 6, 2, pk);
	device_sign(HDR_SIG_POSSESSION_BIOMETRY, SIG_FORMAT_DECIMAL, 6, 7, pb);
	device_sign(HDR_SIG_POSSESSION, SIG_FORMAT_DECIMAL, 6, 0, p);
	fresh(&st);
	rq.signature = pk;
	tap_ok(signature_verify_offline(&rq, &st, &r) == 0 && r.valid &&
	    r.matched_type == HDR_SIG_POSSESSION_KNOWLEDGE &&
	    r.matched_ctr == 2, "offline possession_knowledge (6 digits) at 2");
	rq.signature = pb;
	tap_ok(signature_verify_offline(&rq, &st, &r) == 0 && !r.valid &&
	    r.failed_attempts == 1, "offline possession_biometry refused "
	    "unless allowed (counted)");
	rq.allow_biometry = 1;
	tap_ok(signature_verify_offline(&rq, &st, &r) == 0 && r.valid &&
	    r.matched_type == HDR_SIG_POSSESSION_BIOMETRY &&
	    r.matched_ctr == 7 && r.failed_attempts == 0,
	    "offline possession_biometry accepted when allowed");
	rq.signature = p;
	tap_ok(signature_verify_offline(&rq, &st, &r) == 0 && !r.valid &&
	    r.failed_attempts == 1, "offline possession-only refused");
}

int
main(void)
{
	vector_files();
	test_init();
	hand_computations();
	round_trips();
	ahead(0, 1);
	ahead(5, 1);
	ahead(19, 1);
	ahead(20, 0);
	ahead(25, 0);
	replay();
	blocking();
	possession_only();
	misc_states();
	offline();
	return tap_done();
}
