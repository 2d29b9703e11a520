/*
 * db.c - MariaDB connection and prepared statements (see db.h).
 *
 * Statements are prepared once per connection and kept (up to
 * DB_STMT_CACHE); they die with the connection, so a reconnect clears the
 * cache. A lost connection is retried once, and only outside a
 * transaction: inside one the work done so far is gone with the link and
 * the caller must see the failure. Nor is a write retried when the link
 * broke while the server had it (CR_SERVER_LOST): it may have been
 * applied, and running it again could apply it twice or report a failure
 * for what was done; the caller answers "unavailable", the outcome
 * unknown. A link found dead before sending (CR_SERVER_GONE_ERROR, e.g.
 * closed by the server while idle) is retried for any statement.
 * A statement outside a transaction that lost a deadlock (or a Galera
 * certification) is run again, up to DB_LONE_ATTEMPTS times in all.
 *
 * With db.hosts the connection goes to the first endpoint of the list
 * that accepts it and, when it is a Galera node, says it is ready
 * (wsrep_ready ON: a node cut off from the primary component refuses
 * queries). A node that stops answering, or reports itself not ready in
 * the middle of the work (error 1047), is DB_DOWN like a lost link: the
 * next connect walks the list again from its start, so the workers come
 * back to their preferred node once it is up.
 */
#include <config.h>

#include "store/db.h"

#include <errmsg.h>
#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DB_STMT_CACHE		32
#define DB_CONNECT_TIMEOUT	5
#define DB_IO_TIMEOUT		30
#define DB_LONE_ATTEMPTS	4	/* of a statement that lost a deadlock */

struct stmt_slot {
	const char	*sql;
	MYSQL_STMT	*st;
};

struct db {
	const struct config	*cfg;
	MYSQL			*my;
	int			 in_tx;
	int			 maybe_applied;	/* last execute lost mid-way */
	unsigned int		 last_errno;	/* of the last failed one */
	struct stmt_slot	 cache[DB_STMT_CACHE];
	size_t			 ncache;
	char			 err[256];
};

int
db_library_init(void)
{
	return mysql_library_init(0, NULL, NULL) == 0 ? 0 : -1;
}

void
db_library_end(void)
{
	mysql_library_end();
}

struct db *
db_new(const struct config *cfg)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db != NULL)
		db->cfg = cfg;
	return db;
}

static void
disconnect(struct db *db)
{
	size_t i;

	for (i = 0; i < db->ncache; i++)
		mysql_stmt_close(db->cache[i].st);
	db->ncache = 0;
	if (db->my != NULL)
		mysql_close(db->my);
	db->my = NULL;
	db->in_tx = 0;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	disconnect(db);
	free(db);
}

const char *
db_last_error(const struct db *db)
{
	return db->err;
}

static int
set_options(MYSQL *my)
{
	unsigned int cto = DB_CONNECT_TIMEOUT, io = DB_IO_TIMEOUT;

	return mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4") ||
	    mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &cto) ||
	    mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &io) ||
	    mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &io) ||
	    mysql_options(my, MYSQL_INIT_COMMAND,
	    "SET time_zone = '+00:00', SESSION sql_mode = 'STRICT_ALL_TABLES,"
	    "NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'") ? -1 : 0;
}

/*
 * 1 when the server is not a Galera node or a ready one; 0 when it is a
 * node that refuses work (not in the primary component, still joining).
 */
static int
node_ready(MYSQL *my)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	int ready = 0;

	if (mysql_query(my, "SHOW STATUS LIKE 'wsrep_ready'") != 0 ||
	    (res = mysql_store_result(my)) == NULL)
		return 0;
	row = mysql_fetch_row(res);
	ready = row == NULL || (row[1] != NULL && strcmp(row[1], "ON") == 0);
	mysql_free_result(res);
	return ready;
}

/* One endpoint: socket (host NULL) or host and port. */
static int
connect_one(struct db *db, const char *host, unsigned int port,
    const char *sock, int check_ready)
{
	const struct config *c = db->cfg;

	if ((db->my = mysql_init(NULL)) == NULL) {
		snprintf(db->err, sizeof(db->err), "mysql_init failed");
		return DB_DOWN;
	}
	if (set_options(db->my) != 0 ||
	    mysql_real_connect(db->my, host, c->db_user, c->db_password,
	    c->db_name, port, sock, CLIENT_FOUND_ROWS) == NULL) {
		snprintf(db->err, sizeof(db->err), "connect %s: %s",
		    sock != NULL ? sock : host, mysql_error(db->my));
		disconnect(db);
		return DB_DOWN;
	}
	if (check_ready && !node_ready(db->my)) {
		snprintf(db->err, sizeof(db->err), "connect %s:%u: the "
		    "Galera node is not ready", host, port);
		disconnect(db);
		return DB_DOWN;
	}
	return DB_OK;
}

