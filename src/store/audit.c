/*
 * audit.c - SQL of the audit log and the abuse counters (see audit.h).
 */
#include <config.h>

#include "store/audit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define INSERT_HEAD \
    "INSERT INTO audit_event (created_at, category, action, outcome," \
    " http_status, actor, app_id, user_id, object_id, remote_addr," \
    " request_id, detail) VALUES "
#define INSERT_ROW "(FROM_UNIXTIME(? / 1000), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define INSERT_ARGS	12

/*
 * Multi-row statements of 8 and 1 rows (8 x 12 parameters is what the
 * store binds at most), built once per process (the statement cache keys
 * on the text's address, which stays put): a batch of 64 rows is 8
 * statements instead of 64.
 */
static const int SIZES[] = { 8, 1 };
#define NSIZES	(sizeof(SIZES) / sizeof(SIZES[0]))
static char *insert_sql[NSIZES];
static pthread_once_t insert_once = PTHREAD_ONCE_INIT;

static void
build_inserts(void)
{
	size_t i, k, cap;
	char *s;

	for (i = 0; i < NSIZES; i++) {
		cap = sizeof(INSERT_HEAD) + (size_t)SIZES[i] *
		    (sizeof(INSERT_ROW) + 1);
		if ((s = malloc(cap)) == NULL)
			continue;
		strcpy(s, INSERT_HEAD);
		for (k = 0; k < (size_t)SIZES[i]; k++) {
			if (k > 0)
				strcat(s, ",");
			strcat(s, INSERT_ROW);
		}
		insert_sql[i] = s;
	}
}

#define LIST_COLUMNS \
    "SELECT id, CAST(ROUND(UNIX_TIMESTAMP(created_at) * 1000) AS SIGNED)," \
    " category, action, outcome, http_status, actor, app_id, user_id," \
    " object_id, remote_addr, request_id, detail FROM audit_event"
/* The optional filters after the key column's; then the order. */
#define LIST_TAIL \
    " AND (? = 0 OR id < ?)" \
    " AND (? = 0 OR created_at >= FROM_UNIXTIME(? / 1000))" \
    " AND (? = 0 OR created_at < FROM_UNIXTIME(? / 1000))" \
    " AND (? IS NULL OR category = ?) AND (? IS NULL OR outcome = ?)" \
    " ORDER BY id DESC LIMIT ?"
static const char SQL_LIST_OBJECT[] = LIST_COLUMNS
    " WHERE object_id = ?" LIST_TAIL;
static const char SQL_LIST_USER[] = LIST_COLUMNS
    " WHERE user_id = ?" LIST_TAIL;
static const char SQL_LIST_ACTOR[] = LIST_COLUMNS
    " WHERE actor = ?" LIST_TAIL;
static const char SQL_LIST_ALL[] = LIST_COLUMNS
    " WHERE ? IS NULL" LIST_TAIL;

static const char SQL_ABUSE_GET[] =
    "SELECT hits FROM abuse_counter WHERE scope = ? AND subject = ?"
    " AND window_start = ?";
static const char SQL_ABUSE_HIT[] =
    "INSERT INTO abuse_counter (scope, subject, window_start, hits)"
    " VALUES (?, ?, ?, 1) ON DUPLICATE KEY UPDATE hits = hits + 1";

static struct db_arg
opt(const char *s)
{
	return db_str(s != NULL && s[0] != '\0' ? s : NULL);
}

static void
bind_row(const struct audit_row *r, struct db_arg *a)
{
	a[0] = db_i64(r->created_ms);
	a[1] = db_str(r->category);
	a[2] = db_str(r->action);
	a[3] = db_str(r->outcome);
	a[4] = db_i64(r->http_status);
	a[5] = opt(r->actor);
	a[6] = opt(r->app_id);
	a[7] = opt(r->user_id);
	a[8] = opt(r->object_id);
	a[9] = opt(r->remote_addr);
	a[10] = opt(r->request_id);
	a[11] = opt(r->detail);
}

