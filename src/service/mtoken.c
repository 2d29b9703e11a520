/* mtoken.c - the Mobile Token list and detail (see mtoken.h). */
#include <config.h>

#include "service/mtoken.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "common/uuid.h"
#include "service/operations.h"
#include "service/sigauth.h"
#include "service/tokens.h"
#include "store/operations.h"
#include "store/templates.h"

void
mtoken_date(int64_t ms, char out[32])
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&s, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%S+0000", &tm) == 0)
		strcpy(out, "1970-01-01T00:00:00+0000");
}

/* tpl with the operation's parameters filled in. */
static json_object *
filled(const char *tpl, json_object *params)
{
	struct buf b = BUF_INIT;
	json_object *s = NULL;

	if (operation_fill(tpl, operation_param_text, params, &b) == 0)
		s = json_object_new_string(buf_cstr(&b));
	buf_free(&b);
	return s;
}

static const char *
currency_symbol(const char *code)
{
	static const char *const map[][2] = {
		{ "EUR", "€" }, { "USD", "$" }, { "CZK", "Kč" }, { "GBP", "£" },
		{ NULL, NULL }
	};
	size_t i;

	for (i = 0; map[i][0] != NULL; i++)
		if (strcmp(map[i][0], code) == 0)
			return map[i][1];
	return code;
}

/* "1234.5" -> 1234.5 with two decimals in the locale; -1 if not a number. */
static int
format_amount(const char *s, const char *lang, double *num, char *out,
    size_t cap)
{
	char *end;
	size_t i;

	if (s[0] == '\0' || strspn(s, "-0123456789.") != strlen(s))
		return -1;
	*num = strtod(s, &end);
	if (*end != '\0')
		return -1;
	snprintf(out, cap, "%.2f", *num);
	if (strcmp(lang, "cs") == 0)
		for (i = 0; out[i] != '\0'; i++)
			if (out[i] == '.')
				out[i] = ',';
	return 0;
}

static json_object *
amount_attr(json_object *a, json_object *params, const char *lang,
    json_object *pmap)
{
	json_object *v, *o;
	const char *amount = NULL, *currency = NULL, *sym;
	char fmt[64], value[128];
	double num;

	if (json_object_object_get_ex(pmap, "amount", &v))
		amount = operation_param(params, json_object_get_string(v));
	if (json_object_object_get_ex(pmap, "currency", &v))
		currency = operation_param(params,
		    json_object_get_string(v));
	if (amount == NULL || currency == NULL)
		return NULL;		/* both required, else dropped */
	o = a;
	json_object_object_add(o, "currency", json_object_new_string(currency));
	sym = currency_symbol(currency);
	json_object_object_add(o, "currencyFormatted",
	    json_object_new_string(sym));
	if (format_amount(amount, lang, &num, fmt, sizeof(fmt)) == 0)
		json_object_object_add(o, "amount",
		    json_object_new_double(num));
	else
		snprintf(fmt, sizeof(fmt), "%s", amount);
	json_object_object_add(o, "amountFormatted",
	    json_object_new_string(fmt));
	snprintf(value, sizeof(value), "%s %s", fmt, sym);
	json_object_object_add(o, "valueFormatted",
	    json_object_new_string(value));
	return o;
}

