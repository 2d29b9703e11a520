/*
 * audit.h - SQL of the audit log (table audit_event) and of the abuse
 * counters (table abuse_counter). Owns the statements only: what is worth
 * a row, and the batching, belong to service/audit.
 */
#ifndef PASERV_STORE_AUDIT_H
#define PASERV_STORE_AUDIT_H

#include <stdint.h>

#include "store/db.h"

#define AUDIT_CATEGORY_MAX	16
#define AUDIT_ACTION_MAX	96
#define AUDIT_OUTCOME_MAX	16
#define AUDIT_ACTOR_MAX		128
#define AUDIT_ID_MAX		255	/* application and user ids */
#define AUDIT_OBJECT_MAX	64
#define AUDIT_ADDR_MAX		64
#define AUDIT_RID_MAX		64
#define AUDIT_DETAIL_MAX	255

/* One row; empty strings are stored as NULL. */
struct audit_row {
	int64_t	 id;
	int64_t	 created_ms;		/* epoch milliseconds */
	char	 category[AUDIT_CATEGORY_MAX + 1];
	char	 action[AUDIT_ACTION_MAX + 1];
	char	 outcome[AUDIT_OUTCOME_MAX + 1];
	int	 http_status;
	char	 actor[AUDIT_ACTOR_MAX + 1];
	char	 app_id[AUDIT_ID_MAX + 1];
	char	 user_id[AUDIT_ID_MAX + 1];
	char	 object_id[AUDIT_OBJECT_MAX + 1];
	char	 remote_addr[AUDIT_ADDR_MAX + 1];
	char	 request_id[AUDIT_RID_MAX + 1];
	char	 detail[AUDIT_DETAIL_MAX + 1];
};

/* Appends the n rows (their ids are ignored) in a few multi-row
 * statements. DB_OK or a negative enum db_rc. */
int	audit_insert(struct db *db, const struct audit_row *rows, size_t n);

/* What a listing selects; NULL/0 members select everything. */
struct audit_filter {
	int64_t		 before_id;	/* rows with a smaller id; 0: newest */
	int64_t		 since_ms, until_ms;	/* created_at bounds */
	const char	*category;
	const char	*outcome;
	const char	*object_id;	/* one of these three picks the index */
	const char	*user_id;
	const char	*actor;
	int		 limit;		/* 1..1000 */
};

/*
 * The rows of f, newest first; each is passed to row(r, arg), which
 * returns 0 to go on. Returns the row count or a negative enum db_rc.
 */
int	audit_list(struct db *db, const struct audit_filter *f,
	    int (*row)(const struct audit_row *r, void *arg), void *arg);

/*
 * Abuse counters: the hits of (scope, subject) in the window that starts
 * at window_start (epoch seconds). abuse_hits() reads them (0 when there
 * is no row); abuse_hit() adds one.
 */
int	abuse_hits(struct db *db, const char *scope, const char *subject,
	    int64_t window_start, int64_t *hits);
int	abuse_hit(struct db *db, const char *scope, const char *subject,
	    int64_t window_start);

#endif
