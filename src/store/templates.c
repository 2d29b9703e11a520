/* templates.c - SQL for operation and display templates (templates.h). */
#include <config.h>

#include "store/templates.h"

#include <stdlib.h>
#include <string.h>

#define TPL_COLUMNS \
    "SELECT name, operation_type, data_template, signature_types," \
    " expiration_s, max_failures, risk_flags, proximity_check" \
    " FROM operation_template"
static const char SQL_TPL_GET[] = TPL_COLUMNS " WHERE name = ?";
static const char SQL_TPL_LIST[] = TPL_COLUMNS " ORDER BY name";
static const char SQL_TPL_INSERT[] =
    "INSERT INTO operation_template (name, operation_type, data_template,"
    " signature_types, expiration_s, max_failures, risk_flags,"
    " proximity_check, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))";
static const char SQL_TPL_REPLACE[] =
    "UPDATE operation_template SET operation_type = ?, data_template = ?,"
    " signature_types = ?, expiration_s = ?, max_failures = ?,"
    " risk_flags = ?, proximity_check = ? WHERE name = ?";
static const char SQL_TPL_DELETE[] =
    "DELETE FROM operation_template WHERE name = ?";

#define DISPLAY_COLUMNS \
    "SELECT operation_type, language, title, message, attributes," \
    " result_texts, ui FROM operation_display"
/*
 * Every language of the type; the choice is made in C: MariaDB 10.11 was
 * seen to reuse the ORDER BY of a previous execution of a prepared
 * statement whose ORDER BY compared with a bound parameter.
 */
static const char SQL_DISPLAY_ALL_LANGUAGES[] = DISPLAY_COLUMNS
    " WHERE operation_type = ? ORDER BY language";
static const char SQL_DISPLAY_EXACT[] = DISPLAY_COLUMNS
    " WHERE operation_type = ? AND language = ?";
static const char SQL_DISPLAY_LIST[] = DISPLAY_COLUMNS
    " WHERE ? IS NULL OR operation_type = ?"
    " ORDER BY operation_type, language";
static const char SQL_DISPLAY_INSERT[] =
    "INSERT INTO operation_display (operation_type, language, title,"
    " message, attributes, result_texts, ui)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_DISPLAY_REPLACE[] =
    "UPDATE operation_display SET title = ?, message = ?, attributes = ?,"
    " result_texts = ?, ui = ? WHERE operation_type = ? AND language = ?";
static const char SQL_DISPLAY_DELETE[] =
    "DELETE FROM operation_display WHERE operation_type = ?"
    " AND language = ?";

static struct db_arg
opt(const char *s)
{
	return db_str(s != NULL && s[0] != '\0' ? s : NULL);
}

/* --- operation templates ------------------------------------------------ */

struct tpl_fetch {
	struct op_template	 row;
	struct db_col		 c[8];
	int			(*fn)(const struct op_template *, void *);
	void			*arg;
};

static void
tpl_fetch_init(struct tpl_fetch *f)
{
	struct op_template *t = &f->row;

	f->c[0] = db_out(DB_T_STR, t->name, sizeof(t->name));
	f->c[1] = db_out(DB_T_STR, t->operation_type,
	    sizeof(t->operation_type));
	f->c[2] = db_out(DB_T_STR, t->data_template, sizeof(t->data_template));
	f->c[3] = db_out(DB_T_STR, t->signature_types,
	    sizeof(t->signature_types));
	f->c[4] = db_out(DB_T_I64, NULL, 0);
	f->c[5] = db_out(DB_T_I64, NULL, 0);
	f->c[6] = db_out(DB_T_STR, t->risk_flags, sizeof(t->risk_flags));
	f->c[7] = db_out(DB_T_I64, NULL, 0);
}

static int
tpl_row(void *arg)
{
	struct tpl_fetch *f = arg;

	f->row.expiration_s = f->c[4].i;
	f->row.max_failures = f->c[5].i;
	if (f->c[6].is_null)
		f->row.risk_flags[0] = '\0';
	f->row.proximity_check = f->c[7].i != 0;
	return f->fn != NULL ? f->fn(&f->row, f->arg) : 0;
}

int
op_template_get(struct db *db, const char *name, struct op_template *out)
{
	struct db_arg a = db_str(name);
	struct tpl_fetch *f;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return DB_ERROR;
	tpl_fetch_init(f);
	rc = db_query(db, SQL_TPL_GET, &a, 1, f->c, 8, tpl_row, f);
	if (rc > 0) {
		memcpy(out, &f->row, sizeof(*out));
		rc = DB_OK;
	} else if (rc == 0)
		rc = DB_NOT_FOUND;
	free(f);
	return rc;
}

int
op_template_list(struct db *db,
    int (*fn)(const struct op_template *, void *), void *arg)
{
	struct tpl_fetch *f;
	int rc;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return DB_ERROR;
	tpl_fetch_init(f);
	f->fn = fn;
	f->arg = arg;
	rc = db_query(db, SQL_TPL_LIST, NULL, 0, f->c, 8, tpl_row, f);
	free(f);
	return rc < 0 ? rc : DB_OK;
}

/* The bound values of t's fields after the name, in table order. */
static void
tpl_args(const struct op_template *t, struct db_arg a[7])
{
	a[0] = db_str(t->operation_type);
	a[1] = db_str(t->data_template);
	a[2] = db_str(t->signature_types);
	a[3] = db_i64(t->expiration_s);
	a[4] = db_i64(t->max_failures);
	a[5] = opt(t->risk_flags);
	a[6] = db_i64(t->proximity_check ? 1 : 0);
}

