/* sigauth.c - signature verification with bookkeeping (see sigauth.h). */
#include <config.h>

#include "service/sigauth.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "crypto/sigdata.h"
#include "crypto/signature.h"
#include "service/lookup_cache.h"
#include "service/ecies_server.h"
#include "service/secrets.h"
#include "store/users.h"

#define BLOCK_REASON_MAX_FAILED	"MAX_FAILED_ATTEMPTS"

/*
 * Possession-only failures do not count toward blocking (reference
 * server); they are limited per registration instead: at most
 * signature.possession_limit per signature.possession_window seconds.
 */
struct possession_window {
	int	failures;
	int64_t	start_ms;	/* 0: none */
};

static void
window_now(const struct config *cfg, const struct act_row *a,
    struct possession_window *pw)
{
	int64_t now = time_now_ms();

	pw->failures = a->possession_failures;
	pw->start_ms = a->possession_window_ms;
	if (pw->start_ms == 0 ||
	    now - pw->start_ms >= 1000 * (int64_t)cfg->possession_window) {
		pw->failures = 0;
		pw->start_ms = now;
	}
}

/* Everything one verification holds (kept off the stack, wiped). */
struct work {
	struct hdr_auth	 h;
	struct app_row	 app;		/* of the header's app key */
	int		 has_app;
	struct act_row	 act;
	struct pa_keys	 keys;
	struct buf	 data;
	const struct sigauth_offline_req *offline;	/* NULL: online */
};

static void
work_free(struct work *w)
{
	if (w == NULL)
		return;
	if (w->data.data != NULL)
		OPENSSL_cleanse(w->data.data, w->data.cap);
	buf_free(&w->data);
	OPENSSL_cleanse(w, sizeof(*w));
	free(w);
}

/* Stores a verification outcome (with the possession-only window). */
static enum svc_rc
store(struct db *db, const struct act_row *a, const struct sig_result *out,
    const struct possession_window *pw)
{
	struct act_counter c;

	memset(&c, 0, sizeof(c));
	c.possession_failures = pw->failures;
	c.possession_window_ms = pw->start_ms;
	c.id = a->id;
	c.ctr = out->ctr_next;
	c.ctr_data = out->ctr_data_next;
	c.failed_attempts = out->failed_attempts;
	c.block = out->block;
	c.blocked_reason = out->block ? BLOCK_REASON_MAX_FAILED : NULL;
	c.used = out->valid;
	return svc_from_db(act_store_counter(db, &c), SVC_INTERNAL);
}

/*
 * A signature made with another application's (or an unknown) app key:
 * a failure that counts unless possession-only (§5.5 step 2).
 */
static enum svc_rc
foreign_key(struct db *db, const struct work *w, struct sigauth_result *res)
{
	struct possession_window pw = { w->act.possession_failures,
	    w->act.possession_window_ms };
	struct sig_result out;

	memset(&out, 0, sizeof(out));
	out.ctr_next = w->act.ctr;
	memcpy(out.ctr_data_next, w->act.ctr_data, sizeof(out.ctr_data_next));
	out.failed_attempts = w->act.failed_attempts;
	if (w->act.status != REG_ACTIVE || !w->act.has_ctr_data ||
	    w->h.sig_type == HDR_SIG_POSSESSION)
		return SVC_OK;
	out.failed_attempts++;
	out.block = w->act.max_failed_attempts - out.failed_attempts <= 0;
	res->blocked = out.block;
	res->remaining_attempts = out.block ? 0 :
	    w->act.max_failed_attempts - out.failed_attempts;
	if (out.block)
		res->subject.status = REG_BLOCKED;
	return store(db, &w->act, &out, &pw);
}

