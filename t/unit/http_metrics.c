/* Metrics: histogram bucketing, label escaping, the text rendering. */
#include <config.h>

#include <string.h>

#include "http/metrics.h"
#include "tap.h"

static void
h(struct worker *w, struct request *r, struct response *s)
{
	(void)w;
	(void)r;
	(void)s;
}

static const struct route R[] = {
	{ "GET", "/actuator/health", h, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/v2/operations", h, ROUTE_AUTH_USER, NULL, 0 },
	{ "GET", "/odd\"path\\x", h, ROUTE_AUTH_NONE, NULL, 0 },
};
#define NR (sizeof(R) / sizeof(R[0]))

static int
has(const char *text, const char *line)
{
	return strstr(text, line) != NULL;
}

static void
check(const char *text, const char *line)
{
	char name[200];
	size_t i;

	for (i = 0; line[i] != '\0' && i < sizeof(name) - 1; i++)
		name[i] = line[i] == '\n' ? ' ' : line[i];
	name[i] = '\0';
	if (!tap_ok(has(text, line), "renders %s", name))
		tap_diag("%s", text);
}

int
main(void)
{
	struct buf b = BUF_INIT, e = BUF_INIT;
	struct route many[METRICS_ROUTES_MAX + 1];
	const char *text;
	int i;

	tap_ok(metrics_bucket(0) == 0, "0 us: first bucket");
	tap_ok(metrics_bucket(1000) == 0, "1 ms: le 0.001 (inclusive)");
	tap_ok(metrics_bucket(1001) == 1, "1.001 ms: le 0.0025");
	tap_ok(metrics_bucket(2500000) == METRICS_BUCKETS - 1, "2.5 s: last");
	tap_ok(metrics_bucket(2500001) == METRICS_BUCKETS, "above: +Inf");

	metrics_escape(&e, "a\"b\\c\nd");
	tap_str(buf_cstr(&e), "a\\\"b\\\\c\\nd", "label value escaped");
	buf_free(&e);

	for (i = 0; i <= METRICS_ROUTES_MAX; i++)
		many[i] = R[0];
	tap_ok(metrics_init(many, METRICS_ROUTES_MAX + 1) == -1,
	    "too many routes refused");
	tap_ok(metrics_init(R, NR) == 0, "init");

	metrics_request(&R[1], 200, 800);		/* bucket 0 */
	metrics_request(&R[1], 200, 30000);		/* le 0.05 */
	metrics_request(&R[1], 400, 3000000);		/* +Inf, 4xx */
	metrics_request(&R[1], 418, 10);		/* code other */
	metrics_request(NULL, 404, 100);
	metrics_request(&R[2], 204, 100);
	metrics_db_error(METRICS_DB_DOWN);
	metrics_db_error(METRICS_DB_DOWN);
	metrics_signature(METRICS_SIG_ONLINE, 1, 0, 0);
	metrics_signature(METRICS_SIG_ONLINE, 0, 1, 0);
	metrics_signature(METRICS_SIG_OFFLINE, 0, 0, 1);
	metrics_signature_malformed(METRICS_SIG_ONLINE);
	metrics_token(METRICS_INVALID);
	metrics_token(METRICS_BLOCKED);		/* not a token outcome */

	tap_ok(metrics_render(&b) == 0, "rendered");
	text = buf_cstr(&b);
	check(text, "# HELP paserv_http_requests_total ");
	check(text, "# TYPE paserv_http_requests_total counter\n");
	check(text, "\npaserv_http_requests_total{route=\"POST "
	    "/v2/operations\",code=\"200\"} 2\n");
	check(text, "\npaserv_http_requests_total{route=\"POST "
	    "/v2/operations\",code=\"400\"} 1\n");
	check(text, "\npaserv_http_requests_total{route=\"POST "
	    "/v2/operations\",code=\"other\"} 1\n");
	check(text, "\npaserv_http_requests_total{route=\"unmatched\","
	    "code=\"404\"} 1\n");
	check(text, "\npaserv_http_requests_total{route=\"GET /odd\\\"path"
	    "\\\\x\",code=\"204\"} 1\n");
	tap_ok(!has(text, "route=\"GET /actuator/health\""),
	    "a route never called is left out");
	check(text, "# TYPE paserv_http_request_duration_seconds histogram\n");
	check(text, "paserv_http_request_duration_seconds_bucket{route=\"POST "
	    "/v2/operations\",class=\"2xx\",le=\"0.001\"} 1\n");
	check(text, "paserv_http_request_duration_seconds_bucket{route=\"POST "
	    "/v2/operations\",class=\"2xx\",le=\"0.025\"} 1\n");
	check(text, "paserv_http_request_duration_seconds_bucket{route=\"POST "
	    "/v2/operations\",class=\"2xx\",le=\"0.05\"} 2\n");
	check(text, "paserv_http_request_duration_seconds_bucket{route=\"POST "
	    "/v2/operations\",class=\"2xx\",le=\"+Inf\"} 2\n");
	check(text, "paserv_http_request_duration_seconds_sum{route=\"POST "
	    "/v2/operations\",class=\"2xx\"} 0.030800\n");
	check(text, "paserv_http_request_duration_seconds_count{route=\"POST "
	    "/v2/operations\",class=\"2xx\"} 2\n");
	check(text, "paserv_http_request_duration_seconds_bucket{route=\"POST "
	    "/v2/operations\",class=\"4xx\",le=\"2.5\"} 1\n");
	check(text, "paserv_http_request_duration_seconds_bucket{route=\"POST "
	    "/v2/operations\",class=\"4xx\",le=\"+Inf\"} 2\n");
	check(text, "paserv_http_request_duration_seconds_sum{route=\"POST "
	    "/v2/operations\",class=\"4xx\"} 3.000010\n");
	check(text, "paserv_db_errors_total{kind=\"down\"} 2\n");
	check(text, "paserv_db_errors_total{kind=\"internal\"} 0\n");
	check(text, "paserv_signature_verifications_total{kind=\"online\","
	    "result=\"valid\"} 1\n");
	check(text, "paserv_signature_verifications_total{kind=\"online\","
	    "result=\"blocked\"} 1\n");
	check(text, "paserv_signature_verifications_total{kind=\"online\","
	    "result=\"malformed\"} 1\n");
	check(text, "paserv_signature_verifications_total{kind=\"offline\","
	    "result=\"rate_limited\"} 1\n");
	check(text, "paserv_token_verifications_total{result=\"invalid\"} 1\n");
	tap_ok(!has(text, "paserv_token_verifications_total{result=\"blocked"),
	    "no blocked token series");
	tap_ok(text[strlen(text) - 1] == '\n', "ends with a newline");
	buf_free(&b);

	tap_ok(metrics_init(R, NR) == 0, "init again");
	tap_ok(metrics_render(&b) == 0 && !has(buf_cstr(&b),
	    "paserv_http_requests_total{"), "init resets the counters");
	buf_free(&b);
	return tap_done();
}
