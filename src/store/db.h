/*
 * db.h - one MariaDB connection (Connector/C) and prepared statements.
 *
 * Owns: connecting lazily from the configuration (UNIX socket, host/port,
 * or the first ready endpoint of the db.hosts failover list,
 * utf8mb4, UTC session time zone), a per-connection cache of prepared
 * statements, binding typed parameters and result columns, transactions,
 * and one transparent reconnect when the server went away outside a
 * transaction. A struct db belongs to one thread.
 * Must not: build SQL from values (every value is a bound parameter), log,
 * or know any table; the table modules (apps.c, users.c) hold the SQL.
 */
#ifndef PASERV_STORE_DB_H
#define PASERV_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"

#define DB_MAX_ARGS	96	/* 8 audit rows of 12 in one INSERT */
#define DB_MAX_COLS	24

enum db_rc {
	DB_OK = 0,
	DB_NOT_FOUND = 1,	/* used by table modules for "no such row" */
	DB_ERROR = -1,		/* statement failed */
	DB_DOWN = -2,		/* cannot reach the server */
	DB_DUPLICATE = -3,	/* unique key violated */
	DB_NO_PARENT = -4,	/* foreign key target missing */
	DB_RETRY = -5		/* deadlock, lock wait timeout or (Galera)
				 * lost certification: the transaction was
				 * rolled back; run it again */
};

enum db_type {
	DB_T_NULL = 0,
	DB_T_STR,		/* text; output NUL-terminated */
	DB_T_BLOB,		/* bytes */
	DB_T_I64
};

/* A bound parameter. */
struct db_arg {
	enum db_type	 type;
	const void	*p;
	size_t		 len;
	int64_t		 i;
};

/* A result column: caller-provided buffer of cap bytes for STR/BLOB. */
struct db_col {
	enum db_type	 type;
	void		*buf;
	size_t		 cap;
	size_t		 len;
	int64_t		 i;
	int		 is_null;
};

struct db;

/* Once per process, before any thread uses the library. */
int		 db_library_init(void);
void		 db_library_end(void);

/* No connection is made yet. NULL on allocation failure. */
struct db	*db_new(const struct config *cfg);
void		 db_free(struct db *db);
/* Connects if needed and checks the link: DB_OK or DB_DOWN. */
int		 db_ping(struct db *db);
/* The last server error text, for logs (never contains bound values of
 * secrets: the only values echoed are unique keys). */
const char	*db_last_error(const struct db *db);

/*
 * Runs a statement; *affected (may be NULL) gets the affected row count.
 * The connection counts found rows: an UPDATE reports the rows it matched,
 * also those it left as they were.
 */
int	db_exec(struct db *db, const char *sql, const struct db_arg *args,
	    size_t nargs, uint64_t *affected);
/* A statement meant to touch a row (update or delete by key): DB_OK, or
 * DB_NOT_FOUND when it matched none. */
int	db_exec_one(struct db *db, const char *sql, const struct db_arg *args,
	    size_t nargs);
/*
 * Runs a query; for each row fills cols and calls row(arg); row returns 0
 * to continue or -1 to abort (the call then returns DB_ERROR). A string or
 * blob longer than its buffer is an error. Returns the row count (>= 0) or
 * a negative enum db_rc.
 */
int	db_query(struct db *db, const char *sql, const struct db_arg *args,
	    size_t nargs, struct db_col *cols, size_t ncols,
	    int (*row)(void *arg), void *arg);

/*
 * Runs a query whose single column is an integer (e.g. `SELECT 1 ...
 * LIMIT 1`): DB_OK when it returned a row, DB_NOT_FOUND when it did not,
 * or a negative enum db_rc.
 */
int	db_exists(struct db *db, const char *sql, const struct db_arg *args,
	    size_t nargs);
/* A query whose single column is an integer (a COUNT): its value in *n,
 * 0 when it returned no row. DB_OK or a negative enum db_rc. */
int	db_count(struct db *db, const char *sql, const struct db_arg *args,
	    size_t nargs, int64_t *n);

/*
 * Drops the connection's prepared statement of sql, if it has one. The
 * statement cache keeps the pointer to the text: a caller that built the
 * text at run time calls this before freeing it.
 */
void	db_forget(struct db *db, const char *sql);

/* The next transaction of the connection runs at READ COMMITTED (no gap
 * locks: batch jobs and outbox claims). */
int	db_read_committed(struct db *db);

/*
 * An outbox claim in one READ COMMITTED transaction: select_sql, bound to
 * (select_arg, limit), yields due row ids (FOR UPDATE SKIP LOCKED);
 * update_sql, bound to (holder, lease_s, id), leases each. At most limit
 * ids into ids, their count in *n. DB_OK or a negative enum db_rc.
 */
int	db_claim(struct db *db, const char *select_sql, const char *select_arg,
	    const char *update_sql, const char *holder, int64_t lease_s,
	    int64_t limit, int64_t *ids, size_t *n);

int	db_begin(struct db *db);
int	db_commit(struct db *db);
void	db_rollback(struct db *db);

/* Argument builders. */
struct db_arg	db_str(const char *s);
struct db_arg	db_blob(const void *p, size_t n);
struct db_arg	db_i64(int64_t v);
/* A result column of type t into buf (cap bytes; NULL/0 for DB_T_I64). */
struct db_col	db_out(enum db_type t, void *buf, size_t cap);

#endif
