/* templates.c - rules for operation and display templates (templates.h). */
#include <config.h>

#include "service/templates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JSON_FLAGS \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* The factor combinations a PowerAuth signature can have. */
static const char *const SIGNATURE_TYPES[] = {
	"possession", "knowledge", "biometry", "possession_knowledge",
	"possession_biometry", "possession_knowledge_biometry"
};
#define NSIGNATURE_TYPES (sizeof(SIGNATURE_TYPES) / sizeof(SIGNATURE_TYPES[0]))

/* Attribute types the phone knows and the parameter keys each reads. */
static const struct {
	const char	*type;
	const char	*keys[6];
} ATTRIBUTE_TYPES[] = {
	{ "AMOUNT", { "amount", "currency" } },
	{ "AMOUNT_CONVERSION", { "dynamic", "sourceAmount", "sourceCurrency",
	    "targetAmount", "targetCurrency" } },
	{ "KEY_VALUE", { "value" } },
	{ "NOTE", { "note" } },
	{ "HEADING", { "level" } },
	{ "ALERT", { "type", "title", "message" } },
	{ "PARTY_INFO", { "logoUrl", "name", "description", "websiteUrl" } },
	{ "IMAGE", { "thumbnailUrl", "originalUrl" } },
};
#define NATTRIBUTE_TYPES (sizeof(ATTRIBUTE_TYPES) / sizeof(ATTRIBUTE_TYPES[0]))

static const char *const PRE_APPROVAL_TYPES[] = { "WARNING", "INFO",
    "QR_SCAN", NULL };
static const char *const POST_APPROVAL_TYPES[] = { "REVIEW",
    "MERCHANT_REDIRECT", "GENERIC", NULL };

/* --- operation templates ------------------------------------------------ */

/*
 * The operation data grammar: a header A<0-99> alone or followed by
 * `*`-separated fields; placeholders ${name} with a parameter name.
 */
static const char *
data_template_problem(const char *s)
{
	const char *p, *close;
	size_t i, n = strlen(s);

	if (n == 0 || n > OP_DATA_TEMPLATE_MAX)
		return "dataTemplate must be 1 to 1024 characters";
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "dataTemplate must not contain control "
			    "characters";
	i = 1;
	while (i < 3 && s[i] >= '0' && s[i] <= '9')
		i++;
	if (s[0] != 'A' || i == 1 || (s[i] != '\0' && s[i] != '*'))
		return "dataTemplate must start with the header A<0-99> "
		    "(e.g. A1*A${amount}${currency})";
	for (p = s; (p = strstr(p, "${")) != NULL; p = close + 1) {
		if ((close = strchr(p + 2, '}')) == NULL)
			return "dataTemplate has a ${ without its }";
		for (i = 2; p + i < close; i++)
			if (!svc_ident_char((unsigned char)p[i]))
				break;
		if (p + i != close || i == 2 || i - 2 > OP_NAME_MAX)
			return "dataTemplate placeholders are ${name} with a "
			    "name of [A-Za-z0-9._-]{1,64}";
	}
	return NULL;
}

/* The signature types as a JSON array of lower-case names into out. */
static const char *
signature_types_json(const struct template_req *r, char *out, size_t cap)
{
	static const char *const dflt[] = { "possession_knowledge",
	    "possession_biometry" };
	const char *seen[TEMPLATE_SIGNATURE_TYPES_MAX];
	size_t i, j, k;

	if (r->signature_types == NULL)
		return svc_strings_to_json(dflt, 2, out, cap) == 0 ? NULL :
		    "signatureTypes do not fit";
	if (r->nsignature_types == 0 ||
	    r->nsignature_types > TEMPLATE_SIGNATURE_TYPES_MAX)
		return "signatureTypes must list 1 to 6 signature types";
	for (i = 0; i < r->nsignature_types; i++) {
		for (j = 0; j < NSIGNATURE_TYPES; j++)
			if (strcasecmp(r->signature_types[i],
			    SIGNATURE_TYPES[j]) == 0)
				break;
		if (j == NSIGNATURE_TYPES)
			return "signatureTypes items must be possession, "
			    "knowledge, biometry, possession_knowledge, "
			    "possession_biometry or "
			    "possession_knowledge_biometry";
		for (k = 0; k < i; k++)
			if (seen[k] == SIGNATURE_TYPES[j])
				return "signatureTypes must not repeat a type";
		seen[i] = SIGNATURE_TYPES[j];
	}
	return svc_strings_to_json(seen, r->nsignature_types, out, cap) == 0 ?
	    NULL : "signatureTypes do not fit";
}

