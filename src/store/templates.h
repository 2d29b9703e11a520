/*
 * templates.h - tables operation_template and operation_display.
 *
 * Owns: the SQL that reads, lists, creates, replaces and deletes the
 * server-side operation templates (what an operation of a template name
 * is made of) and the display templates (how the phone shows an operation
 * type in one language), and the language fallback of a display lookup
 * (the language asked for, else "en", else any).
 * Must not: decide what a valid template is; the service does.
 */
#ifndef PASERV_STORE_TEMPLATES_H
#define PASERV_STORE_TEMPLATES_H

#include <stdint.h>

#include "store/db.h"
#include "store/operations.h"

#define OP_DATA_TEMPLATE_MAX	(OP_DATA_MAX / 2)
#define OP_DISPLAY_TEXT_MAX	(OP_DATA_MAX / 2)

struct op_template {
	char	 name[OP_NAME_MAX + 1];
	char	 operation_type[OP_NAME_MAX + 1];
	char	 data_template[OP_DATA_TEMPLATE_MAX + 1];
	char	 signature_types[OP_SIGTYPES_MAX + 1];	/* JSON array */
	int64_t	 expiration_s;
	int64_t	 max_failures;
	char	 risk_flags[OP_RISK_MAX + 1];	/* "" when none */
	int	 proximity_check;
};

/* How the phone shows an operation type in one language. */
struct op_display {
	char	 operation_type[OP_NAME_MAX + 1];
	char	 language[OP_LANG_MAX + 1];
	char	 title[OP_TEXT_MAX + 1];
	char	 message[OP_DISPLAY_TEXT_MAX + 1];
	char	 attributes[OP_JSON_MAX + 1];		/* JSON array */
	char	 result_texts[OP_DISPLAY_TEXT_MAX + 1];	/* JSON object */
	char	 ui[OP_DATA_MAX + 1];			/* JSON, "" none */
};

/* DB_OK, DB_NOT_FOUND, DB_ERROR, DB_DOWN. */
int	op_template_get(struct db *db, const char *name,
	    struct op_template *out);
/* Every template by name; fn returns 0 to go on, -1 to stop (error). */
int	op_template_list(struct db *db,
	    int (*fn)(const struct op_template *, void *), void *arg);
/* DB_OK, DB_DUPLICATE, DB_ERROR, DB_DOWN. */
int	op_template_insert(struct db *db, const struct op_template *t);
/* Replaces every field but the name. DB_OK, DB_NOT_FOUND, ... */
int	op_template_replace(struct db *db, const struct op_template *t);
/* DB_OK, DB_NOT_FOUND, DB_ERROR, DB_DOWN. */
int	op_template_delete(struct db *db, const char *name);

/*
 * The display of a type in language, else in "en", else in any language
 * (out->language tells which). DB_OK, DB_NOT_FOUND (no display at all),
 * DB_ERROR, DB_DOWN.
 */
int	op_display_get(struct db *db, const char *operation_type,
	    const char *language, struct op_display *out);
/* Exactly that type and language: DB_OK, DB_NOT_FOUND, ... */
int	op_display_get_exact(struct db *db, const char *operation_type,
	    const char *language, struct op_display *out);
/* Every display (of one type unless NULL) by type and language. */
int	op_display_list(struct db *db, const char *operation_type,
	    int (*fn)(const struct op_display *, void *), void *arg);
/* DB_OK, DB_DUPLICATE, DB_ERROR, DB_DOWN. */
int	op_display_insert(struct db *db, const struct op_display *d);
/* Replaces the texts of (type, language). DB_OK, DB_NOT_FOUND, ... */
int	op_display_replace(struct db *db, const struct op_display *d);
/* DB_OK, DB_NOT_FOUND, DB_ERROR, DB_DOWN. */
int	op_display_delete(struct db *db, const char *operation_type,
	    const char *language);

#endif
