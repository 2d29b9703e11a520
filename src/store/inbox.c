/* inbox.c - SQL of the message inbox (see inbox.h). */
#include <config.h>

#include "store/inbox.h"

#include <stdlib.h>
#include <string.h>

#define MS(col) "CAST(ROUND(UNIX_TIMESTAMP(" col ") * 1000) AS SIGNED)"
/* An application row a of the caller's scope (2 arguments). */
#define APP_SCOPE \
    " (? = 1 OR a.app_id IN (SELECT g.app_id FROM cloud_user_app g" \
    " WHERE g.user_id = ?))"

static const char SQL_INSERT[] =
    "INSERT INTO inbox_message (id, user_id, type, subject, summary, body,"
    " silent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
    " FROM_UNIXTIME(? / 1000))";
/* Nothing is inserted for an unknown or ungranted application. */
static const char SQL_ADD_APP[] =
    "INSERT INTO inbox_message_app (message_id, app_id, user_id,"
    " created_at) SELECT ?, p.id, ?, FROM_UNIXTIME(? / 1000) FROM app p"
    " WHERE p.id = ? AND (? = 1 OR p.id IN (SELECT g.app_id FROM"
    " cloud_user_app g WHERE g.user_id = ?))";
/* Every application granted to an integration user (at most one more than
 * a message may have, for the caller to see there are too many). */
static const char SQL_ADD_GRANTED[] =
    "INSERT INTO inbox_message_app (message_id, app_id, user_id,"
    " created_at) SELECT ?, g.app_id, ?, FROM_UNIXTIME(? / 1000) FROM"
    " cloud_user_app g WHERE g.user_id = ? ORDER BY g.app_id LIMIT ?";
/*
 * The event the push delivery takes (one per application). No callback
 * subscribes to type INBOX: the fan-out trigger of 009 matches only
 * ACTIVATION and OPERATION, so these rows get no webhook deliveries and
 * the housekeeping job purges them after HK_EVENTS_RETENTION_S.
 */
static const char SQL_ADD_EVENTS[] =
    "INSERT INTO event_outbox (event_id, type, app_id, object_id, payload,"
    " created_at) SELECT UUID(), 'INBOX', a.app_id, m.id, JSON_OBJECT("
    " 'type', 'INBOX', 'inboxId', m.id, 'userId', m.user_id,"
    " 'applicationId', a.app_id, 'subject', m.subject,"
    " 'timestamp', " MS("m.created_at") "), UTC_TIMESTAMP(3)"
    " FROM inbox_message_app a JOIN inbox_message m ON m.id = a.message_id"
    " WHERE a.message_id = ? ORDER BY a.app_id";

/* Columns of a message (with or without its body) and its applications
 * within the scope (2 arguments). */
#define COLUMNS(body) \
    "SELECT m.id, m.user_id, m.type, m.subject, m.summary, " body "," \
    " m.silent, m.read_at IS NOT NULL, " MS("m.created_at") "," \
    " " MS("m.read_at") ", (SELECT GROUP_CONCAT(a.app_id ORDER BY" \
    " a.app_id SEPARATOR ',') FROM inbox_message_app a" \
    " WHERE a.message_id = m.id AND" APP_SCOPE ") FROM inbox_message m"
#define IN_SCOPE \
    " EXISTS (SELECT 1 FROM inbox_message_app a" \
    " WHERE a.message_id = m.id AND" APP_SCOPE ")"
static const char SQL_GET[] = COLUMNS("m.body") " WHERE m.id = ? AND"
    IN_SCOPE;
static const char SQL_LIST[] = COLUMNS("''") " WHERE m.user_id = ? AND"
    IN_SCOPE " AND (? = 0 OR m.read_at IS NULL)"
    " ORDER BY m.created_at DESC, m.id DESC LIMIT ? OFFSET ?";
static const char SQL_REMOVE_APPS[] =
    "DELETE a FROM inbox_message_app a WHERE a.message_id = ? AND"
    APP_SCOPE;
static const char SQL_DELETE_ORPHAN[] =
    "DELETE FROM inbox_message WHERE id = ? AND NOT EXISTS (SELECT 1 FROM"
    " inbox_message_app a WHERE a.message_id = ?)";

/* The phone's side reads through its application's rows (index
 * inbox_app_unread for the count and the unread page, inbox_app_list for
 * the whole page). */
static const char SQL_COUNT[] =
    "SELECT COUNT(*) FROM inbox_message_app WHERE user_id = ?"
    " AND app_id = ? AND is_read = 0";
#define DEVICE_COLUMNS(body) \
    "SELECT m.id, m.user_id, m.type, m.subject, m.summary, " body "," \
    " m.silent, a.is_read, " MS("a.created_at") ", " MS("m.read_at") "," \
    " '' FROM inbox_message_app a" \
    " JOIN inbox_message m ON m.id = a.message_id"
static const char SQL_DEVICE_LIST[] = DEVICE_COLUMNS("''")
    " WHERE a.user_id = ? AND a.app_id = ?"
    " ORDER BY a.created_at DESC, a.message_id DESC LIMIT ? OFFSET ?";