/* The operation parameter a template maps field to (NULL: none). */
static const char *
mapped(json_object *params, json_object *pmap, const char *field)
{
	json_object *v;

	if (pmap == NULL || !json_object_object_get_ex(pmap, field, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return operation_param(params, json_object_get_string(v));
}

static void
add_mapped(json_object *o, const char *key, json_object *params,
    json_object *pmap, const char *field)
{
	const char *v = mapped(params, pmap, field);

	if (v != NULL)
		json_object_object_add(o, key, json_object_new_string(v));
}

/* One side of an AMOUNT_CONVERSION: prefix "source" or "target". */
static int
conversion_side(json_object *o, json_object *params, json_object *pmap,
    const char *lang, const char *prefix)
{
	char k1[32], k2[32], key[48], fmt[64], value[128];
	const char *amount, *currency, *sym;
	double num;

	snprintf(k1, sizeof(k1), "%sAmount", prefix);
	snprintf(k2, sizeof(k2), "%sCurrency", prefix);
	if ((amount = mapped(params, pmap, k1)) == NULL ||
	    (currency = mapped(params, pmap, k2)) == NULL)
		return -1;
	sym = currency_symbol(currency);
	json_object_object_add(o, k2, json_object_new_string(currency));
	if (format_amount(amount, lang, &num, fmt, sizeof(fmt)) == 0)
		json_object_object_add(o, k1, json_object_new_double(num));
	else
		snprintf(fmt, sizeof(fmt), "%s", amount);
	snprintf(key, sizeof(key), "%sAmountFormatted", prefix);
	json_object_object_add(o, key, json_object_new_string(fmt));
	snprintf(key, sizeof(key), "%sCurrencyFormatted", prefix);
	json_object_object_add(o, key, json_object_new_string(sym));
	snprintf(key, sizeof(key), "%sValueFormatted", prefix);
	snprintf(value, sizeof(value), "%s %s", fmt, sym);
	json_object_object_add(o, key, json_object_new_string(value));
	return 0;
}

/* ALERT, PARTY_INFO, IMAGE, AMOUNT_CONVERSION; 1 when type is none of
 * them, 0 filled, -1 dropped (a required parameter is missing). */
static int
other_attr(json_object *o, const char *type, json_object *params,
    json_object *pmap, const char *lang)
{
	json_object *party, *dyn;
	const char *v;

	if (strcmp(type, "ALERT") == 0) {
		v = mapped(params, pmap, "type");
		json_object_object_add(o, "alertType", json_object_new_string(
		    v != NULL && (strcmp(v, "SUCCESS") == 0 ||
		    strcmp(v, "WARNING") == 0 || strcmp(v, "ERROR") == 0) ? v :
		    "INFO"));
		add_mapped(o, "title", params, pmap, "title");
		add_mapped(o, "message", params, pmap, "message");
	} else if (strcmp(type, "PARTY_INFO") == 0) {
		if ((party = json_object_new_object()) == NULL)
			return -1;
		add_mapped(party, "logoUrl", params, pmap, "logoUrl");
		add_mapped(party, "name", params, pmap, "name");
		add_mapped(party, "description", params, pmap, "description");
		add_mapped(party, "websiteUrl", params, pmap, "websiteUrl");
		json_object_object_add(o, "partyInfo", party);
	} else if (strcmp(type, "IMAGE") == 0) {
		if (mapped(params, pmap, "thumbnailUrl") == NULL)
			return -1;
		add_mapped(o, "thumbnailUrl", params, pmap, "thumbnailUrl");
		add_mapped(o, "originalUrl", params, pmap, "originalUrl");
	} else if (strcmp(type, "AMOUNT_CONVERSION") == 0) {
		v = mapped(params, pmap, "dynamic");
		dyn = json_object_new_boolean(v != NULL &&
		    strcmp(v, "true") == 0);
		json_object_object_add(o, "dynamic", dyn);
		if (conversion_side(o, params, pmap, lang, "source") != 0 ||
		    conversion_side(o, params, pmap, lang, "target") != 0)
			return -1;
	} else
		return 1;
	json_object_object_add(o, "type", json_object_new_string(type));
	return 0;
}

/* One formData attribute from its template; NULL when dropped. */
static json_object *
attribute(json_object *tpl, json_object *params, const char *lang)
{
	json_object *o, *v, *pmap = NULL;
	const char *type = "KEY_VALUE", *field = NULL, *val;

	if (json_object_object_get_ex(tpl, "type", &v) &&
	    json_object_is_type(v, json_type_string))
		type = json_object_get_string(v);
	(void)json_object_object_get_ex(tpl, "params", &pmap);
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_get_ex(tpl, "id", &v))
		json_object_object_add(o, "id", json_object_get(v));
	if (json_object_object_get_ex(tpl, "text", &v))
		json_object_object_add(o, "label", json_object_get(v));
	if (strcmp(type, "AMOUNT") == 0) {
		json_object_object_add(o, "type",
		    json_object_new_string("AMOUNT"));
		if (amount_attr(o, params, lang, pmap) != NULL)
			return o;
		json_object_put(o);
		return NULL;
	}
	if (strcmp(type, "HEADING") == 0) {
		json_object_object_add(o, "type",
		    json_object_new_string("HEADING"));
		if ((val = mapped(params, pmap, "level")) != NULL)
			json_object_object_add(o, "level",
			    json_object_new_int(atoi(val)));
		return o;
	}
	switch (other_attr(o, type, params, pmap, lang)) {
	case 0:
		return o;
	case -1:
		json_object_put(o);
		return NULL;
	default:
		break;
	}
	field = strcmp(type, "NOTE") == 0 ? "note" : "value";
	json_object_object_add(o, "type", json_object_new_string(
	    strcmp(type, "NOTE") == 0 ? "NOTE" : "KEY_VALUE"));
	if ((val = mapped(params, pmap, field)) == NULL) {
		json_object_put(o);
		return NULL;		/* missing: dropped */
	}
	json_object_object_add(o, field, json_object_new_string(val));
	return o;
}

static json_object *
form_data(const struct op_display *d, json_object *params, const char *lang)
{
	json_object *f = json_object_new_object(), *tpls, *attrs, *rt, *a;
	size_t i, n;

	if (f == NULL)
		return NULL;
	json_object_object_add(f, "title", filled(d->title, params));
	json_object_object_add(f, "message", filled(d->message, params));
	if ((rt = json_tokener_parse(d->result_texts)) != NULL)
		json_object_object_add(f, "resultTexts", rt);
	attrs = json_object_new_array();
	tpls = json_tokener_parse(d->attributes);
	n = tpls != NULL && json_object_is_type(tpls, json_type_array) ?
	    json_object_array_length(tpls) : 0;
	for (i = 0; attrs != NULL && i < n; i++)
		if ((a = attribute(json_object_array_get_idx(tpls, i), params,
		    lang)) != NULL)
			json_object_array_add(attrs, a);
	json_object_put(tpls);
	json_object_object_add(f, "attributes", attrs);
	return f;
}

static json_object *
allowed_types(const char *json)
{
	static const char *const variants2fa[] = { "possession_knowledge",
	    "possession_biometry" };
	json_object *a = json_tokener_parse(json), *o, *variants, *v;
	size_t i, k, n;
	int one_factor = 0, has[2] = { 0, 0 };

	o = json_object_new_object();
	variants = json_object_new_array();
	n = a != NULL && json_object_is_type(a, json_type_array) ?
	    json_object_array_length(a) : 0;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(a, i);
		if (strcasecmp(json_object_get_string(v), "possession") == 0)
			one_factor = 1;
		for (k = 0; k < 2; k++)
			if (strcasecmp(json_object_get_string(v),
			    variants2fa[k]) == 0)
				has[k] = 1;
	}
	/* The SDKs know these two variants only (api.md §3.6.1). */
	for (k = 0; !one_factor && k < 2; k++)
		if (has[k])
			json_object_array_add(variants,
			    json_object_new_string(variants2fa[k]));
	json_object_object_add(o, "type",
	    json_object_new_string(one_factor ? "1FA" : "2FA"));
	json_object_object_add(o, "variants", variants);
	json_object_put(a);
	return o;
}

