/*
 * templates.h - managing operation templates and display templates (the
 * admin API of doc/operations.md "Templates").
 *
 * Owns: the rules a template must follow before it is stored: names and
 * operation types of [A-Za-z0-9._-], a data template in the operation
 * data grammar (header A<0-99>, well-formed ${parameter} placeholders, no
 * control characters), known signature types (stored lower-case, no
 * repeats), bounded expiration and failure counts, risk flags from X, F,
 * C; a display template's language (ISO 639-1), texts, attributes of the
 * types the phone knows with the parameter keys each type reads, result
 * texts and the `ui` extension's shape. Defaults for what may be left out.
 * Must not: speak HTTP or parse request bodies; the caller hands over
 * typed values and json-c objects.
 */
#ifndef PASERV_SERVICE_TEMPLATES_H
#define PASERV_SERVICE_TEMPLATES_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "service/result.h"
#include "store/db.h"
#include "store/templates.h"

#define TEMPLATE_DEFAULT_EXPIRATION_S	300
#define TEMPLATE_DEFAULT_MAX_FAILURES	5
#define TEMPLATE_MAX_EXPIRATION_S	2592000		/* 30 days */
#define TEMPLATE_MAX_FAILURES		100
#define TEMPLATE_SIGNATURE_TYPES_MAX	6
#define DISPLAY_ATTRIBUTES_MAX		50

/* An operation template as the admin sends it (NULL / 0: left out). */
struct template_req {
	const char	 *name;
	const char	 *operation_type;
	const char	 *data_template;
	const char	**signature_types;	/* NULL: the 2FA default */
	size_t		  nsignature_types;
	int64_t		  expiration_s;		/* 0: default */
	int64_t		  max_failures;		/* 0: default */
	const char	 *risk_flags;		/* NULL or "": none */
	int		  proximity_check;
};

/* A display template as the admin sends it (JSON values as parsed). */
struct display_req {
	const char	*operation_type;
	const char	*language;
	const char	*title;
	const char	*message;
	json_object	*attributes;		/* array; NULL: [] */
	json_object	*result_texts;		/* object; NULL: {} */
	json_object	*ui;			/* object; NULL: none */
};

/*
 * The rules alone: NULL and *out filled (defaults for what was left out,
 * signature types lower-case, JSON compact), or why r breaks a rule.
 */
const char	*template_check(const struct template_req *r,
		    struct op_template *out);
const char	*display_check(const struct display_req *r,
		    struct op_display *out);

/*
 * Creates (replace = 0: SVC_EXISTS when the name is taken) or replaces
 * (replace = 1: SVC_TEMPLATE_NOT_FOUND when there is none) a template;
 * *out is what was stored. SVC_INVALID with *why for a broken rule.
 */
enum svc_rc	template_put(struct db *db, const struct template_req *r,
		    int replace, struct op_template *out, const char **why);
enum svc_rc	template_get(struct db *db, const char *name,
		    struct op_template *out);
enum svc_rc	template_list(struct db *db,
		    int (*fn)(const struct op_template *, void *), void *arg);
/* Operations made from it keep what they copied at creation. */
enum svc_rc	template_delete(struct db *db, const char *name);

/* The same for display templates, keyed by (operation type, language). */
enum svc_rc	display_put(struct db *db, const struct display_req *r,
		    int replace, struct op_display *out, const char **why);
enum svc_rc	display_get(struct db *db, const char *operation_type,
		    const char *language, struct op_display *out);
enum svc_rc	display_list(struct db *db, const char *operation_type,
		    int (*fn)(const struct op_display *, void *), void *arg);
enum svc_rc	display_delete(struct db *db, const char *operation_type,
		    const char *language);

/* Whether s is a language code the display templates accept. */
int		display_language_valid(const char *s);

#endif