static int
connect_db(struct db *db)
{
	const struct config *c = db->cfg;
	struct config_host h[CONFIG_HOSTS_MAX];
	const char *why;
	int n, i;

	if (db->my != NULL)
		return DB_OK;
	if (c->db_socket != NULL || c->db_hosts == NULL)
		return connect_one(db, c->db_socket != NULL ? NULL :
		    c->db_host, (unsigned int)c->db_port, c->db_socket, 0);
	if ((n = config_hosts_parse(c->db_hosts, c->db_port, h,
	    CONFIG_HOSTS_MAX, &why)) < 0) {
		snprintf(db->err, sizeof(db->err), "db.hosts: %s", why);
		return DB_DOWN;
	}
	for (i = 0; i < n; i++)
		if (connect_one(db, h[i].host, (unsigned int)h[i].port, NULL,
		    1) == DB_OK) {
			return DB_OK;
		}
	return DB_DOWN;		/* db->err: the last endpoint's failure */
}

int
db_ping(struct db *db)
{
	if (connect_db(db) != DB_OK)
		return DB_DOWN;
	if (mysql_ping(db->my) != 0) {
		disconnect(db);
		if (connect_db(db) != DB_OK || mysql_ping(db->my) != 0) {
			if (db->my != NULL)
				snprintf(db->err, sizeof(db->err), "ping: %s",
				    mysql_error(db->my));
			disconnect(db);
			return DB_DOWN;
		}
	}
	return DB_OK;
}

/*
 * A cached statement the server no longer accepts as prepared: after a
 * schema change (a new trigger or table) MariaDB may fail its execution
 * with "table doesn't exist" or "need reprepare" instead of re-preparing
 * it itself. Internal: run() prepares it afresh once.
 */
#define DB_STALE	(-100)

static int
classify(unsigned int e)
{
	switch (e) {
	case ER_NO_SUCH_TABLE:
	case ER_NEED_REPREPARE:
		return DB_STALE;
	case ER_DUP_ENTRY:
		return DB_DUPLICATE;
	case ER_NO_REFERENCED_ROW:
	case ER_NO_REFERENCED_ROW_2:
		return DB_NO_PARENT;
	case ER_LOCK_DEADLOCK:		/* also a Galera certification
					 * failure or brute-force abort */
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_AUTOINC_READ_FAILED:	/* the table's AUTO-INC lock lost
					 * a conflict (with
					 * innodb_autoinc_lock_mode < 2) */
		return DB_RETRY;
	case ER_UNKNOWN_COM_ERROR:	/* Galera: node not ready */
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
		return DB_DOWN;
	default:
		return DB_ERROR;
	}
}

static int
stmt_fail(struct db *db, MYSQL_STMT *st, const char *what)
{
	unsigned int e = mysql_stmt_errno(st);

	db->last_errno = e;
	snprintf(db->err, sizeof(db->err), "%s: %u %s", what, e,
	    mysql_stmt_error(st));
	return classify(e);
}

/* The cached statement for sql, prepared on first use. */
static int
stmt_get(struct db *db, const char *sql, MYSQL_STMT **out)
{
	MYSQL_STMT *st;
	size_t i;
	int rc;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql || strcmp(db->cache[i].sql, sql) == 0) {
			*out = db->cache[i].st;
			return DB_OK;
		}
	if ((st = mysql_stmt_init(db->my)) == NULL) {
		snprintf(db->err, sizeof(db->err), "stmt_init: %s",
		    mysql_error(db->my));
		return classify(mysql_errno(db->my));
	}
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0) {
		rc = stmt_fail(db, st, "prepare");
		mysql_stmt_close(st);
		return rc;
	}
	if (db->ncache < DB_STMT_CACHE) {
		db->cache[db->ncache].sql = sql;
		db->cache[db->ncache++].st = st;
	} else {
		/* Full: replace the oldest entry. */
		mysql_stmt_close(db->cache[0].st);
		memmove(&db->cache[0], &db->cache[1],
		    (DB_STMT_CACHE - 1) * sizeof(db->cache[0]));
		db->cache[DB_STMT_CACHE - 1].sql = sql;
		db->cache[DB_STMT_CACHE - 1].st = st;
	}
	*out = st;
	return DB_OK;
}

/* Drops the cached statement of sql (it is prepared anew on next use). */
static void
stmt_forget(struct db *db, const char *sql)
{
	size_t i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql || strcmp(db->cache[i].sql, sql) == 0) {
			mysql_stmt_close(db->cache[i].st);
			memmove(&db->cache[i], &db->cache[i + 1],
			    (db->ncache - i - 1) * sizeof(db->cache[0]));
			db->ncache--;
			return;
		}
}