/* A parameter's value escaped for a JSON string (for ui templates). */
struct json_fill {
	json_object	*params;
	char		*last;	/* the escaped text returned last */
};

static const char *
param_json_text(void *arg, const char *name, size_t n)
{
	struct json_fill *f = arg;
	json_object *v;
	const char *s;
	size_t len;

	free(f->last);
	f->last = NULL;
	v = json_object_new_string(operation_param_text(f->params, name, n));
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_NOSLASHESCAPE);
	/* Without the quotes: the template has them. */
	if (s != NULL && (len = strlen(s)) >= 2 &&
	    (f->last = malloc(len - 1)) != NULL) {
		memcpy(f->last, s + 1, len - 2);
		f->last[len - 2] = '\0';
	}
	json_object_put(v);
	return f->last;
}

/*
 * The ui extension (api.md §3.6.3): the display template's, with the
 * parameters filled in JSON-escaped and a QR_SCAN pre-approval screen
 * dropped when the operation has no proximity check; else one made from
 * the operation's risk flags; else none (NULL).
 */
static json_object *
ui_json(const struct op_row *r, const struct op_display *d,
    json_object *params)
{
	struct json_fill f = { params, NULL };
	struct buf b = BUF_INIT;
	json_object *ui = NULL, *pre, *type, *scr;

	if (d->ui[0] != '\0') {
		if (operation_fill(d->ui, param_json_text, &f, &b) == 0)
			ui = json_tokener_parse(buf_cstr(&b));
		free(f.last);
		buf_free(&b);
		if (ui != NULL && json_object_object_get_ex(ui,
		    "preApprovalScreen", &pre) && json_object_object_get_ex(pre,
		    "type", &type) && strcmp(json_object_get_string(type),
		    "QR_SCAN") == 0 && r->totp_seed_enc[0] == '\0')
			json_object_object_del(ui, "preApprovalScreen");
		return ui;
	}
	if (r->risk_flags[0] == '\0' || (ui = json_object_new_object()) ==
	    NULL)
		return NULL;
	if (strchr(r->risk_flags, 'X') != NULL)
		json_object_object_add(ui, "flipButtons",
		    json_object_new_boolean(1));
	if (strchr(r->risk_flags, 'C') != NULL)
		json_object_object_add(ui, "blockApprovalOnCall",
		    json_object_new_boolean(1));
	if (strchr(r->risk_flags, 'F') != NULL &&
	    (scr = json_object_new_object()) != NULL) {
		json_object_object_add(scr, "type",
		    json_object_new_string("WARNING"));
		json_object_object_add(scr, "approvalType",
		    json_object_new_string("SLIDER"));
		json_object_object_add(ui, "preApprovalScreen", scr);
	}
	return ui;
}

