/*
 * metrics.h - this process's request, error and verification counters,
 * and their Prometheus text rendering (format 0.0.4).
 *
 * Owns: fixed-size tables of C11 atomics (relaxed; a scrape may see one
 * request's counter before its histogram, which Prometheus tolerates):
 * per route of the context's table (or "unmatched") and status code a
 * request counter, per route and status class a latency histogram with
 * fixed buckets, database/internal failures, signature and token
 * verification outcomes; rendering them, and the text format's helpers
 * (family header, label value escaping) for a context's own gauges.
 * Recording never allocates, locks or fails.
 * Must not: read the database, know a route's meaning, or put anything
 * but route patterns, fixed words and numbers in a label (no ids, user
 * names or header values).
 */
#ifndef PASERV_HTTP_METRICS_H
#define PASERV_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "http/router.h"

#define METRICS_ROUTES_MAX	96	/* routes of one context's table */
#define METRICS_BUCKETS		11	/* finite histogram buckets */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

enum metrics_sig_kind {
	METRICS_SIG_ONLINE = 0,		/* X-PowerAuth-Authorization */
	METRICS_SIG_OFFLINE,		/* decimal offline signature */
	METRICS_SIG_KINDS
};

enum metrics_outcome {
	METRICS_VALID = 0,
	METRICS_INVALID,	/* did not authenticate */
	METRICS_BLOCKED,	/* invalid, and this failure blocked it */
	METRICS_RATE_LIMITED,	/* possession-only, refused unchecked */
	METRICS_MALFORMED,	/* the header or data did not parse */
	METRICS_OUTCOMES
};

enum metrics_db {
	METRICS_DB_DOWN = 0,	/* the database could not be reached */
	METRICS_DB_INTERNAL,	/* a failed statement or other fault */
	METRICS_DB_KINDS
};

/*
 * Once per process, before any request: the context's route table, whose
 * patterns name the routes (the table must outlive the process's use of
 * the module). Resets every counter. -1 if n > METRICS_ROUTES_MAX.
 */
int	metrics_init(const struct route *routes, size_t n);
/* One request: its route (NULL: none matched), status and duration. */
void	metrics_request(const struct route *rt, int status, uint64_t us);
void	metrics_db_error(enum metrics_db kind);
/* valid / blocked / rate_limited as struct sigauth_result has them. */
void	metrics_signature(enum metrics_sig_kind kind, int valid,
	    int blocked, int rate_limited);
void	metrics_signature_malformed(enum metrics_sig_kind kind);
/* METRICS_VALID, METRICS_INVALID or METRICS_MALFORMED. */
void	metrics_token(enum metrics_outcome r);

/* Appends every family of this process to out. -1 when out failed. */
int	metrics_render(struct buf *out);

/* "# HELP name help\n# TYPE name type\n". */
void	metrics_family(struct buf *out, const char *name, const char *type,
	    const char *help);
/* Appends v escaped as a label value (backslash, quote, newline). */
void	metrics_escape(struct buf *out, const char *v);
/* "name{label="value"} n\n" (value escaped; label NULL: no labels). */
void	metrics_sample(struct buf *out, const char *name, const char *label,
	    const char *value, int64_t n);
/* The bucket a duration in microseconds falls in (METRICS_BUCKETS:
 * only +Inf). Exposed for tests. */
int	metrics_bucket(uint64_t us);

#endif
