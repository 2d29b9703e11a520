/*
 * metrics.c - counters in static atomic tables and their text rendering
 * (see metrics.h).
 *
 * Histogram buckets are stored per bucket (not cumulative) and summed at
 * rendering; a series whose count is zero is left out, so a scrape lists
 * only what happened (Prometheus treats a missing series as absent, and a
 * counter that appears later starts from its first value).
 */
#include <config.h>

#include "http/metrics.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

typedef atomic_uint_least64_t counter;

/* Status codes the contexts answer with; anything else is "other". */
static const int CODES[] = { 200, 201, 204, 400, 401, 403, 404, 405, 409,
    413, 500, 503 };
#define NCODES		(sizeof(CODES) / sizeof(CODES[0]) + 1)
#define NCLASSES	5	/* 1xx .. 5xx; anything else counts as 5xx */
#define UNMATCHED	METRICS_ROUTES_MAX

/* Upper bounds in microseconds, and as rendered (seconds). */
static const uint64_t BUCKET_US[METRICS_BUCKETS] = { 1000, 2500, 5000,
    10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000 };
static const char *const BUCKET_LE[METRICS_BUCKETS] = { "0.001",
    "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
    "2.5" };

static const char *const OUTCOME[METRICS_OUTCOMES] = { "valid", "invalid",
    "blocked", "rate_limited", "malformed" };
static const char *const SIG_KIND[METRICS_SIG_KINDS] = { "online",
    "offline" };
static const char *const DB_KIND[METRICS_DB_KINDS] = { "down",
    "internal" };

struct histogram {
	counter	 bucket[METRICS_BUCKETS + 1];	/* last: above every bound */
	counter	 sum_us;
};

static struct {
	const struct route	*routes;
	size_t			 nroutes;
	int64_t			 started;
	counter			 requests[METRICS_ROUTES_MAX + 1][NCODES];
	struct histogram	 latency[METRICS_ROUTES_MAX + 1][NCLASSES];
	counter			 db[METRICS_DB_KINDS];
	counter			 sig[METRICS_SIG_KINDS][METRICS_OUTCOMES];
	counter			 token[METRICS_OUTCOMES];
} M;

static void
zero(counter *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		atomic_store_explicit(&c[i], 0, memory_order_relaxed);
}

static void
bump(counter *c, uint64_t by)
{
	atomic_fetch_add_explicit(c, by, memory_order_relaxed);
}

static uint64_t
get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

int
metrics_init(const struct route *routes, size_t n)
{
	size_t r, k;

	if (n > METRICS_ROUTES_MAX)
		return -1;
	M.routes = routes;
	M.nroutes = n;
	M.started = (int64_t)time(NULL);
	for (r = 0; r <= METRICS_ROUTES_MAX; r++) {
		zero(M.requests[r], NCODES);
		for (k = 0; k < NCLASSES; k++) {
			zero(M.latency[r][k].bucket, METRICS_BUCKETS + 1);
			zero(&M.latency[r][k].sum_us, 1);
		}
	}
	zero(M.db, METRICS_DB_KINDS);
	for (k = 0; k < METRICS_SIG_KINDS; k++)
		zero(M.sig[k], METRICS_OUTCOMES);
	zero(M.token, METRICS_OUTCOMES);
	return 0;
}

int
metrics_bucket(uint64_t us)
{
	int i;

	for (i = 0; i < METRICS_BUCKETS; i++)
		if (us <= BUCKET_US[i])
			return i;
	return METRICS_BUCKETS;
}

static size_t
code_slot(int status)
{
	size_t i;

	for (i = 0; i < NCODES - 1; i++)
		if (CODES[i] == status)
			return i;
	return NCODES - 1;
}

static size_t
class_slot(int status)
{
	return status >= 100 && status < 500 ? (size_t)(status / 100 - 1) :
	    NCLASSES - 1;
}

void
metrics_request(const struct route *rt, int status, uint64_t us)
{
	size_t r = UNMATCHED;
	struct histogram *h;

	if (rt != NULL && M.routes != NULL && rt >= M.routes &&
	    rt < M.routes + M.nroutes)
		r = (size_t)(rt - M.routes);
	bump(&M.requests[r][code_slot(status)], 1);
	h = &M.latency[r][class_slot(status)];
	bump(&h->bucket[metrics_bucket(us)], 1);
	bump(&h->sum_us, us);
}

void
metrics_db_error(enum metrics_db kind)
{
	if ((unsigned)kind < METRICS_DB_KINDS)
		bump(&M.db[kind], 1);
}

void
metrics_signature(enum metrics_sig_kind kind, int valid, int blocked,
    int rate_limited)
{
	enum metrics_outcome o = valid ? METRICS_VALID : blocked ?
	    METRICS_BLOCKED : rate_limited ? METRICS_RATE_LIMITED :
	    METRICS_INVALID;

	if ((unsigned)kind < METRICS_SIG_KINDS)
		bump(&M.sig[kind][o], 1);
}

void
metrics_signature_malformed(enum metrics_sig_kind kind)
{
	if ((unsigned)kind < METRICS_SIG_KINDS)
		bump(&M.sig[kind][METRICS_MALFORMED], 1);
}

void
metrics_token(enum metrics_outcome r)
{
	if (r == METRICS_VALID || r == METRICS_INVALID ||
	    r == METRICS_MALFORMED)
		bump(&M.token[r], 1);
}