/* The UserOperation of api.md §3.6.1. */
static json_object *
user_operation(const struct op_row *r, int status, const struct op_display *d,
    const char *lang)
{
	json_object *o = json_object_new_object(), *params, *ui;
	char date[32];

	if (o == NULL)
		return NULL;
	params = json_tokener_parse(r->parameters);
	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "name",
	    json_object_new_string(r->operation_type));
	json_object_object_add(o, "data", json_object_new_string(r->data));
	json_object_object_add(o, "status",
	    json_object_new_string(operation_status_name(status)));
	if (r->status_reason[0] != '\0')
		json_object_object_add(o, "statusReason",
		    json_object_new_string(r->status_reason));
	mtoken_date(r->created_ms, date);
	json_object_object_add(o, "operationCreated",
	    json_object_new_string(date));
	mtoken_date(r->expires_ms, date);
	json_object_object_add(o, "operationExpires",
	    json_object_new_string(date));
	json_object_object_add(o, "allowedSignatureType",
	    allowed_types(r->signature_types));
	json_object_object_add(o, "formData", form_data(d, params, lang));
	if ((ui = ui_json(r, d, params)) != NULL)
		json_object_object_add(o, "ui", ui);
	json_object_put(params);
	return o;
}

struct list_ctx {
	struct db	*db;
	const char	*lang;
	json_object	*arr;
	struct op_display disp;
	/* disp belongs to this type (most lists are one or two types:
	 * one lookup each, not one per operation) */
	char		 disp_type[OP_NAME_MAX + 1];
	int		 disp_rc;
};

static int
list_one(const struct op_row *r, void *arg)
{
	struct list_ctx *lc = arg;
	json_object *o;
	int rc, status = r->status;

	if (status == OP_PENDING && r->expires_ms <= time_now_ms())
		status = OP_EXPIRED;
	if (strcmp(lc->disp_type, r->operation_type) != 0) {
		lc->disp_rc = op_display_get(lc->db, r->operation_type,
		    lc->lang, &lc->disp);
		memcpy(lc->disp_type, r->operation_type,
		    sizeof(lc->disp_type));
	}
	rc = lc->disp_rc;
	if (rc == DB_NOT_FOUND)
		return 0;	/* no display template: not shown */
	if (rc != DB_OK || (o = user_operation(r, status, &lc->disp,
	    lc->lang)) == NULL)
		return -1;
	return json_object_array_add(lc->arr, o) == 0 ? 0 : -1;
}