static const char *
risk_flags_problem(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (strchr("XFC", s[i]) == NULL || strchr(s + i + 1, s[i]) !=
		    NULL)
			return "riskFlags must be distinct letters of X, F, C";
	return NULL;
}

const char *
template_check(const struct template_req *r, struct op_template *t)
{
	const char *why;

	memset(t, 0, sizeof(*t));
	if (r->name == NULL || !svc_ident_valid(r->name, OP_NAME_MAX))
		return "name must be 1 to 64 characters of [A-Za-z0-9._-]";
	if (r->operation_type == NULL ||
	    !svc_ident_valid(r->operation_type, OP_NAME_MAX))
		return "operationType must be 1 to 64 characters of "
		    "[A-Za-z0-9._-]";
	if (r->data_template == NULL)
		return "dataTemplate is required";
	if ((why = data_template_problem(r->data_template)) != NULL)
		return why;
	if ((why = signature_types_json(r, t->signature_types,
	    sizeof(t->signature_types))) != NULL)
		return why;
	if (r->expiration_s < 0 || r->expiration_s > TEMPLATE_MAX_EXPIRATION_S)
		return "expiration must be 1 to 2592000 seconds";
	if (r->max_failures < 0 || r->max_failures > TEMPLATE_MAX_FAILURES)
		return "maxFailureCount must be 1 to 100";
	if (r->risk_flags != NULL &&
	    (why = risk_flags_problem(r->risk_flags)) != NULL)
		return why;
	snprintf(t->name, sizeof(t->name), "%s", r->name);
	snprintf(t->operation_type, sizeof(t->operation_type), "%s",
	    r->operation_type);
	snprintf(t->data_template, sizeof(t->data_template), "%s",
	    r->data_template);
	t->expiration_s = r->expiration_s > 0 ? r->expiration_s :
	    TEMPLATE_DEFAULT_EXPIRATION_S;
	t->max_failures = r->max_failures > 0 ? r->max_failures :
	    TEMPLATE_DEFAULT_MAX_FAILURES;
	snprintf(t->risk_flags, sizeof(t->risk_flags), "%s",
	    r->risk_flags != NULL ? r->risk_flags : "");
	t->proximity_check = r->proximity_check != 0;
	return NULL;
}

enum svc_rc
template_put(struct db *db, const struct template_req *r, int replace,
    struct op_template *out, const char **why)
{
	int rc;

	if ((*why = template_check(r, out)) != NULL)
		return SVC_INVALID;
	rc = replace ? op_template_replace(db, out) :
	    op_template_insert(db, out);
	return svc_from_db(rc, SVC_TEMPLATE_NOT_FOUND);
}

enum svc_rc
template_get(struct db *db, const char *name, struct op_template *out)
{
	memset(out, 0, sizeof(*out));
	if (name == NULL || !svc_ident_valid(name, OP_NAME_MAX))
		return SVC_TEMPLATE_NOT_FOUND;
	return svc_from_db(op_template_get(db, name, out),
	    SVC_TEMPLATE_NOT_FOUND);
}

enum svc_rc
template_list(struct db *db, int (*fn)(const struct op_template *, void *),
    void *arg)
{
	return svc_from_db(op_template_list(db, fn, arg), SVC_INTERNAL);
}

enum svc_rc
template_delete(struct db *db, const char *name)
{
	if (name == NULL || !svc_ident_valid(name, OP_NAME_MAX))
		return SVC_TEMPLATE_NOT_FOUND;
	return svc_from_db(op_template_delete(db, name),
	    SVC_TEMPLATE_NOT_FOUND);
}

/* --- display templates -------------------------------------------------- */

int
display_language_valid(const char *s)
{
	return s != NULL && strlen(s) == 2 && s[0] >= 'a' && s[0] <= 'z' &&
	    s[1] >= 'a' && s[1] <= 'z';
}

static int
string_in(const char *s, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

/* A string member of o (1..max characters) or absent when optional. */
static int
member_text(json_object *o, const char *name, int required, size_t max,
    const char **out)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, name, &v) || v == NULL)
		return !required;
	if (!json_object_is_type(v, json_type_string))
		return 0;
	*out = json_object_get_string(v);
	return svc_text_valid(*out, max);
}