static void
bind_args(MYSQL_BIND *b, const struct db_arg *args, size_t n)
{
	size_t i;

	memset(b, 0, n * sizeof(*b));
	for (i = 0; i < n; i++) {
		switch (args[i].type) {
		case DB_T_STR:
		case DB_T_BLOB:
			b[i].buffer_type = args[i].type == DB_T_STR ?
			    MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)(uintptr_t)args[i].p;
			b[i].buffer_length = (unsigned long)args[i].len;
			break;
		case DB_T_I64:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)(uintptr_t)&args[i].i;
			break;
		default:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
}

struct colstate {
	unsigned long	len[DB_MAX_COLS];
	my_bool		null[DB_MAX_COLS];
	my_bool		trunc[DB_MAX_COLS];
};

static void
bind_cols(MYSQL_BIND *b, struct colstate *cs, struct db_col *cols, size_t n)
{
	size_t i;

	memset(b, 0, n * sizeof(*b));
	for (i = 0; i < n; i++) {
		b[i].length = &cs->len[i];
		b[i].is_null = &cs->null[i];
		b[i].error = &cs->trunc[i];
		if (cols[i].type == DB_T_I64) {
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &cols[i].i;
		} else {
			b[i].buffer_type = cols[i].type == DB_T_STR ?
			    MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b[i].buffer = cols[i].buf;
			/* Strings keep one byte for the terminating NUL. */
			b[i].buffer_length = (unsigned long)(cols[i].cap -
			    (cols[i].type == DB_T_STR ? 1 : 0));
		}
	}
}

static int
store_row(struct colstate *cs, struct db_col *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		cols[i].is_null = cs->null[i] != 0;
		cols[i].len = cs->null[i] ? 0 : cs->len[i];
		if (cols[i].type == DB_T_I64) {
			if (cols[i].is_null)
				cols[i].i = 0;
			continue;
		}
		if (cs->trunc[i] || cols[i].len + (cols[i].type == DB_T_STR) >
		    cols[i].cap)
			return -1;
		if (cols[i].type == DB_T_STR)
			((char *)cols[i].buf)[cols[i].len] = '\0';
	}
	return 0;
}

static int
fetch_all(struct db *db, MYSQL_STMT *st, struct db_col *cols, size_t ncols,
    int (*row)(void *), void *arg)
{
	MYSQL_BIND b[DB_MAX_COLS];
	struct colstate cs;
	int rc, rows = 0;

	memset(&cs, 0, sizeof(cs));
	bind_cols(b, &cs, cols, ncols);
	if (mysql_stmt_bind_result(st, b) != 0)
		return stmt_fail(db, st, "bind_result");
	if (mysql_stmt_store_result(st) != 0)
		return stmt_fail(db, st, "store_result");
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		if (store_row(&cs, cols, ncols) != 0) {
			snprintf(db->err, sizeof(db->err), "column too long");
			rows = DB_ERROR;
			break;
		}
		rows++;
		if (row != NULL && row(arg) != 0) {
			snprintf(db->err, sizeof(db->err), "row rejected");
			rows = DB_ERROR;
			break;
		}
	}
	if (rc == 1 && rows >= 0)
		rows = stmt_fail(db, st, "fetch");
	mysql_stmt_free_result(st);
	return rows;
}

/* One attempt; returns rows (>= 0) or a negative db_rc. */
static int
run_once(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs, struct db_col *cols, size_t ncols, int (*row)(void *),
    void *arg, uint64_t *affected)
{
	MYSQL_BIND b[DB_MAX_ARGS];
	MYSQL_STMT *st = NULL;
	int rc;

	if (nargs > DB_MAX_ARGS || ncols > DB_MAX_COLS) {
		snprintf(db->err, sizeof(db->err), "%zu parameters / %zu "
		    "columns: more than this build binds", nargs, ncols);
		return DB_ERROR;
	}
	if ((rc = connect_db(db)) != DB_OK)
		return rc;
	if ((rc = stmt_get(db, sql, &st)) != DB_OK)
		return rc;
	bind_args(b, args, nargs);
	if (nargs > 0 && mysql_stmt_bind_param(st, b) != 0)
		return stmt_fail(db, st, "bind_param");
	if (mysql_stmt_execute(st) != 0) {
		db->maybe_applied = mysql_stmt_errno(st) == CR_SERVER_LOST;
		return stmt_fail(db, st, "execute");
	}
	if (affected != NULL)
		*affected = (uint64_t)mysql_stmt_affected_rows(st);
	if (ncols == 0)
		return 0;
	return fetch_all(db, st, cols, ncols, row, arg);
}

/* Before the next attempt of a lone statement: 1-4 ms, then twice that
 * and so on, at random so that the two sides of a deadlock part. */