/* The token's activation, or SVC_AUTH_FAILED. */
static enum svc_rc
authenticate(struct db *db, const struct config *cfg, const char *header,
    struct token_result *t)
{
	const char *why;
	enum svc_rc rc = token_check(db, cfg, header, NULL, t, &why);

	if (rc == SVC_INVALID || (rc == SVC_OK && !t->valid))
		return SVC_AUTH_FAILED;
	return rc;
}

enum svc_rc
mtoken_list(struct db *db, const struct config *cfg, const char *header,
    const char *language, json_object **out)
{
	struct token_result *t = NULL;
	struct list_ctx *lc = NULL;
	enum svc_rc rc = SVC_INTERNAL;
	int dbrc;

	*out = NULL;
	if ((t = malloc(sizeof(*t))) == NULL ||
	    (lc = calloc(1, sizeof(*lc))) == NULL)
		goto done;
	if ((rc = authenticate(db, cfg, header, t)) != SVC_OK)
		goto done;
	lc->db = db;
	lc->lang = language != NULL ? language : "en";
	if ((lc->arr = json_object_new_array()) == NULL) {
		rc = SVC_INTERNAL;
		goto done;
	}
	dbrc = op_list_for_device(db, t->subject.user_id, t->subject.app_id,
	    t->subject.activation_id, MTOKEN_LIST_MAX, list_one, lc);
	if ((rc = svc_from_db(dbrc, SVC_INTERNAL)) == SVC_OK) {
		*out = lc->arr;
		lc->arr = NULL;
	}
done:
	if (lc != NULL)
		json_object_put(lc->arr);
	free(lc);
	free(t);
	return rc;
}

/* Renders operation id (no ownership check) for the phone. */
static enum svc_rc
render_one(struct db *db, const struct config *cfg, const char *lang,
    struct operation *op, json_object **out)
{
	struct op_display *d;
	enum svc_rc rc;

	if ((d = malloc(sizeof(*d))) == NULL)
		return SVC_INTERNAL;
	(void)cfg;
	rc = svc_from_db(op_display_get(db, op->row.operation_type, lang, d),
	    SVC_INVALID);
	if (rc == SVC_OK && (*out = user_operation(&op->row, op->status, d,
	    lang)) == NULL)
		rc = SVC_INTERNAL;
	free(d);
	return rc;
}

enum svc_rc
mtoken_detail(struct db *db, const struct config *cfg, const char *header,
    const char *language, const char *id, json_object **out)
{
	struct reg_scope all = { 0, 1 };
	struct token_result *t = NULL;
	struct operation *op = NULL;
	const char *lang = language != NULL ? language : "en";
	enum svc_rc rc = SVC_INTERNAL;

	*out = NULL;
	if ((t = malloc(sizeof(*t))) == NULL ||
	    (op = malloc(sizeof(*op))) == NULL)
		goto done;
	if ((rc = authenticate(db, cfg, header, t)) != SVC_OK)
		goto done;
	rc = operation_get(db, cfg, &all, id, op);
	if (rc == SVC_OP_NOT_FOUND || (rc == SVC_OK &&
	    (strcmp(op->row.user_id, t->subject.user_id) != 0 ||
	    strcmp(op->row.app_id, t->subject.app_id) != 0))) {
		rc = SVC_INVALID;	/* another user's reads as unknown */
		goto done;
	}
	if (rc != SVC_OK)
		goto done;
	rc = render_one(db, cfg, lang, op, out);
done:
	free(op);
	free(t);
	return rc;
}