static const char *
params_problem(json_object *params, size_t type)
{
	size_t k;

	if (params == NULL)
		return NULL;
	if (!json_object_is_type(params, json_type_object))
		return "attribute params must be an object";
	json_object_object_foreach(params, key, val) {
		for (k = 0; k < 6 && ATTRIBUTE_TYPES[type].keys[k] != NULL;
		    k++)
			if (strcmp(key, ATTRIBUTE_TYPES[type].keys[k]) == 0)
				break;
		if (k == 6 || ATTRIBUTE_TYPES[type].keys[k] == NULL)
			return "attribute params has a key its type does not "
			    "read (see doc/operations.md)";
		if (val == NULL || !json_object_is_type(val,
		    json_type_string) ||
		    !svc_ident_valid(json_object_get_string(val), OP_NAME_MAX))
			return "attribute params values must be parameter "
			    "names of [A-Za-z0-9._-]{1,64}";
	}
	return NULL;
}

static const char *
attribute_problem(json_object *a, json_object *ids)
{
	json_object *params = NULL;
	const char *id, *type, *text;
	size_t t;

	if (a == NULL || !json_object_is_type(a, json_type_object))
		return "attributes must be objects";
	json_object_object_foreach(a, key, val) {
		(void)val;
		if (strcmp(key, "id") != 0 && strcmp(key, "type") != 0 &&
		    strcmp(key, "text") != 0 && strcmp(key, "params") != 0)
			return "attributes have only id, type, text, params";
	}
	if (!member_text(a, "id", 1, OP_NAME_MAX, &id) ||
	    !svc_ident_valid(id, OP_NAME_MAX))
		return "attribute id must be 1 to 64 characters of "
		    "[A-Za-z0-9._-]";
	if (json_object_object_get_ex(ids, id, NULL))
		return "attribute ids must be distinct";
	json_object_object_add(ids, id, NULL);
	if (!member_text(a, "type", 1, 32, &type))
		return "attribute type is required";
	for (t = 0; t < NATTRIBUTE_TYPES; t++)
		if (strcmp(type, ATTRIBUTE_TYPES[t].type) == 0)
			break;
	if (t == NATTRIBUTE_TYPES)
		return "attribute type must be AMOUNT, AMOUNT_CONVERSION, "
		    "KEY_VALUE, NOTE, HEADING, ALERT, PARTY_INFO or IMAGE";
	if (!member_text(a, "text", 0, OP_TEXT_MAX, &text))
		return "attribute text must be 1 to 255 characters";
	(void)json_object_object_get_ex(a, "params", &params);
	return params_problem(params, t);
}

static const char *
attributes_problem(json_object *attrs)
{
	json_object *ids;
	const char *why = NULL;
	size_t i, n;

	if (!json_object_is_type(attrs, json_type_array))
		return "attributes must be an array";
	n = json_object_array_length(attrs);
	if (n > DISPLAY_ATTRIBUTES_MAX)
		return "attributes must have at most 50 items";
	if ((ids = json_object_new_object()) == NULL)
		return "out of memory";
	for (i = 0; why == NULL && i < n; i++)
		why = attribute_problem(json_object_array_get_idx(attrs, i),
		    ids);
	json_object_put(ids);
	return why;
}

static const char *
result_texts_problem(json_object *rt)
{
	const char *s;

	if (!json_object_is_type(rt, json_type_object))
		return "resultTexts must be an object";
	json_object_object_foreach(rt, key, val) {
		(void)val;
		if (strcmp(key, "success") != 0 &&
		    strcmp(key, "failure") != 0 && strcmp(key, "reject") != 0)
			return "resultTexts has only success, failure, reject";
		if (!member_text(rt, key, 1, OP_TEXT_MAX, &s))
			return "resultTexts are strings of 1 to 255 characters";
	}
	return NULL;
}

/* A screen of the ui extension: an object whose type is one of types. */
static int
screen_valid(json_object *v, const char *const *types)
{
	const char *type;

	return json_object_is_type(v, json_type_object) &&
	    member_text(v, "type", 1, 32, &type) && string_in(type, types);
}

static const char *
ui_problem(json_object *ui)
{
	if (!json_object_is_type(ui, json_type_object))
		return "ui must be an object";
	json_object_object_foreach(ui, key, val) {
		if (strcmp(key, "flipButtons") == 0 ||
		    strcmp(key, "blockApprovalOnCall") == 0) {
			if (!json_object_is_type(val, json_type_boolean))
				return "ui flipButtons and blockApprovalOnCall "
				    "are booleans";
		} else if (strcmp(key, "preApprovalScreen") == 0) {
			if (!screen_valid(val, PRE_APPROVAL_TYPES))
				return "ui preApprovalScreen needs a type of "
				    "WARNING, INFO, QR_SCAN";
		} else if (strcmp(key, "postApprovalScreen") == 0) {
			if (!screen_valid(val, POST_APPROVAL_TYPES))
				return "ui postApprovalScreen needs a type of "
				    "REVIEW, MERCHANT_REDIRECT, GENERIC";
		} else if (strcmp(key, "templates") == 0) {
			if (!json_object_is_type(val, json_type_object))
				return "ui templates must be an object";
		} else
			return "ui has only flipButtons, blockApprovalOnCall, "
			    "preApprovalScreen, postApprovalScreen, templates";
	}
	return NULL;
}

