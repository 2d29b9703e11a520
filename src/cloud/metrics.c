/*
 * metrics.c - GET /powerauth-cloud/metrics (administrators): this
 * process's counters (http/metrics.c) and gauges read from the database
 * at scrape time, in the Prometheus text format 0.0.4. The families are
 * listed in doc/operations-guide.md "Metrics".
 */
#include <config.h>

#include <stdio.h>

#include "cloud/cloud.h"
#include "common/buf.h"
#include "http/metrics.h"
#include "service/callbacks.h"
#include "service/operations.h"
#include "service/registrations.h"
#include "service/stats.h"

#define DISPATCHER_FAMILY	"paserv_webhook_dispatcher_deliveries_total"

/* One dispatcher's three samples into the buffer arg. */
static int
add_dispatcher(const struct dispatcher_row *d, void *arg)
{
	static const char *const what[] = { "delivered", "failed",
	    "gave_up" };
	int64_t v[3] = { d->delivered, d->failed_attempts, d->gave_up };
	struct buf *b = arg;
	int i;

	for (i = 0; i < 3; i++) {
		buf_append_str(b, DISPATCHER_FAMILY "{holder=\"");
		metrics_escape(b, d->holder);
		buf_printf(b, "\",result=\"%s\"} %lld\n", what[i],
		    (long long)v[i]);
	}
	return b->failed ? -1 : 0;
}

static void
by_status(struct buf *out, const char *name, const char *help,
    const int64_t *counts, int last, const char *(*label)(int))
{
	int s;

	metrics_family(out, name, "gauge", help);
	for (s = 1; s <= last; s++)
		metrics_sample(out, name, "status", label(s), counts[s]);
}

static void
render_db(struct buf *out, const struct stats_snapshot *s,
    const struct delivery_counts *c)
{
	static const char queue[] = "paserv_webhook_queue_deliveries";
	static const char age[] = "paserv_webhook_queue_oldest_due_seconds";

	by_status(out, "paserv_registrations", "Registrations (table "
	    "activation) by status, read at scrape time.", s->registrations,
	    REG_REMOVED, registration_status_name);
	by_status(out, "paserv_operations", "Operations by status, read at "
	    "scrape time.", s->operations, OP_FAILED,
	    operation_status_name);
	metrics_family(out, queue, "gauge", "Webhook deliveries waiting "
	    "(pending), due now and not claimed (due), given up (failed).");
	metrics_sample(out, queue, "state", "pending", c->pending);
	metrics_sample(out, queue, "state", "due", c->due);
	metrics_sample(out, queue, "state", "failed", c->failed);
	metrics_family(out, age, "gauge", "Age of the oldest due webhook "
	    "delivery; 0 when none is due.");
	buf_printf(out, "%s %lld.%03lld\n", age,
	    (long long)(c->oldest_due_ms / 1000),
	    (long long)(c->oldest_due_ms % 1000));
	metrics_family(out, DISPATCHER_FAMILY, "counter", "What each "
	    "dispatcher reported since its start: deliveries made, failed "
	    "attempts, deliveries given up.");
}

void
cloud_metrics(struct worker *w, struct request *req, struct response *res)
{
	struct stats_snapshot s;
	struct delivery_counts c;
	struct buf out = BUF_INIT, dsp = BUF_INIT;
	enum svc_rc rc;

	rc = stats_collect(cloud_db(w), &s);
	if (rc == SVC_OK)
		rc = callback_queue_status(cloud_db(w), &c, add_dispatcher,
		    &dsp);
	if (rc != SVC_OK) {
		cloud_fail(w, req, res, rc, NULL);
		goto done;
	}
	metrics_render(&out);
	render_db(&out, &s, &c);
	if (dsp.len > 0)
		buf_append(&out, dsp.data, dsp.len);
	if (dsp.failed) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		goto done;
	}
	response_text(res, 200, buf_take_cstr(&out), METRICS_CONTENT_TYPE);
done:
	buf_free(&dsp);
	buf_free(&out);
}