static enum svc_rc
history_now(struct db *db, const struct sigauth_ctx *c, void *arg)
{
	struct list_ctx *lc = arg;
	size_t n = json_object_array_length(lc->arr);

	/* A rerun after a lost conflict (sigauth.h) starts afresh. */
	if (n > 0 && json_object_array_del_idx(lc->arr, 0, n) != 0)
		return SVC_INTERNAL;
	return svc_from_db(op_history(db, c->act->user_id, c->act->app_id,
	    MTOKEN_LIST_MAX, list_one, lc), SVC_INTERNAL);
}

enum svc_rc
mtoken_history(struct db *db, const struct config *cfg,
    const char *auth_header, const uint8_t *body, size_t bodylen,
    const char *language, json_object **out)
{
	struct list_ctx *lc;
	enum svc_rc rc;

	*out = NULL;
	if ((lc = calloc(1, sizeof(*lc))) == NULL)
		return SVC_INTERNAL;
	lc->db = db;
	lc->lang = language != NULL ? language : "en";
	if ((lc->arr = json_object_new_array()) == NULL) {
		free(lc);
		return SVC_INTERNAL;
	}
	rc = sigauth_signed_call(db, cfg, auth_header, "/operation/history",
	    body, bodylen, SIGAUTH_TYPE(HDR_SIG_POSSESSION_KNOWLEDGE) |
	    SIGAUTH_TYPE(HDR_SIG_POSSESSION_BIOMETRY), history_now, lc, NULL);
	if (rc == SVC_OK) {
		*out = lc->arr;
		lc->arr = NULL;
	}
	json_object_put(lc->arr);
	free(lc);
	return rc;
}

/* Claims the operation for the token's user, in one transaction. */
static enum svc_rc
claim_once(struct db *db, const struct token_result *t, const char *id,
    struct operation *op)
{
	struct reg_scope all = { 0, 1 };
	enum svc_rc rc;
	int dbrc;

	if ((dbrc = db_begin(db)) != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	rc = svc_from_db(op_lock(db, &all, id, &op->row), SVC_INVALID);
	op->status = op->row.status;
	if (op->status == OP_PENDING && op->row.expires_ms <= time_now_ms())
		op->status = OP_EXPIRED;
	if (rc == SVC_OK && strcmp(op->row.app_id, t->subject.app_id) != 0)
		rc = SVC_INVALID;
	if (rc == SVC_OK && op->row.user_id[0] == '\0') {
		rc = svc_from_db(op_claim(db, id, t->subject.user_id),
		    SVC_INVALID);
		memcpy(op->row.user_id, t->subject.user_id,
		    sizeof(op->row.user_id));
	} else if (rc == SVC_OK &&
	    strcmp(op->row.user_id, t->subject.user_id) != 0)
		rc = SVC_INVALID;	/* someone else's */
	if (rc == SVC_OK)
		rc = svc_from_db(db_commit(db), SVC_INTERNAL);
	else
		db_rollback(db);
	return rc;
}

/* claim_once(), again after a lost conflict (rolled back as a whole). */
static enum svc_rc
claim_locked(struct db *db, const struct token_result *t, const char *id,
    struct operation *op)
{
	enum svc_rc rc;
	int attempt;

	for (attempt = 1;; attempt++) {
		rc = claim_once(db, t, id, op);
		if (rc != SVC_RETRY || attempt == SVC_TXN_ATTEMPTS)
			return rc;
		svc_retry_pause(attempt + 1);
	}
}

enum svc_rc
mtoken_claim(struct db *db, const struct config *cfg, const char *header,
    const char *language, const char *id, json_object **out)
{
	struct token_result *t = NULL;
	struct operation *op = NULL;
	enum svc_rc rc = SVC_INTERNAL;

	*out = NULL;
	if (id == NULL || !uuid_is_valid(id))
		return SVC_INVALID;
	if ((t = malloc(sizeof(*t))) == NULL ||
	    (op = malloc(sizeof(*op))) == NULL)
		goto done;
	if ((rc = authenticate(db, cfg, header, t)) != SVC_OK)
		goto done;
	if ((rc = claim_locked(db, t, id, op)) != SVC_OK)
		goto done;
	/* The claimed operation as the detail shows it. */
	rc = render_one(db, cfg, language != NULL ? language : "en", op, out);
done:
	free(op);
	free(t);
	return rc;
}