/* Verifies and stores the outcome; the caller holds the transaction. */
static enum svc_rc
verify_locked(struct db *db, const struct config *cfg,
    const struct sigauth_req *req, struct work *w, struct sigauth_result *res)
{
	struct sig_keys k = { w->keys.possession, w->keys.knowledge,
	    w->keys.biometry };
	struct sig_verify_req vr;
	struct sig_state st;
	struct sig_result out;
	struct possession_window pw;
	int possession;
	enum svc_rc rc;

	if (!w->has_app || strcmp(w->act.app_id, w->app.id) != 0)
		return foreign_key(db, w, res);
	if (w->act.status != REG_ACTIVE || !w->act.has_ctr_data)
		return SVC_OK;		/* not valid, nothing to count */
	possession = w->offline == NULL &&
	    w->h.sig_type == HDR_SIG_POSSESSION;
	window_now(cfg, &w->act, &pw);
	if (possession && pw.failures >= cfg->possession_limit) {
		res->rate_limited = 1;
		return SVC_OK;		/* refused unchecked */
	}
	if (secret_activation_keys(cfg, &w->act, &w->keys) != 0)
		return SVC_INTERNAL;
	memset(&vr, 0, sizeof(vr));
	memset(&st, 0, sizeof(st));
	if (w->offline != NULL) {
		if (buf_append_str(&w->data, w->offline->data) != 0 ||
		    buf_append_str(&w->data, "&" SIGDATA_OFFLINE) != 0)
			return SVC_INTERNAL;
		vr.signature = w->offline->signature;
		vr.format = SIG_FORMAT_DECIMAL;
		vr.digits = w->offline->digits;
		vr.allow_biometry = w->offline->allow_biometry;
	} else {
		if (sigdata_build(&w->data, req->method, req->uri_id,
		    w->h.nonce, req->body, req->bodylen,
		    w->app.app_secret) != 0)
			return SVC_INTERNAL;
		vr.signature = w->h.signature;
		vr.format = signature_format_for_version(w->h.version);
	}
	vr.keys = &k;
	vr.type = w->h.sig_type;
	vr.data = w->data.data;
	vr.datalen = w->data.len;
	vr.lookahead = (int)cfg->signature_lookahead;
	st.ctr = w->act.ctr;
	memcpy(st.ctr_data, w->act.ctr_data, sizeof(st.ctr_data));
	st.failed_attempts = w->act.failed_attempts;
	st.max_failed = w->act.max_failed_attempts;
	st.is_active = 1;
	if ((w->offline != NULL ? signature_verify_offline(&vr, &st, &out) :
	    signature_verify(&vr, &st, &out)) != 0)
		return SVC_INTERNAL;
	res->valid = out.valid;
	if (w->offline != NULL && out.valid)
		res->type = out.matched_type;
	res->remaining_attempts = out.remaining_attempts;
	res->blocked = out.block;
	if (out.block)
		res->subject.status = REG_BLOCKED;
	if (possession && !out.valid)
		pw.failures++;
	if (out.valid || out.state_changed || out.block || possession) {
		rc = store(db, &w->act, &out, &pw);
		OPENSSL_cleanse(&out, sizeof(out));
		if (rc != SVC_OK)
			return rc;
	}
	if (res->valid && req != NULL && req->on_valid != NULL) {
		struct sigauth_ctx c = { &w->h, &w->act, &w->keys, &w->app };

		if ((rc = req->on_valid(db, &c, req->arg)) != SVC_OK)
			return rc;
	}
	return SVC_OK;
}

/* The activation is within the caller's reach. */
static int
in_scope(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const char *app_id)
{
	if (scope == NULL || scope->admin)
		return DB_OK;
	return lookup_has_app(db, cfg, scope->caller_id, app_id);
}

void
auth_subject_set(struct auth_subject *s, const struct act_row *a,
    const char *roles)
{
	s->found = 1;
	memcpy(s->activation_id, a->id, sizeof(s->activation_id));
	s->status = a->status;
	memcpy(s->user_id, a->user_id, sizeof(s->user_id));
	memcpy(s->app_id, a->app_id, sizeof(s->app_id));
	memcpy(s->flags, a->flags, sizeof(s->flags));
	snprintf(s->roles, sizeof(s->roles), "%s", roles != NULL ? roles :
	    "[]");
}

/* What the caller learns about a found activation. */
static void
describe(const struct work *w, struct sigauth_result *res)
{
	res->remaining_attempts = w->act.max_failed_attempts >
	    w->act.failed_attempts ? w->act.max_failed_attempts -
	    w->act.failed_attempts : 0;
	auth_subject_set(&res->subject, &w->act, w->has_app &&
	    strcmp(w->act.app_id, w->app.id) == 0 ? w->app.roles : NULL);
}