int
op_template_insert(struct db *db, const struct op_template *t)
{
	struct db_arg a[8];

	a[0] = db_str(t->name);
	tpl_args(t, a + 1);
	return db_exec(db, SQL_TPL_INSERT, a, 8, NULL);
}

int
op_template_replace(struct db *db, const struct op_template *t)
{
	struct db_arg a[8];

	tpl_args(t, a);
	a[7] = db_str(t->name);
	return db_exec_one(db, SQL_TPL_REPLACE, a, 8);
}

int
op_template_delete(struct db *db, const char *name)
{
	struct db_arg a = db_str(name);

	return db_exec_one(db, SQL_TPL_DELETE, &a, 1);
}

/* --- display templates -------------------------------------------------- */

struct display_fetch {
	struct op_display	 row;
	struct db_col		 c[7];
	int			(*fn)(const struct op_display *, void *);
	void			*arg;
	/* op_display_get(): the best language so far. */
	struct op_display	*best;
	const char		*language;
	int			 rank;	/* 3 exact, 2 en, 1 any */
};

static void
display_fetch_init(struct display_fetch *f)
{
	struct op_display *d = &f->row;

	f->c[0] = db_out(DB_T_STR, d->operation_type,
	    sizeof(d->operation_type));
	f->c[1] = db_out(DB_T_STR, d->language, sizeof(d->language));
	f->c[2] = db_out(DB_T_STR, d->title, sizeof(d->title));
	f->c[3] = db_out(DB_T_STR, d->message, sizeof(d->message));
	f->c[4] = db_out(DB_T_STR, d->attributes, sizeof(d->attributes));
	f->c[5] = db_out(DB_T_STR, d->result_texts, sizeof(d->result_texts));
	f->c[6] = db_out(DB_T_STR, d->ui, sizeof(d->ui));
}

static int
display_row(void *arg)
{
	struct display_fetch *f = arg;
	int rank;

	if (f->c[6].is_null)
		f->row.ui[0] = '\0';
	if (f->best == NULL)
		return f->fn != NULL ? f->fn(&f->row, f->arg) : 0;
	rank = f->language != NULL && strcmp(f->row.language,
	    f->language) == 0 ? 3 : strcmp(f->row.language, "en") == 0 ? 2 : 1;
	if (rank > f->rank) {
		memcpy(f->best, &f->row, sizeof(f->row));
		f->rank = rank;
	}
	return 0;
}

/* Runs a display query: rows to fn, or the best language into best. */
static int
display_query(struct db *db, const char *sql, const struct db_arg *a,
    size_t n, struct display_fetch *f)
{
	display_fetch_init(f);
	return db_query(db, sql, a, n, f->c, 7, display_row, f);
}

int
op_display_get(struct db *db, const char *operation_type,
    const char *language, struct op_display *out)
{
	struct display_fetch *f;
	struct db_arg a = db_str(operation_type);
	int rc;

	memset(out, 0, sizeof(*out));
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return DB_ERROR;
	f->best = out;
	f->language = language;
	rc = display_query(db, SQL_DISPLAY_ALL_LANGUAGES, &a, 1, f);
	if (rc >= 0)
		rc = f->rank > 0 ? DB_OK : DB_NOT_FOUND;
	free(f);
	return rc;
}

int
op_display_get_exact(struct db *db, const char *operation_type,
    const char *language, struct op_display *out)
{
	struct display_fetch *f;
	struct db_arg a[2];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return DB_ERROR;
	f->best = out;
	f->language = language;
	a[0] = db_str(operation_type);
	a[1] = db_str(language);
	rc = display_query(db, SQL_DISPLAY_EXACT, a, 2, f);
	if (rc >= 0)
		rc = rc > 0 ? DB_OK : DB_NOT_FOUND;
	free(f);
	return rc;
}

int
op_display_list(struct db *db, const char *operation_type,
    int (*fn)(const struct op_display *, void *), void *arg)
{
	struct display_fetch *f;
	struct db_arg a[2];
	int rc;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return DB_ERROR;
	f->fn = fn;
	f->arg = arg;
	a[0] = db_str(operation_type);
	a[1] = a[0];
	rc = display_query(db, SQL_DISPLAY_LIST, a, 2, f);
	free(f);
	return rc < 0 ? rc : DB_OK;
}

/* The bound values of d's texts (title to ui), in table order. */
static void
display_args(const struct op_display *d, struct db_arg a[5])
{
	a[0] = db_str(d->title);
	a[1] = db_str(d->message);
	a[2] = db_str(d->attributes);
	a[3] = db_str(d->result_texts);
	a[4] = opt(d->ui);
}

int
op_display_insert(struct db *db, const struct op_display *d)
{
	struct db_arg a[7];

	a[0] = db_str(d->operation_type);
	a[1] = db_str(d->language);
	display_args(d, a + 2);
	return db_exec(db, SQL_DISPLAY_INSERT, a, 7, NULL);
}

int
op_display_replace(struct db *db, const struct op_display *d)
{
	struct db_arg a[7];

	display_args(d, a);
	a[5] = db_str(d->operation_type);
	a[6] = db_str(d->language);
	return db_exec_one(db, SQL_DISPLAY_REPLACE, a, 7);
}

int
op_display_delete(struct db *db, const char *operation_type,
    const char *language)
{
	struct db_arg a[2];

	a[0] = db_str(operation_type);
	a[1] = db_str(language);
	return db_exec_one(db, SQL_DISPLAY_DELETE, a, 2);
}
