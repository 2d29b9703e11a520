/*
 * signature.c - PowerAuth signatures and the look-ahead verifier
 * (protocol.md §5.2-§5.6). Pure computation: no database, no I/O.
 *
 * HMAC contexts live for one computation or verification (struct hm): each
 * factor key is keyed once and only re-initialised per counter step (which
 * restores the saved inner state instead of hashing the key pads again), and
 * the HMACs whose keys depend on the step share one scratch context.
 */
#include <config.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/signature.h"

#define F_POSS	0
#define F_KNOW	1
#define F_BIO	2

struct hm {
	EVP_MAC_CTX	*fac[3];	/* keyed with K_poss, K_know, K_bio */
	EVP_MAC_CTX	*tmp;		/* re-keyed for every use */
};

static pthread_once_t	 mac_once = PTHREAD_ONCE_INIT;
static EVP_MAC		*mac_hmac;

static void
mac_fetch(void)
{
	mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

/* New HMAC-SHA256 context; the digest is set here, once. */
static EVP_MAC_CTX *
hm_new(void)
{
	static char sha256[] = "SHA256";
	OSSL_PARAM params[2];
	EVP_MAC_CTX *c;

	if (pthread_once(&mac_once, mac_fetch) != 0 || mac_hmac == NULL)
		return NULL;
	if ((c = EVP_MAC_CTX_new(mac_hmac)) == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    sha256, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_CTX_set_params(c, params) != 1) {
		EVP_MAC_CTX_free(c);
		return NULL;
	}
	return c;
}

/* HMAC of m; key NULL re-initialises c with the key it already has. */
static int
hm_run(EVP_MAC_CTX *c, const uint8_t *key, size_t klen, const uint8_t *m,
    size_t n, uint8_t out[PA_SHA256_LEN])
{
	size_t ol = 0;

	if (EVP_MAC_init(c, key, klen, NULL) != 1 ||
	    (n > 0 && EVP_MAC_update(c, m, n) != 1) ||
	    EVP_MAC_final(c, out, &ol, PA_SHA256_LEN) != 1 ||
	    ol != PA_SHA256_LEN)
		return -1;
	return 0;
}

/* Frees (and so wipes) every context. */
static void
hm_free(struct hm *h)
{
	int i;

	for (i = 0; i < 3; i++)
		EVP_MAC_CTX_free(h->fac[i]);
	EVP_MAC_CTX_free(h->tmp);
	memset(h, 0, sizeof(*h));
}

/* Per-step HMAC(K_f, C) for the three factors, computed on demand. */
struct step {
	uint8_t	h[3][PA_SHA256_LEN];
	int	have[3];
};

static int
factor_list(enum hdr_sig_type t, int f[3])
{
	switch (t) {
	case HDR_SIG_POSSESSION:
		f[0] = F_POSS;
		return 1;
	case HDR_SIG_KNOWLEDGE:
		f[0] = F_KNOW;
		return 1;
	case HDR_SIG_BIOMETRY:
		f[0] = F_BIO;
		return 1;
	case HDR_SIG_POSSESSION_KNOWLEDGE:
		f[0] = F_POSS;
		f[1] = F_KNOW;
		return 2;
	case HDR_SIG_POSSESSION_BIOMETRY:
		f[0] = F_POSS;
		f[1] = F_BIO;
		return 2;
	case HDR_SIG_POSSESSION_KNOWLEDGE_BIOMETRY:
		f[0] = F_POSS;
		f[1] = F_KNOW;
		f[2] = F_BIO;
		return 3;
	}
	return -1;
}

static const uint8_t *
factor_key(const struct sig_keys *k, int f)
{
	return f == F_POSS ? k->possession : f == F_KNOW ? k->knowledge :
	    k->biometry;
}

static int
step_hmac(struct step *s, struct hm *hm, const struct sig_keys *k, int f,
    const uint8_t ctr[SIGNATURE_CTR_LEN])
{
	const uint8_t *key = NULL;

	if (s->have[f])
		return 0;
	if (hm->fac[f] == NULL) {	/* first use: key the context */
		if ((key = factor_key(k, f)) == NULL ||
		    (hm->fac[f] = hm_new()) == NULL)
			return -1;
	}
	if (hm_run(hm->fac[f], key, PA_KEY_LEN, ctr, SIGNATURE_CTR_LEN,
	    s->h[f]) != 0)
		return -1;
	s->have[f] = 1;
	return 0;
}

/* Component i of list f[] (§5.2, note the K[j+1] key of the inner loop). */
static int
component(struct step *s, struct hm *hm, const int *f, int i,
    const uint8_t *data, size_t n, uint8_t out[PA_SHA256_LEN])
{
	uint8_t d[PA_SHA256_LEN];
	int j, rc = -1;

	if (hm->tmp == NULL && (hm->tmp = hm_new()) == NULL)
		return -1;
	memcpy(d, s->h[f[i]], sizeof(d));
	for (j = 0; j < i; j++)
		if (hm_run(hm->tmp, s->h[f[j + 1]], PA_SHA256_LEN, d,
		    sizeof(d), d) != 0)
			goto fail;
	rc = hm_run(hm->tmp, d, sizeof(d), data, n, out);
fail:
	OPENSSL_cleanse(d, sizeof(d));
	return rc;
}

static int
format_out(uint8_t comp[3][PA_SHA256_LEN], int nf, enum sig_format fmt,
    int digits, char out[SIGNATURE_MAX_LEN + 1])
{
	uint8_t cat[48];
	uint32_t v, mod = 1;
	int i, o = 0;

	if (fmt == SIG_FORMAT_BASE64) {
		for (i = 0; i < nf; i++)
			memcpy(cat + 16 * i, comp[i] + 16, 16);
		b64_encode(cat, (size_t)nf * 16, out);
		OPENSSL_cleanse(cat, sizeof(cat));
		return 0;
	}
	if (fmt != SIG_FORMAT_DECIMAL || digits < SIGNATURE_DIGITS_MIN ||
	    digits > SIGNATURE_DIGITS_MAX)
		return -1;
	for (i = 0; i < digits; i++)
		mod *= 10;
	for (i = 0; i < nf; i++) {
		v = ((uint32_t)comp[i][28] << 24 | (uint32_t)comp[i][29] << 16 |
		    (uint32_t)comp[i][30] << 8 | comp[i][31]) & 0x7FFFFFFFu;
		o += snprintf(out + o, (size_t)(SIGNATURE_MAX_LEN + 1 - o),
		    "%s%0*u", i ? "-" : "", digits, (unsigned)(v % mod));
	}
	return 0;
}

/* Signature of type t for the step whose factor HMACs are (lazily) in s. */
static int
step_signature(struct step *s, struct hm *hm, const struct sig_keys *k,
    enum hdr_sig_type t, const uint8_t ctr[SIGNATURE_CTR_LEN],
    const uint8_t *data, size_t n, enum sig_format fmt, int digits,
    char out[SIGNATURE_MAX_LEN + 1])
{
	uint8_t comp[3][PA_SHA256_LEN];
	int f[3], nf, i, rc = -1;

	if ((nf = factor_list(t, f)) < 0)
		return -1;
	for (i = 0; i < nf; i++)
		if (step_hmac(s, hm, k, f[i], ctr) != 0)
			goto fail;
	for (i = 0; i < nf; i++)
		if (component(s, hm, f, i, data, n, comp[i]) != 0)
			goto fail;
	rc = format_out(comp, nf, fmt, digits, out);
fail:
	OPENSSL_cleanse(comp, sizeof(comp));
	return rc;
}

enum sig_format
signature_format_for_version(enum pa_proto_version v)
{
	return v == PA_PROTO_30 ? SIG_FORMAT_DECIMAL : SIG_FORMAT_BASE64;
}

void
signature_ctr_data_v2(int64_t ctr, uint8_t out[SIGNATURE_CTR_LEN])
{
	int i;

	memset(out, 0, 8);
	for (i = 0; i < 8; i++)
		out[15 - i] = (uint8_t)((uint64_t)ctr >> (8 * i));
}

int
signature_compute(const struct sig_keys *k, enum hdr_sig_type t,
    const uint8_t ctr[SIGNATURE_CTR_LEN], const uint8_t *data, size_t n,
    enum sig_format fmt, int digits, char out[SIGNATURE_MAX_LEN + 1])
{
	struct hm hm;
	struct step s;
	int rc;

	if (k == NULL || ctr == NULL || out == NULL || (data == NULL && n))
		return -1;
	memset(&hm, 0, sizeof(hm));
	memset(&s, 0, sizeof(s));
	rc = step_signature(&s, &hm, k, t, ctr, data == NULL ?
	    (const uint8_t *)"" : data, n, fmt, digits, out);
	OPENSSL_cleanse(&s, sizeof(s));
	hm_free(&hm);
	if (rc != 0)
		out[0] = '\0';
	return rc;
}

static void
result_init(const struct sig_state *st, struct sig_result *res)
{
	memset(res, 0, sizeof(*res));
	res->matched_ctr = -1;
	res->ctr_next = st->ctr;
	memcpy(res->ctr_data_next, st->ctr_data, SIGNATURE_CTR_LEN);
	res->failed_attempts = st->failed_attempts;
	res->remaining_attempts = st->max_failed > st->failed_attempts ?
	    st->max_failed - st->failed_attempts : 0;
}

/* Length of the string type t produces, or 0 for an unknown type. */
static size_t
expected_len(enum hdr_sig_type t, enum sig_format fmt, int digits)
{
	int f[3], nf;

	if ((nf = factor_list(t, f)) < 0)
		return 0;
	if (fmt == SIG_FORMAT_BASE64)
		return b64_encoded_len((size_t)nf * 16);
	return (size_t)(nf * digits + nf - 1);
}

/* Tries each type at step C; *hit = index of the matching type or -1. */
static int
try_step(const struct sig_verify_req *req, struct hm *hm,
    const enum hdr_sig_type *types, int ntypes,
    const uint8_t c[SIGNATURE_CTR_LEN], size_t rlen, int digits, int *hit)
{
	struct step s;
	char cand[SIGNATURE_MAX_LEN + 1];
	int i, rc = -1;

	*hit = -1;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < ntypes; i++) {
		if (step_signature(&s, hm, req->keys, types[i], c, req->data,
		    req->datalen, req->format, digits, cand) != 0)
			goto fail;
		if (strlen(cand) == rlen &&
		    CRYPTO_memcmp(cand, req->signature, rlen) == 0) {
			*hit = i;
			break;
		}
	}
	rc = 0;
fail:
	OPENSSL_cleanse(&s, sizeof(s));
	OPENSSL_cleanse(cand, sizeof(cand));
	return rc;
}