/*
 * The locked part: find, scope, type, verify. Offline requests carry no
 * app key: the activation's own application is used.
 */
static enum svc_rc
locked(struct db *db, const struct config *cfg, const struct sigauth_req *req,
    const struct reg_scope *scope, struct work *w, struct sigauth_result *res)
{
	int dbrc;

	dbrc = act_lock(db, w->h.activation_id, &w->act);
	if (dbrc == DB_OK)
		dbrc = in_scope(db, cfg, scope, w->act.app_id);
	if (dbrc == DB_OK && w->offline != NULL) {
		dbrc = apps_get(db, w->act.app_id, &w->app);
		w->has_app = dbrc == DB_OK;
	}
	if (dbrc != DB_OK)
		return svc_from_db(dbrc, SVC_OK);	/* not found */
	describe(w, res);
	if (req != NULL && (req->allowed & SIGAUTH_TYPE(w->h.sig_type)) == 0)
		return SVC_OK;		/* type not allowed: not counted */
	return verify_locked(db, cfg, req, w, res);
}

/*
 * How often the verification runs in all when its transaction lost a
 * conflict. On Galera two nodes may verify signatures of one activation at
 * once: each locks its own copy of the row, the first commit wins and the
 * other fails certification (SVC_RETRY). The retry reads the row again and
 * verifies afresh against the counter the winner stored: a signature the
 * winner already used is then out of the window and refused, never
 * accepted twice.
 */
#define SIGAUTH_TXN_ATTEMPTS	16

/* One transaction around locked(). */
static enum svc_rc
transaction_once(struct db *db, const struct config *cfg,
    const struct sigauth_req *req, const struct reg_scope *scope,
    struct work *w, struct sigauth_result *res)
{
	enum svc_rc rc;
	int dbrc;

	if ((dbrc = db_begin(db)) != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	rc = locked(db, cfg, req, scope, w, res);
	if (rc == SVC_OK)
		rc = svc_from_db(db_commit(db), SVC_INTERNAL);
	else
		db_rollback(db);
	if (rc != SVC_OK)
		res->valid = 0;
	return rc;
}

/*
 * transaction_once(), again after a lost conflict: everything it did was
 * rolled back, the on_valid action included (it only writes in the
 * transaction and replaces what it leaves in its argument, sigauth.h), so
 * the attempt starts from the state it started from.
 */
static enum svc_rc
transaction(struct db *db, const struct config *cfg,
    const struct sigauth_req *req, const struct reg_scope *scope,
    struct work *w, struct sigauth_result *res)
{
	struct sigauth_result start = *res;
	enum svc_rc rc;
	int attempt;

