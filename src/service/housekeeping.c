/*
 * housekeeping.c - one pass of the housekeeping job (see housekeeping.h).
 *
 * Bounded statements keep every transaction short: a backlog of a million
 * expired rows never turns into one long lock on activation, and the
 * request path's row locks wait for at most one batch.
 */
#include <config.h>

#include "service/housekeeping.h"

#include <openssl/rand.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/timeutil.h"

/* Renew the lease once a third of it has passed. */
#define RENEW_AFTER_MS	(HOUSEKEEPING_LEASE_TTL * 1000 / 3)

struct pass {
	struct db		*db;
	const char		*holder;
	const atomic_int	*stop;
	int64_t			 batch;
	int64_t			 inbox_days;	/* 0: inbox kept */
	int64_t			 audit_days;	/* audit.retention_days */
	int64_t			 taken_ms;	/* when the lease was last taken */
	int			 lost;		/* lease gone: stop working */
	struct hk_counts	*out;
};

/* The statements of a pass in order, and the count each adds to. */
static const struct {
	enum hk_batch	kind;
	size_t		counter;	/* offset in struct hk_counts */
} STEPS[] = {
	{ HK_EXPIRE_CREATED, offsetof(struct hk_counts, expired) },
	{ HK_EXPIRE_PENDING_COMMIT, offsetof(struct hk_counts, expired) },
	{ HK_EXPIRE_OPERATIONS, offsetof(struct hk_counts, operations) },
	{ HK_PURGE_TEMPORARY_KEYS, offsetof(struct hk_counts,
	    temporary_keys) },
	{ HK_PURGE_REPLAY, offsetof(struct hk_counts, replay_entries) },
	{ HK_PURGE_DELIVERIES, offsetof(struct hk_counts, deliveries) },
	{ HK_PURGE_PUSH_DELIVERIES, offsetof(struct hk_counts, deliveries) },
	{ HK_PURGE_EVENTS, offsetof(struct hk_counts, events) },
	{ HK_PURGE_DISPATCHERS, offsetof(struct hk_counts, dispatchers) },
	{ HK_PURGE_INBOX, offsetof(struct hk_counts, inbox_messages) },
	{ HK_PURGE_AUDIT, offsetof(struct hk_counts, audit_events) },
	{ HK_PURGE_ABUSE, offsetof(struct hk_counts, abuse_counters) },
};

int
housekeeping_holder_id(char *out, size_t cap)
{
	char host[65];
	uint8_t r[4];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	if (cap > HK_HOLDER_MAX + 1)
		cap = HK_HOLDER_MAX + 1;
	if (snprintf(out, cap, "%s:%ld:%02x%02x%02x%02x", host, (long)getpid(),
	    r[0], r[1], r[2], r[3]) >= (int)cap)
		return -1;
	return 0;
}

static int
stopping(const struct pass *p)
{
	return p->lost || (p->stop != NULL && atomic_load(p->stop));
}

/* Keeps the lease while a long pass goes on; gives up if it was lost. */
static enum svc_rc
keep_lease(struct pass *p)
{
	int taken, rc;

	if (time_now_ms() - p->taken_ms < RENEW_AFTER_MS)
		return SVC_OK;
	rc = hk_lease_take(p->db, HOUSEKEEPING_LEASE, p->holder,
	    HOUSEKEEPING_LEASE_TTL, &taken, p->out->held_by,
	    sizeof(p->out->held_by));
	if (rc != DB_OK)
		return svc_from_db(rc, SVC_INTERNAL);
	p->taken_ms = time_now_ms();
	p->lost = !taken;
	return SVC_OK;
}

/* The retention in days of a purge by age; 0 for the other kinds. */
static int64_t
step_arg(const struct pass *p, enum hk_batch kind)
{
	return kind == HK_PURGE_INBOX ? p->inbox_days :
	    kind == HK_PURGE_AUDIT ? p->audit_days : 0;
}

/* Runs kind until a statement changes fewer than batch rows. */
static enum svc_rc
drain(struct pass *p, enum hk_batch kind, uint64_t *total)
{
	uint64_t n;
	enum svc_rc rc;
	int dbrc;

	if (kind == HK_PURGE_INBOX && p->inbox_days <= 0)
		return SVC_OK;
	do {
		if (stopping(p))
			return SVC_OK;
		if ((dbrc = hk_batch(p->db, kind, step_arg(p, kind), p->batch,
		    &n)) != DB_OK)
			return svc_from_db(dbrc, SVC_INTERNAL);
		*total += n;
		p->out->statements++;
		if ((rc = keep_lease(p)) != SVC_OK)
			return rc;
	} while (n >= (uint64_t)p->batch);
	return SVC_OK;
}

enum svc_rc
housekeeping_run(struct db *db, const struct config *cfg, const char *holder,
    const atomic_int *stop, struct hk_counts *out)
{
	struct pass p;
	enum svc_rc rc;
	size_t i;
	int taken, dbrc;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.db = db;
	p.holder = holder;
	p.stop = stop;
	p.batch = cfg->housekeeping_batch > 0 ? cfg->housekeeping_batch : 1;
	p.inbox_days = cfg->inbox_retention_days;
	p.audit_days = cfg->audit_retention_days;
	p.out = out;
	dbrc = hk_lease_take(db, HOUSEKEEPING_LEASE, holder,
	    HOUSEKEEPING_LEASE_TTL, &taken, out->held_by,
	    sizeof(out->held_by));
	if (dbrc != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	if (!taken)
		return SVC_OK;
	out->ran = 1;
	p.taken_ms = time_now_ms();
	rc = SVC_OK;
	for (i = 0; rc == SVC_OK && i < sizeof(STEPS) / sizeof(STEPS[0]); i++)
		rc = drain(&p, STEPS[i].kind,
		    (uint64_t *)(void *)((char *)out + STEPS[i].counter));
	/* A lease that is not released lapses after its TTL anyway. */
	if (!p.lost)
		(void)hk_lease_release(db, HOUSEKEEPING_LEASE, holder);
	return rc;
}