/* Walks the window; on a match sets *hit and *it, else *hit = -1. */
static int
window(const struct sig_verify_req *req, const struct sig_state *st,
    const enum hdr_sig_type *types, int ntypes, int digits, int lookahead,
    int *hit, int64_t *it, uint8_t next[SIGNATURE_CTR_LEN])
{
	uint8_t c[SIGNATURE_CTR_LEN], h[SIGNATURE_CTR_LEN];
	size_t rlen = strlen(req->signature);
	struct hm hm;
	int64_t i;
	int rc = -1;

	*hit = -1;
	memset(&hm, 0, sizeof(hm));
	memcpy(h, st->ctr_data, sizeof(h));
	if (rlen != expected_len(types[0], req->format, digits)) {
		rc = 0;		/* cannot match any candidate */
		goto fail;
	}
	for (i = 0; i < lookahead; i++) {
		if (st->legacy_v2)
			signature_ctr_data_v2(st->ctr + i, c);
		else
			memcpy(c, h, sizeof(c));
		if (!st->legacy_v2 && pa_ctr_next(h, h) != 0)
			goto fail;
		if (try_step(req, &hm, types, ntypes, c, rlen, digits,
		    hit) != 0)
			goto fail;
		if (*hit >= 0) {
			*it = st->ctr + i;
			memcpy(next, st->legacy_v2 ? st->ctr_data : h,
			    SIGNATURE_CTR_LEN);
			break;
		}
	}
	rc = 0;
fail:
	OPENSSL_cleanse(c, sizeof(c));
	OPENSSL_cleanse(h, sizeof(h));
	hm_free(&hm);
	return rc;
}