/* json as compact text into out; -1 when it does not fit. */
static int
json_text(json_object *json, char *out, size_t cap)
{
	const char *s = json_object_to_json_string_ext(json, JSON_FLAGS);

	if (s == NULL || strlen(s) >= cap)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

const char *
display_check(const struct display_req *r, struct op_display *d)
{
	const char *why;

	memset(d, 0, sizeof(*d));
	if (r->operation_type == NULL ||
	    !svc_ident_valid(r->operation_type, OP_NAME_MAX))
		return "operationType must be 1 to 64 characters of "
		    "[A-Za-z0-9._-]";
	if (!display_language_valid(r->language))
		return "language must be a two-letter ISO 639-1 code";
	if (r->title == NULL || !svc_text_valid(r->title, OP_TEXT_MAX))
		return "title must be 1 to 255 characters";
	if (r->message == NULL ||
	    !svc_text_valid(r->message, OP_DISPLAY_TEXT_MAX))
		return "message must be 1 to 1024 characters";
	if (r->attributes != NULL &&
	    (why = attributes_problem(r->attributes)) != NULL)
		return why;
	if (r->result_texts != NULL &&
	    (why = result_texts_problem(r->result_texts)) != NULL)
		return why;
	if (r->ui != NULL && (why = ui_problem(r->ui)) != NULL)
		return why;
	snprintf(d->operation_type, sizeof(d->operation_type), "%s",
	    r->operation_type);
	snprintf(d->language, sizeof(d->language), "%s", r->language);
	snprintf(d->title, sizeof(d->title), "%s", r->title);
	snprintf(d->message, sizeof(d->message), "%s", r->message);
	if (r->attributes == NULL)
		strcpy(d->attributes, "[]");
	else if (json_text(r->attributes, d->attributes,
	    sizeof(d->attributes)) != 0)
		return "attributes must be at most 8192 bytes as JSON";
	if (r->result_texts == NULL)
		strcpy(d->result_texts, "{}");
	else if (json_text(r->result_texts, d->result_texts,
	    sizeof(d->result_texts)) != 0)
		return "resultTexts must be at most 1024 bytes as JSON";
	if (r->ui != NULL && json_text(r->ui, d->ui, sizeof(d->ui)) != 0)
		return "ui must be at most 2048 bytes as JSON";
	return NULL;
}

enum svc_rc
display_put(struct db *db, const struct display_req *r, int replace,
    struct op_display *out, const char **why)
{
	int rc;

	if ((*why = display_check(r, out)) != NULL)
		return SVC_INVALID;
	rc = replace ? op_display_replace(db, out) :
	    op_display_insert(db, out);
	return svc_from_db(rc, SVC_TEMPLATE_NOT_FOUND);
}

enum svc_rc
display_get(struct db *db, const char *operation_type, const char *language,
    struct op_display *out)
{
	memset(out, 0, sizeof(*out));
	if (operation_type == NULL ||
	    !svc_ident_valid(operation_type, OP_NAME_MAX) ||
	    !display_language_valid(language))
		return SVC_TEMPLATE_NOT_FOUND;
	return svc_from_db(op_display_get_exact(db, operation_type, language,
	    out), SVC_TEMPLATE_NOT_FOUND);
}

enum svc_rc
display_list(struct db *db, const char *operation_type,
    int (*fn)(const struct op_display *, void *), void *arg)
{
	if (operation_type != NULL &&
	    !svc_ident_valid(operation_type, OP_NAME_MAX))
		return SVC_OK;		/* nothing can match */
	return svc_from_db(op_display_list(db, operation_type, fn, arg),
	    SVC_INTERNAL);
}

enum svc_rc
display_delete(struct db *db, const char *operation_type,
    const char *language)
{
	if (operation_type == NULL ||
	    !svc_ident_valid(operation_type, OP_NAME_MAX) ||
	    !display_language_valid(language))
		return SVC_TEMPLATE_NOT_FOUND;
	return svc_from_db(op_display_delete(db, operation_type, language),
	    SVC_TEMPLATE_NOT_FOUND);
}