void
metrics_family(struct buf *out, const char *name, const char *type,
    const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

void
metrics_escape(struct buf *out, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			buf_append_str(out, "\\\\");
		else if (*v == '"')
			buf_append_str(out, "\\\"");
		else if (*v == '\n')
			buf_append_str(out, "\\n");
		else
			buf_append_byte(out, (uint8_t)*v);
	}
}

void
metrics_sample(struct buf *out, const char *name, const char *label,
    const char *value, int64_t n)
{
	buf_append_str(out, name);
	if (label != NULL) {
		buf_printf(out, "{%s=\"", label);
		metrics_escape(out, value);
		buf_append_str(out, "\"}");
	}
	buf_printf(out, " %lld\n", (long long)n);
}

/* The route label of table slot r: "POST /v2/operations" or unmatched. */
static void
route_label(struct buf *out, size_t r)
{
	buf_append_str(out, "route=\"");
	if (r == UNMATCHED)
		buf_append_str(out, "unmatched");
	else {
		metrics_escape(out, M.routes[r].method);
		buf_append_byte(out, ' ');
		metrics_escape(out, M.routes[r].pattern);
	}
	buf_append_byte(out, '"');
}

static int
route_used(size_t r)
{
	return r == UNMATCHED || r < M.nroutes;
}

static void
render_requests(struct buf *out)
{
	size_t r, c;
	uint64_t n;

	metrics_family(out, "paserv_http_requests_total", "counter",
	    "Requests answered, by route pattern and status code.");
	for (r = 0; r <= METRICS_ROUTES_MAX; r++) {
		for (c = 0; c < NCODES && route_used(r); c++) {
			if ((n = get(&M.requests[r][c])) == 0)
				continue;
			buf_append_str(out, "paserv_http_requests_total{");
			route_label(out, r);
			if (c < NCODES - 1)
				buf_printf(out, ",code=\"%d\"} ", CODES[c]);
			else
				buf_append_str(out, ",code=\"other\"} ");
			buf_printf(out, "%llu\n", (unsigned long long)n);
		}
	}
}

static void
render_histogram(struct buf *out, size_t r, size_t k)
{
	static const char name[] = "paserv_http_request_duration_seconds";
	struct histogram *h = &M.latency[r][k];
	uint64_t cum = 0, sum;
	int b;

	for (b = 0; b <= METRICS_BUCKETS; b++)
		cum += get(&h->bucket[b]);
	if (cum == 0)
		return;
	sum = get(&h->sum_us);
	cum = 0;
	for (b = 0; b <= METRICS_BUCKETS; b++) {
		cum += get(&h->bucket[b]);
		buf_printf(out, "%s_bucket{", name);
		route_label(out, r);
		buf_printf(out, ",class=\"%zuxx\",le=\"%s\"} %llu\n", k + 1,
		    b < METRICS_BUCKETS ? BUCKET_LE[b] : "+Inf",
		    (unsigned long long)cum);
	}
	buf_printf(out, "%s_sum{", name);
	route_label(out, r);
	buf_printf(out, ",class=\"%zuxx\"} %llu.%06llu\n", k + 1,
	    (unsigned long long)(sum / 1000000),
	    (unsigned long long)(sum % 1000000));
	buf_printf(out, "%s_count{", name);
	route_label(out, r);
	buf_printf(out, ",class=\"%zuxx\"} %llu\n", k + 1,
	    (unsigned long long)cum);
}

static void
render_latency(struct buf *out)
{
	size_t r, k;

	metrics_family(out, "paserv_http_request_duration_seconds",
	    "histogram", "Time from reading a request to having written its "
	    "answer, by route pattern and status class.");
	for (r = 0; r <= METRICS_ROUTES_MAX; r++)
		for (k = 0; k < NCLASSES && route_used(r); k++)
			render_histogram(out, r, k);
}

static void
render_verifications(struct buf *out)
{
	size_t k, o;

	metrics_family(out, "paserv_db_errors_total", "counter",
	    "Requests answered with an error because the database was down "
	    "(kind=down) or a statement or other internal step failed "
	    "(kind=internal).");
	for (k = 0; k < METRICS_DB_KINDS; k++)
		metrics_sample(out, "paserv_db_errors_total", "kind",
		    DB_KIND[k], (int64_t)get(&M.db[k]));
	metrics_family(out, "paserv_signature_verifications_total", "counter",
	    "Signature verifications of the verify endpoints, by kind and "
	    "result.");
	for (k = 0; k < METRICS_SIG_KINDS; k++)
		for (o = 0; o < METRICS_OUTCOMES; o++)
			buf_printf(out, "paserv_signature_verifications_total"
			    "{kind=\"%s\",result=\"%s\"} %llu\n", SIG_KIND[k],
			    OUTCOME[o], (unsigned long long)get(&M.sig[k][o]));
	metrics_family(out, "paserv_token_verifications_total", "counter",
	    "MAC token verifications of /v2/token/verify, by result.");
	for (o = 0; o < METRICS_OUTCOMES; o++)
		if (o == METRICS_VALID || o == METRICS_INVALID ||
		    o == METRICS_MALFORMED)
			metrics_sample(out, "paserv_token_verifications_total",
			    "result", OUTCOME[o], (int64_t)get(&M.token[o]));
}

int
metrics_render(struct buf *out)
{
	metrics_family(out, "paserv_process_start_time_seconds", "gauge",
	    "When this responder process started its counters (Unix time).");
	metrics_sample(out, "paserv_process_start_time_seconds", NULL, NULL,
	    M.started);
	render_requests(out);
	render_latency(out);
	render_verifications(out);
	return out->failed ? -1 : 0;
}
