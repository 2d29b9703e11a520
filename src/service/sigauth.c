/* sigauth.c - signature verification with bookkeeping (see sigauth.h). */
#include <config.h>

#include "service/sigauth.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "crypto/keys.h"
#include "crypto/sigdata.h"
#include "crypto/signature.h"
#include "service/secrets.h"
#include "store/apps.h"

#define BLOCK_REASON_MAX_FAILED	"MAX_FAILED_ATTEMPTS"

/* Everything one verification holds (kept off the stack, wiped). */
struct work {
	struct hdr_auth	 h;
	struct app_row	 app;
	struct act_row	 act;
	struct pa_keys	 keys;
	struct buf	 data;
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
	struct act_counter c;
	enum svc_rc rc;
	int dbrc;

	if (w->act.status != REG_ACTIVE || !w->act.has_ctr_data ||
	    strcmp(w->act.app_id, w->app.id) != 0)
		return SVC_OK;		/* not valid, nothing to count */
	if (secret_activation_keys(cfg, &w->act, &w->keys) != 0 ||
	    sigdata_build(&w->data, req->method, req->uri_id, w->h.nonce,
	    req->body, req->bodylen, w->app.app_secret) != 0)
		return SVC_INTERNAL;
	memset(&vr, 0, sizeof(vr));
	memset(&st, 0, sizeof(st));
	vr.keys = &k;
	vr.type = w->h.sig_type;
	vr.data = w->data.data;
	vr.datalen = w->data.len;
	vr.signature = w->h.signature;
	vr.format = signature_format_for_version(w->h.version);
	vr.lookahead = (int)cfg->signature_lookahead;
	st.ctr = w->act.ctr;
	memcpy(st.ctr_data, w->act.ctr_data, sizeof(st.ctr_data));
	st.failed_attempts = w->act.failed_attempts;
	st.max_failed = w->act.max_failed_attempts;
	st.is_active = 1;
	if (signature_verify(&vr, &st, &out) != 0)
		return SVC_INTERNAL;
	res->valid = out.valid;
	res->remaining_attempts = out.remaining_attempts;
	res->blocked = out.block;
	if (out.valid || out.state_changed) {
		memset(&c, 0, sizeof(c));
		c.id = w->act.id;
		c.ctr = out.ctr_next;
		c.ctr_data = out.ctr_data_next;
		c.failed_attempts = out.failed_attempts;
		c.block = out.block;
		c.blocked_reason = out.block ? BLOCK_REASON_MAX_FAILED : NULL;
		c.used = out.valid;
		dbrc = act_store_counter(db, &c);
		OPENSSL_cleanse(&out, sizeof(out));
		if (dbrc != DB_OK)
			return svc_from_db(dbrc, SVC_INTERNAL);
	}
	if (res->valid && req->on_valid != NULL &&
	    (rc = req->on_valid(db, &w->act, req->arg)) != SVC_OK)
		return rc;
	return SVC_OK;
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
	memcpy(res->activation_id, w->h.activation_id,
	    sizeof(res->activation_id));
	res->type = w->h.sig_type;
	rc = SVC_OK;
	if ((req->allowed & SIGAUTH_TYPE(w->h.sig_type)) == 0)
		goto done;
	dbrc = apps_get_by_key(db, w->h.app_key, &w->app);
	if (dbrc != DB_OK) {
		rc = svc_from_db(dbrc, SVC_OK);
		goto done;
	}
	if ((dbrc = db_begin(db)) != DB_OK) {
		rc = svc_from_db(dbrc, SVC_INTERNAL);
		goto done;
	}
	dbrc = act_lock(db, w->h.activation_id, &w->act);
	if (dbrc == DB_OK)
		rc = verify_locked(db, cfg, req, w, res);
	else
		rc = svc_from_db(dbrc, SVC_OK);
	if (rc == SVC_OK && dbrc == DB_OK)
		rc = svc_from_db(db_commit(db), SVC_INTERNAL);
	else
		db_rollback(db);
	if (rc != SVC_OK)
		res->valid = 0;
done:
	work_free(w);
	return rc;
}
