/*
 * housekeeper.c - the housekeeping thread (see housekeeper.h).
 *
 * The wait between passes is a condition variable on the monotonic clock,
 * so a stop request ends it at once and clock changes do not stretch it.
 */
#include <config.h>

#include "bin/housekeeper.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "service/housekeeping.h"
#include "store/db.h"

struct housekeeper {
	const struct config	*cfg;
	pthread_t		 tid;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	atomic_int		 stop;
	char			 holder[HK_HOLDER_MAX + 1];
};

static void
report(struct db *db, enum svc_rc rc, const struct hk_counts *c)
{
	if (rc != SVC_OK)
		log_warn("housekeeping: pass failed (%s)", db_last_error(db));
	if (!c->ran)
		log_debug("housekeeping: lease held by %s", c->held_by);
	else if (c->expired > 0 || c->operations > 0 ||
	    c->temporary_keys > 0 || c->replay_entries > 0)
		log_info("housekeeping: %llu registrations and %llu operations "
		    "expired, %llu temporary keys and %llu replay entries "
		    "purged", (unsigned long long)c->expired,
		    (unsigned long long)c->operations,
		    (unsigned long long)c->temporary_keys,
		    (unsigned long long)c->replay_entries);
	if (c->ran && c->inbox_messages > 0)
		log_info("housekeeping: %llu old inbox messages purged",
		    (unsigned long long)c->inbox_messages);
	if (c->ran && (c->deliveries > 0 || c->events > 0))
		log_info("housekeeping: %llu finished webhook and push "
		    "deliveries and %llu old events purged",
		    (unsigned long long)c->deliveries,
		    (unsigned long long)c->events);
	if (c->ran && c->audit_events > 0)
		log_info("housekeeping: %llu audit events past their "
		    "retention purged", (unsigned long long)c->audit_events);
}

/* Sleeps interval seconds unless stopped first. */
static void
pause_until_next(struct housekeeper *h)
{
	struct timespec until = time_mono_deadline(1000 *
	    (int64_t)h->cfg->housekeeping_interval);

	pthread_mutex_lock(&h->mu);
	while (!atomic_load(&h->stop) &&
	    pthread_cond_timedwait(&h->cv, &h->mu, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&h->mu);
}

static void *
housekeeper_main(void *arg)
{
	struct housekeeper *h = arg;
	struct hk_counts c;
	struct db *db;
	enum svc_rc rc;

	if ((db = db_new(h->cfg)) == NULL) {
		log_error("housekeeping: out of memory, job not running");
		return NULL;
	}
	/*
	 * The first pass comes one interval after the start, not at once: a
	 * responder that dies right after its start (and is restarted by the
	 * supervisor, maybe again and again) must not take the lease and
	 * leave it held until it lapses.
	 */
	for (;;) {
		pause_until_next(h);
		if (atomic_load(&h->stop))
			break;
		rc = housekeeping_run(db, h->cfg, h->holder, &h->stop, &c);
		report(db, rc, &c);
	}
	db_free(db);
	return NULL;
}

struct housekeeper *
housekeeper_start(const struct config *cfg)
{
	struct housekeeper *h;

	if (cfg->housekeeping_interval <= 0)
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		goto fail;
	h->cfg = cfg;
	atomic_init(&h->stop, 0);
	if (housekeeping_holder_id(h->holder, sizeof(h->holder)) != 0 ||
	    time_cond_init(&h->cv) != 0)
		goto fail;
	if (pthread_mutex_init(&h->mu, NULL) != 0) {
		pthread_cond_destroy(&h->cv);
		goto fail;
	}
	if (pthread_create(&h->tid, NULL, housekeeper_main, h) != 0) {
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
		goto fail;
	}
	log_info("housekeeping every %ld s as %s", cfg->housekeeping_interval,
	    h->holder);
	return h;
fail:
	log_error("housekeeping: cannot start the job");
	free(h);
	return NULL;
}

void
housekeeper_stop(struct housekeeper *h)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	atomic_store(&h->stop, 1);
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->tid, NULL);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	free(h);
}