static int
verify_types(const struct sig_verify_req *req, const struct sig_state *st,
    const enum hdr_sig_type *types, int ntypes, int counts,
    struct sig_result *res)
{
	int digits, lookahead, hit;
	int64_t it = -1;

	if (req == NULL || st == NULL || res == NULL || req->keys == NULL ||
	    req->signature == NULL || (req->data == NULL && req->datalen) ||
	    st->ctr < 0 || st->max_failed < 0 || st->failed_attempts < 0)
		return -1;
	digits = req->digits ? req->digits : SIGNATURE_DIGITS_DEFAULT;
	lookahead = req->lookahead ? req->lookahead :
	    SIGNATURE_LOOKAHEAD_DEFAULT;
	if (lookahead < 0 || st->ctr > INT64_MAX - lookahead ||
	    (req->format == SIG_FORMAT_DECIMAL &&
	    (digits < SIGNATURE_DIGITS_MIN || digits > SIGNATURE_DIGITS_MAX)) ||
	    (req->format != SIG_FORMAT_DECIMAL &&
	    req->format != SIG_FORMAT_BASE64))
		return -1;
	result_init(st, res);
	if (!st->is_active)
		return 0;
	if (st->failed_attempts >= st->max_failed) {
		res->block = 1;
		res->reason = SIG_BLOCK_MAX_FAILED_ATTEMPTS;
		return 0;
	}
	if (window(req, st, types, ntypes, digits, lookahead, &hit, &it,
	    res->ctr_data_next) != 0) {
		result_init(st, res);
		return -1;
	}
	if (hit >= 0) {
		res->valid = 1;
		res->matched_ctr = it;
		res->matched_type = types[hit];
		res->ctr_next = it + 1;
		if (counts)
			res->failed_attempts = 0;
		res->state_changed = 1;
	} else if (counts) {
		res->failed_attempts = st->failed_attempts + 1;
		res->state_changed = 1;
		if (st->max_failed - res->failed_attempts <= 0) {
			res->block = 1;
			res->reason = SIG_BLOCK_MAX_FAILED_ATTEMPTS;
		}
	}
	res->remaining_attempts = st->max_failed > res->failed_attempts ?
	    st->max_failed - res->failed_attempts : 0;
	return 0;
}

int
signature_verify(const struct sig_verify_req *req, const struct sig_state *st,
    struct sig_result *res)
{
	int f[3];

	if (req == NULL || factor_list(req->type, f) < 0)
		return -1;
	return verify_types(req, st, &req->type, 1,
	    req->type != HDR_SIG_POSSESSION, res);
}

int
signature_verify_offline(const struct sig_verify_req *req,
    const struct sig_state *st, struct sig_result *res)
{
	static const enum hdr_sig_type types[2] = {
		HDR_SIG_POSSESSION_KNOWLEDGE, HDR_SIG_POSSESSION_BIOMETRY
	};

	if (req == NULL)
		return -1;
	return verify_types(req, st, types, req->allow_biometry ? 2 : 1, 1,
	    res);
}