int
audit_insert(struct db *db, const struct audit_row *rows, size_t n)
{
	struct db_arg *a;
	size_t i, k, done = 0;
	int rc = DB_OK;

	if (pthread_once(&insert_once, build_inserts) != 0 ||
	    (a = calloc((size_t)SIZES[0] * INSERT_ARGS, sizeof(*a))) == NULL)
		return DB_ERROR;
	for (i = 0; rc == DB_OK && done < n; ) {
		if (n - done < (size_t)SIZES[i]) {
			i++;
			continue;
		}
		if (insert_sql[i] == NULL) {
			rc = DB_ERROR;
			break;
		}
		for (k = 0; k < (size_t)SIZES[i]; k++)
			bind_row(&rows[done + k], &a[k * INSERT_ARGS]);
		rc = db_exec(db, insert_sql[i], a,
		    (size_t)SIZES[i] * INSERT_ARGS, NULL);
		done += (size_t)SIZES[i];
	}
	free(a);
	return rc;
}

struct fetch {
	struct audit_row	 r;
	struct db_col		 c[13];
	int			(*row)(const struct audit_row *, void *);
	void			*arg;
};

static int
on_row(void *arg)
{
	struct fetch *f = arg;

	f->r.id = f->c[0].i;
	f->r.created_ms = f->c[1].i;
	f->r.http_status = (int)f->c[5].i;
	return f->row(&f->r, f->arg);
}

static void
bind_columns(struct fetch *f)
{
	struct audit_row *r = &f->r;

	f->c[0] = db_out(DB_T_I64, NULL, 0);
	f->c[1] = db_out(DB_T_I64, NULL, 0);
	f->c[2] = db_out(DB_T_STR, r->category, sizeof(r->category));
	f->c[3] = db_out(DB_T_STR, r->action, sizeof(r->action));
	f->c[4] = db_out(DB_T_STR, r->outcome, sizeof(r->outcome));
	f->c[5] = db_out(DB_T_I64, NULL, 0);
	f->c[6] = db_out(DB_T_STR, r->actor, sizeof(r->actor));
	f->c[7] = db_out(DB_T_STR, r->app_id, sizeof(r->app_id));
	f->c[8] = db_out(DB_T_STR, r->user_id, sizeof(r->user_id));
	f->c[9] = db_out(DB_T_STR, r->object_id, sizeof(r->object_id));
	f->c[10] = db_out(DB_T_STR, r->remote_addr, sizeof(r->remote_addr));
	f->c[11] = db_out(DB_T_STR, r->request_id, sizeof(r->request_id));
	f->c[12] = db_out(DB_T_STR, r->detail, sizeof(r->detail));
}

int
audit_list(struct db *db, const struct audit_filter *flt,
    int (*row)(const struct audit_row *r, void *arg), void *arg)
{
	struct fetch f;
	struct db_arg a[12];
	const char *sql = SQL_LIST_ALL, *key = NULL;

	memset(&f, 0, sizeof(f));
	f.row = row;
	f.arg = arg;
	bind_columns(&f);
	if (flt->object_id != NULL) {
		sql = SQL_LIST_OBJECT;
		key = flt->object_id;
	} else if (flt->user_id != NULL) {
		sql = SQL_LIST_USER;
		key = flt->user_id;
	} else if (flt->actor != NULL) {
		sql = SQL_LIST_ACTOR;
		key = flt->actor;
	}
	a[0] = db_str(key);
	a[1] = db_i64(flt->before_id);
	a[2] = db_i64(flt->before_id);
	a[3] = db_i64(flt->since_ms);
	a[4] = db_i64(flt->since_ms);
	a[5] = db_i64(flt->until_ms);
	a[6] = db_i64(flt->until_ms);
	a[7] = opt(flt->category);
	a[8] = opt(flt->category);
	a[9] = opt(flt->outcome);
	a[10] = opt(flt->outcome);
	a[11] = db_i64(flt->limit);
	return db_query(db, sql, a, 12, f.c, 13, on_row, &f);
}

int
abuse_hits(struct db *db, const char *scope, const char *subject,
    int64_t window_start, int64_t *hits)
{
	struct db_arg a[3];

	a[0] = db_str(scope);
	a[1] = db_str(subject);
	a[2] = db_i64(window_start);
	return db_count(db, SQL_ABUSE_GET, a, 3, hits);
}

int
abuse_hit(struct db *db, const char *scope, const char *subject,
    int64_t window_start)
{
	struct db_arg a[3];

	a[0] = db_str(scope);
	a[1] = db_str(subject);
	a[2] = db_i64(window_start);
	return db_exec(db, SQL_ABUSE_HIT, a, 3, NULL);
}