static const char SQL_DEVICE_LIST_UNREAD[] = DEVICE_COLUMNS("''")
    " WHERE a.user_id = ? AND a.app_id = ? AND a.is_read = 0"
    " ORDER BY a.created_at DESC, a.message_id DESC LIMIT ? OFFSET ?";
static const char SQL_DEVICE_GET[] = DEVICE_COLUMNS("m.body")
    " WHERE a.message_id = ? AND a.user_id = ? AND a.app_id = ?";
/* (The connection counts found rows: an already read message matches.) */
static const char SQL_MARK_READ[] =
    "UPDATE inbox_message m JOIN inbox_message_app a"
    " ON a.message_id = m.id SET m.read_at = COALESCE(m.read_at,"
    " UTC_TIMESTAMP(3)) WHERE m.id = ? AND a.user_id = ? AND a.app_id = ?";
static const char SQL_MARK_ALL_READ[] =
    "UPDATE inbox_message m JOIN inbox_message_app a"
    " ON a.message_id = m.id SET m.read_at = COALESCE(m.read_at,"
    " UTC_TIMESTAMP(3)) WHERE a.user_id = ? AND a.app_id = ?"
    " AND a.is_read = 0";
static const char SQL_SYNC_READ[] =
    "UPDATE inbox_message_app a JOIN inbox_message m ON m.id = a.message_id"
    " SET a.is_read = 1 WHERE a.user_id = ? AND a.is_read = 0"
    " AND m.read_at IS NOT NULL";

#define NCOLS	11

int
inbox_insert(struct db *db, const struct inbox_new *m)
{
	struct db_arg a[8];

	a[0] = db_str(m->id);
	a[1] = db_str(m->user_id);
	a[2] = db_str(m->type);
	a[3] = db_str(m->subject);
	a[4] = db_str(m->summary);
	a[5] = db_str(m->body);
	a[6] = db_i64(m->silent ? 1 : 0);
	a[7] = db_i64(m->created_ms);
	return db_exec(db, SQL_INSERT, a, 8, NULL);
}

int
inbox_add_app(struct db *db, const struct reg_scope *scope,
    const struct inbox_new *m, const char *app_id)
{
	struct db_arg a[6];

	a[0] = db_str(m->id);
	a[1] = db_str(m->user_id);
	a[2] = db_i64(m->created_ms);
	a[3] = db_str(app_id);
	a[4] = db_i64(scope->admin ? 1 : 0);
	a[5] = db_i64(scope->caller_id);
	return db_exec_one(db, SQL_ADD_APP, a, 6);
}

int
inbox_add_granted(struct db *db, int64_t caller_id, const struct inbox_new *m,
    uint64_t *n)
{
	struct db_arg a[5];

	a[0] = db_str(m->id);
	a[1] = db_str(m->user_id);
	a[2] = db_i64(m->created_ms);
	a[3] = db_i64(caller_id);
	a[4] = db_i64(INBOX_APPS_MAX + 1);
	return db_exec(db, SQL_ADD_GRANTED, a, 5, n);
}

int
inbox_add_events(struct db *db, const char *id)
{
	struct db_arg a = db_str(id);

	return db_exec(db, SQL_ADD_EVENTS, &a, 1, NULL);
}

struct fetch {
	struct inbox_row	*row;
	struct db_col		 cols[NCOLS];
	int			(*fn)(const struct inbox_row *, void *);
	void			*arg;
};

static void
fetch_init(struct fetch *f, struct inbox_row *r)
{
	memset(f, 0, sizeof(*f));
	r->id[0] = r->body[0] = r->apps[0] = '\0';
	f->row = r;
	f->cols[0] = db_out(DB_T_STR, r->id, sizeof(r->id));
	f->cols[1] = db_out(DB_T_STR, r->user_id, sizeof(r->user_id));
	f->cols[2] = db_out(DB_T_STR, r->type, sizeof(r->type));
	f->cols[3] = db_out(DB_T_STR, r->subject, sizeof(r->subject));
	f->cols[4] = db_out(DB_T_STR, r->summary, sizeof(r->summary));
	f->cols[5] = db_out(DB_T_STR, r->body, sizeof(r->body));
	f->cols[6] = db_out(DB_T_I64, NULL, 0);
	f->cols[7] = db_out(DB_T_I64, NULL, 0);
	f->cols[8] = db_out(DB_T_I64, NULL, 0);
	f->cols[9] = db_out(DB_T_I64, NULL, 0);
	f->cols[10] = db_out(DB_T_STR, r->apps, sizeof(r->apps));
}

static int
on_row(void *arg)
{
	struct fetch *f = arg;
	struct inbox_row *r = f->row;

	if (f->cols[10].is_null)
		r->apps[0] = '\0';
	r->silent = f->cols[6].i != 0;
	r->read = f->cols[7].i != 0;
	r->created_ms = f->cols[8].i;
	r->read_ms = f->cols[9].is_null ? 0 : f->cols[9].i;
	return f->fn != NULL ? f->fn(r, f->arg) : 0;
}