static void
deadlock_pause(int attempt)
{
	static _Thread_local unsigned int seed;
	struct timespec ts;
	long ms;

	if (seed == 0)
		seed = (unsigned int)(uintptr_t)&seed ^ (unsigned int)time(NULL);
	ms = (1 + rand_r(&seed) % 4) << (attempt - 1);
	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A SELECT: running it twice changes nothing. */
static int
is_read(const char *sql)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n')
		sql++;
	return strncasecmp(sql, "SELECT", 6) == 0;
}

static int
run(struct db *db, const char *sql, const struct db_arg *args, size_t nargs,
    struct db_col *cols, size_t ncols, int (*row)(void *), void *arg,
    uint64_t *affected)
{
	int rc, i;

	db->maybe_applied = 0;
	rc = run_once(db, sql, args, nargs, cols, ncols, row, arg, affected);
	if (rc == DB_STALE) {
		/* Failed before any effect: safe to retry, even in a
		 * transaction. */
		stmt_forget(db, sql);
		rc = run_once(db, sql, args, nargs, cols, ncols, row, arg,
		    affected);
		if (rc == DB_STALE)
			rc = DB_ERROR;
	}
	/*
	 * A statement on its own (autocommit) that lost a deadlock or a
	 * Galera certification was rolled back whole, before any row
	 * reached the caller: run it again. (Inside a transaction the whole
	 * transaction is gone and its caller reruns it; a lock wait timeout
	 * has waited long enough already.)
	 */
	for (i = 1; rc == DB_RETRY && !db->in_tx && row == NULL &&
	    db->last_errno == ER_LOCK_DEADLOCK && i < DB_LONE_ATTEMPTS; i++) {
		deadlock_pause(i);
		rc = run_once(db, sql, args, nargs, cols, ncols, row, arg,
		    affected);
	}
	if (rc == DB_DOWN && !db->in_tx && (!db->maybe_applied ||
	    is_read(sql))) {
		disconnect(db);
		rc = run_once(db, sql, args, nargs, cols, ncols, row, arg,
		    affected);
	}
	if (rc == DB_DOWN)
		disconnect(db);
	return rc;
}

int
db_exec(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs, uint64_t *affected)
{
	int rc = run(db, sql, args, nargs, NULL, 0, NULL, NULL, affected);

	return rc > 0 ? DB_OK : rc;
}

int
db_exec_one(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs)
{
	uint64_t n = 0;
	int rc = db_exec(db, sql, args, nargs, &n);

	return rc == DB_OK && n == 0 ? DB_NOT_FOUND : rc;
}

int
db_exists(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs)
{
	struct db_col c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.type = DB_T_I64;
	rc = db_query(db, sql, args, nargs, &c, 1, NULL, NULL);
	if (rc < 0)
		return rc;
	return rc > 0 ? DB_OK : DB_NOT_FOUND;
}

int
db_count(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs, int64_t *n)
{
	struct db_col c = db_out(DB_T_I64, NULL, 0);
	int rc;

	*n = 0;
	if ((rc = db_query(db, sql, args, nargs, &c, 1, NULL, NULL)) < 0)
		return rc;
	if (rc > 0)
		*n = c.i;
	return DB_OK;
}

int
db_query(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs, struct db_col *cols, size_t ncols, int (*row)(void *),
    void *arg)
{
	return run(db, sql, args, nargs, cols, ncols, row, arg, NULL);
}

void
db_forget(struct db *db, const char *sql)
{
	stmt_forget(db, sql);
}

int
db_begin(struct db *db)
{
	int rc;

	if (db->in_tx)
		return DB_ERROR;
	if (connect_db(db) != DB_OK)
		return DB_DOWN;
	if (mysql_query(db->my, "START TRANSACTION") != 0) {
		rc = classify(mysql_errno(db->my));
		snprintf(db->err, sizeof(db->err), "begin: %s",
		    mysql_error(db->my));
		disconnect(db);
		/* The link may have died while idle: one fresh try. */
		if (rc != DB_DOWN || connect_db(db) != DB_OK ||
		    mysql_query(db->my, "START TRANSACTION") != 0)
			return rc;
	}
	db->in_tx = 1;
	return DB_OK;
}

int
db_commit(struct db *db)
{
	int rc = DB_OK;

	if (db->my == NULL || !db->in_tx)
		return DB_ERROR;
	if (mysql_commit(db->my) != 0) {
		rc = classify(mysql_errno(db->my));
		snprintf(db->err, sizeof(db->err), "commit: %s",
		    mysql_error(db->my));
		/* DB_RETRY: on Galera a commit that lost certification
		 * against a write of another node. */
		if (rc != DB_DOWN && rc != DB_RETRY)
			rc = DB_ERROR;
		mysql_rollback(db->my);
		if (rc == DB_DOWN)
			disconnect(db);
	}
	db->in_tx = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db->my != NULL && db->in_tx)
		mysql_rollback(db->my);
	db->in_tx = 0;
}