	for (attempt = 1;; attempt++) {
		rc = transaction_once(db, cfg, req, scope, w, res);
		if (rc != SVC_RETRY || attempt == SIGAUTH_TXN_ATTEMPTS)
			return rc;
		*res = start;
		if (w->data.data != NULL)
			OPENSSL_cleanse(w->data.data, w->data.cap);
		buf_reset(&w->data);
		OPENSSL_cleanse(&w->keys, sizeof(w->keys));
		svc_retry_pause(attempt + 1);
	}
}

enum svc_rc
sigauth_verify(struct db *db, const struct config *cfg,
    const struct sigauth_req *req, struct sigauth_result *res,
    const char **why)
{
	struct work *w;
	enum hdr_err he;
	enum svc_rc rc;
	int dbrc;

	memset(res, 0, sizeof(res[0]));
	res->subject.status = REG_REMOVED;
	*why = NULL;
	if (req->header == NULL) {
		*why = "signature header missing";
		return SVC_INVALID;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return SVC_INTERNAL;
	if ((he = hdr_auth_parse(req->header, strlen(req->header),
	    &w->h)) != HDR_OK) {
		*why = hdr_err_str(he);
		rc = SVC_INVALID;
		goto done;
	}
	memcpy(res->subject.activation_id, w->h.activation_id,
	    sizeof(res->subject.activation_id));
	res->type = w->h.sig_type;
	res->version = w->h.version;
	dbrc = lookup_app_by_key(db, cfg, w->h.app_key, &w->app);
	if (dbrc != DB_OK && dbrc != DB_NOT_FOUND) {
		rc = svc_from_db(dbrc, SVC_INTERNAL);
		goto done;
	}
	w->has_app = dbrc == DB_OK;
	rc = transaction(db, cfg, req, req->scope, w, res);
done:
	work_free(w);
	return rc;
}

/* Offline data: parses as normalised request data without a secret. */
static int
offline_data_ok(const char *data)
{
	struct sigdata_parts p;
	int ok;

	memset(&p, 0, sizeof(p));
	ok = data != NULL && sigdata_parse(data, strlen(data), &p) == 0 &&
	    p.secret[0] == '\0';
	sigdata_parts_free(&p);
	return ok;
}

/* n components of digits decimal digits joined by '-' (n = 1..3). */
static int
offline_signature_ok(const char *s, int digits)
{
	size_t len = s != NULL ? strlen(s) : 0, i;

	if (digits < SIGNATURE_DIGITS_MIN || digits > SIGNATURE_DIGITS_MAX ||
	    len == 0 || len > SIGNATURE_MAX_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if ((i + 1) % (size_t)(digits + 1) == 0 ? s[i] != '-' :
		    (s[i] < '0' || s[i] > '9'))
			return 0;
	return (len + 1) % (size_t)(digits + 1) == 0;
}

enum svc_rc
sigauth_verify_offline(struct db *db, const struct config *cfg,
    const struct sigauth_offline_req *req, struct sigauth_result *res,
    const char **why)
{
	struct work *w;
	enum svc_rc rc;

	memset(res, 0, sizeof(res[0]));
	res->subject.status = REG_REMOVED;
	res->type = HDR_SIG_POSSESSION_KNOWLEDGE;
	*why = NULL;
	if (req->activation_id == NULL || !hdr_uuid_valid(req->activation_id,
	    strlen(req->activation_id)))
		*why = "registrationId is not a UUID";
	else if (!offline_data_ok(req->data))
		*why = "data is not METHOD&b64(uriId)&nonce&b64(body)";
	else if (!offline_signature_ok(req->signature, req->digits))
		*why = "signature is not decimal components of the given length";
	if (*why != NULL)
		return SVC_INVALID;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return SVC_INTERNAL;
	w->offline = req;
	snprintf(w->h.activation_id, sizeof(w->h.activation_id), "%s",
	    req->activation_id);
	w->h.sig_type = HDR_SIG_POSSESSION_KNOWLEDGE;
	memcpy(res->subject.activation_id, w->h.activation_id,
	    sizeof(res->subject.activation_id));
	rc = transaction(db, cfg, NULL, req->scope, w, res);
	work_free(w);
	return rc;
}

enum svc_rc
sigauth_signed_call(struct db *db, const struct config *cfg,
    const char *header, const char *uri_id, const uint8_t *body,
    size_t bodylen, unsigned allowed,
    enum svc_rc (*on_valid)(struct db *, const struct sigauth_ctx *, void *),
    void *arg, struct sigauth_result *res)
{
	struct sigauth_req req;
	struct sigauth_result own;
	const char *why;
	enum svc_rc rc;

	if (res == NULL)
		res = &own;
	memset(&req, 0, sizeof(req));
	req.header = header;
	req.method = "POST";
	req.uri_id = uri_id;
	req.body = body;
	req.bodylen = bodylen;
	req.allowed = allowed;
	req.on_valid = on_valid;
	req.arg = arg;
	rc = sigauth_verify(db, cfg, &req, res, &why);
	if (rc == SVC_INVALID || (rc == SVC_OK && !res->valid))
		return SVC_AUTH_FAILED;
	return rc;
}

enum svc_rc
sigauth_open_ecies(struct db *db, const struct config *cfg,
    const struct sigauth_ctx *c, enum ecies_sh1 sh1, json_object *envelope,
    struct ecies_ctx *ecies, struct buf *plain)
{
	struct ecies_server_in in;

	memset(&in, 0, sizeof(in));
	in.version = c->header->version;
	in.sh1 = sh1;
	in.app = c->app;
	in.act = c->act;
	in.keys = c->keys;
	return ecies_server_open(db, cfg, &in, envelope, ecies, plain);
}
