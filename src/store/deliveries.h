/*
 * deliveries.h - the dispatcher's side of callback_delivery (schema/009).
 *
 * Owns: the SQL that claims due deliveries (one transaction at READ
 * COMMITTED, rows locked with SKIP LOCKED so dispatchers on many hosts
 * never claim the same row, a delivery only when no earlier one of the
 * same callback and object is pending, callbacks whose circuit breaker is
 * open and those given in a JSON array left out), reads what an attempt needs (event payload and callback
 * configuration), records an attempt's outcome (only while the claim is
 * still the caller's), the shared circuit breaker of a callback, the
 * dispatcher status rows, and the queue figures.
 * Must not: decide backoff, build payloads or send anything.
 */
#ifndef PASERV_STORE_DELIVERIES_H
#define PASERV_STORE_DELIVERIES_H

#include <stddef.h>
#include <stdint.h>

#include "store/callbacks.h"
#include "store/db.h"

#define DLV_HOLDER_MAX		128
#define DLV_EVENT_TYPE_MAX	16

/* One claimed delivery with everything an attempt needs. */
struct delivery {
	int64_t	 id;
	char	 callback_id[CB_ID_LEN + 1];
	char	 object_id[CB_ID_LEN + 1];
	char	 event_uuid[CB_ID_LEN + 1];
	char	 event_type[DLV_EVENT_TYPE_MAX + 1];	/* ACTIVATION... */
	int64_t	 attempts;		/* made before this one */
	char	 payload[CB_PAYLOAD_MAX + 1];	/* the event, JSON */
	char	 url[CB_URL_MAX + 1];
	char	 attributes[CB_ATTRS_MAX + 1];
	char	 auth_enc[CB_AUTH_ENC_MAX + 1];	/* "" when none */
	char	 secret_enc[CB_SECRET_ENC_MAX + 1];
	int64_t	 max_attempts;
	int64_t	 initial_backoff_ms;
	int64_t	 backoff_multiplier_pct;
	int64_t	 max_backoff_ms;
};

/* What one report of a dispatcher says (dispatcher_status). */
struct dispatcher_report {
	const char	*holder;
	int64_t		 in_flight;
	int64_t		 delivered;
	int64_t		 failed_attempts;
	int64_t		 gave_up;
	int64_t		 latency_p50_ms;
	int64_t		 latency_p99_ms;
};

/* The queue as a whole. */
struct delivery_counts {
	int64_t	 pending;
	int64_t	 due;		/* pending and due now, not claimed */
	int64_t	 failed;	/* given up, still kept */
	int64_t	 oldest_due_ms;	/* age of the oldest due one; 0: none */
};

/*
 * Claims at most limit due deliveries for lease_s seconds under holder,
 * leaving out callbacks listed in exclude_json (a JSON array of ids).
 * ids receives the claimed ids; *n their number. DB_OK or an error (then
 * nothing is claimed).
 */
int	dlv_claim(struct db *db, const char *holder, int64_t lease_s,
	    const char *exclude_json, int64_t limit, int64_t *ids, size_t *n);
/* What an attempt of delivery id needs. DB_OK, DB_NOT_FOUND, ... */
int	dlv_load(struct db *db, int64_t id, struct delivery *out);
/* The attempt succeeded (HTTP status http): DELIVERED. The callback's
 * failures in a row are reset. */
int	dlv_succeeded(struct db *db, const struct delivery *d,
	    const char *holder, long http);
/*
 * The attempt failed (http 0: no answer): counted, and either due again
 * after delay_ms or, with give_up, FAILED. The callback's failures in a
 * row grow; at breaker_failures its breaker opens for breaker_open_s.
 */
int	dlv_failed(struct db *db, const struct delivery *d, const char *holder,
	    long http, const char *error, int give_up, int64_t delay_ms,
	    int64_t breaker_failures, int64_t breaker_open_s);
/* Upserts the dispatcher's status row; started once per holder. */
int	dlv_report(struct db *db, const struct dispatcher_report *r);
int	dlv_counts(struct db *db, struct delivery_counts *out);

/* A dispatcher's last report as stored. */
struct dispatcher_row {
	char	 holder[DLV_HOLDER_MAX + 1];
	int64_t	 started_ms;
	int64_t	 updated_ms;
	int64_t	 in_flight;
	int64_t	 delivered;
	int64_t	 failed_attempts;
	int64_t	 gave_up;
	int64_t	 latency_p50_ms;
	int64_t	 latency_p99_ms;
};

/* Every dispatcher status row, most recently updated first. */
int	dlv_dispatchers(struct db *db,
	    int (*fn)(const struct dispatcher_row *, void *), void *arg);

#endif