/* Runs a query over the message columns: fn per row, or (fn NULL) one
 * row into out. DB_OK, DB_NOT_FOUND (no row, fn NULL only), < 0. */
static int
run(struct db *db, const char *sql, const struct db_arg *a, size_t n,
    struct inbox_row *out, int (*fn)(const struct inbox_row *, void *),
    void *arg)
{
	struct fetch f;
	int rc;

	fetch_init(&f, out);
	f.fn = fn;
	f.arg = arg;
	rc = db_query(db, sql, a, n, f.cols, NCOLS, on_row, &f);
	if (rc < 0)
		return rc;
	return rc == 0 && fn == NULL ? DB_NOT_FOUND : DB_OK;
}

int
inbox_get(struct db *db, const struct reg_scope *scope, const char *id,
    struct inbox_row *out)
{
	struct db_arg a[5];

	a[0] = db_i64(scope->admin ? 1 : 0);
	a[1] = db_i64(scope->caller_id);
	a[2] = db_str(id);
	a[3] = a[0];
	a[4] = a[1];
	return run(db, SQL_GET, a, 5, out, NULL, NULL);
}

int
inbox_list(struct db *db, const struct reg_scope *scope,
    const struct inbox_page *p,
    int (*fn)(const struct inbox_row *, void *), void *arg)
{
	struct inbox_row *row;
	struct db_arg a[8];
	int rc;

	if ((row = malloc(sizeof(*row))) == NULL)
		return DB_ERROR;
	a[0] = db_i64(scope->admin ? 1 : 0);
	a[1] = db_i64(scope->caller_id);
	a[2] = db_str(p->user_id);
	a[3] = a[0];
	a[4] = a[1];
	a[5] = db_i64(p->only_unread ? 1 : 0);
	a[6] = db_i64(p->size);
	a[7] = db_i64(p->page * p->size);
	rc = run(db, SQL_LIST, a, 8, row, fn, arg);
	free(row);
	return rc;
}

int
inbox_remove_apps(struct db *db, const struct reg_scope *scope,
    const char *id)
{
	struct db_arg a[3];

	a[0] = db_str(id);
	a[1] = db_i64(scope->admin ? 1 : 0);
	a[2] = db_i64(scope->caller_id);
	return db_exec_one(db, SQL_REMOVE_APPS, a, 3);
}

int
inbox_delete_orphan(struct db *db, const char *id)
{
	struct db_arg a[2];

	a[0] = db_str(id);
	a[1] = a[0];
	return db_exec(db, SQL_DELETE_ORPHAN, a, 2, NULL);
}

int
inbox_count_unread(struct db *db, const char *user_id, const char *app_id,
    int64_t *count)
{
	struct db_arg a[2];
	struct db_col c = db_out(DB_T_I64, NULL, 0);
	int rc;

	*count = 0;
	a[0] = db_str(user_id);
	a[1] = db_str(app_id);
	rc = db_query(db, SQL_COUNT, a, 2, &c, 1, NULL, NULL);
	if (rc < 0)
		return rc;
	*count = c.i;
	return DB_OK;
}

int
inbox_device_list(struct db *db, const struct inbox_page *p,
    int (*fn)(const struct inbox_row *, void *), void *arg)
{
	struct inbox_row *row;
	struct db_arg a[4];
	int rc;

	if ((row = malloc(sizeof(*row))) == NULL)
		return DB_ERROR;
	a[0] = db_str(p->user_id);
	a[1] = db_str(p->app_id);
	a[2] = db_i64(p->size);
	a[3] = db_i64(p->page * p->size);
	rc = run(db, p->only_unread ? SQL_DEVICE_LIST_UNREAD :
	    SQL_DEVICE_LIST, a, 4, row, fn, arg);
	free(row);
	return rc;
}

int
inbox_device_get(struct db *db, const char *user_id, const char *app_id,
    const char *id, struct inbox_row *out)
{
	struct db_arg a[3];

	a[0] = db_str(id);
	a[1] = db_str(user_id);
	a[2] = db_str(app_id);
	return run(db, SQL_DEVICE_GET, a, 3, out, NULL, NULL);
}

int
inbox_mark_read(struct db *db, const char *user_id, const char *app_id,
    const char *id)
{
	struct db_arg a[3];

	a[0] = db_str(id);
	a[1] = db_str(user_id);
	a[2] = db_str(app_id);
	return db_exec_one(db, SQL_MARK_READ, a, 3);
}

int
inbox_mark_all_read(struct db *db, const char *user_id, const char *app_id)
{
	struct db_arg a[2];

	a[0] = db_str(user_id);
	a[1] = db_str(app_id);
	return db_exec(db, SQL_MARK_ALL_READ, a, 2, NULL);
}

int
inbox_sync_read(struct db *db, const char *user_id)
{
	struct db_arg a = db_str(user_id);

	return db_exec(db, SQL_SYNC_READ, &a, 1, NULL);
}
