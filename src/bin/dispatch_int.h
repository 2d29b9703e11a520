/*
 * dispatch_int.h - what the two halves of paserv-dispatch share: the
 * webhook loop (dispatcher.c) and the push side (dispatch_push.c).
 *
 * Owns: the dispatcher's state (one database connection, one libcurl
 * multi handle, a pool of slots for webhook attempts and a separate pool
 * for push attempts, so that a slow push service never holds a webhook
 * back and the other way round), a slot (one easy handle in flight), and
 * the helpers both halves use (request headers, the jitter of retries).
 * Must not: be included outside src/bin/dispatch*.c.
 */
#ifndef PASERV_BIN_DISPATCH_INT_H
#define PASERV_BIN_DISPATCH_INT_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "common/buf.h"
#include "common/config.h"
#include "service/webhook.h"
#include "store/deliveries.h"
#include "store/push.h"

#define LATENCY_SAMPLES		4096
#define DISPATCH_HEADER_MAX	4160	/* one request header line */

enum slot_kind {
	SLOT_WEBHOOK = 0,
	SLOT_PUSH,		/* a push to APNs or FCM */
	SLOT_TOKEN		/* an FCM access token request */
};

struct push_auth;

/* One attempt in flight. */
struct slot {
	enum slot_kind		 kind;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*body;
	int64_t			 started_ms;
	char			 error[CURL_ERROR_SIZE];
	/* webhooks */
	struct delivery		*d;
	struct webhook_auth	 auth;
	/* push: the job, or the cache entry a token request is for */
	struct push_job		*job;
	struct push_auth	*pa;
	struct buf		 resp;	/* the answer's body (bounded) */
};

struct dispatcher {
	const struct config	*cfg;
	struct db		*db;
	CURLM			*multi;
	char			 holder[DLV_HOLDER_MAX + 1];
	struct slot		*slots;
	size_t			 nslots;
	size_t			 in_flight;
	int64_t			*claimed;
	/* totals since the start, and this report period's latencies */
	int64_t			 delivered;
	int64_t			 failed_attempts;
	int64_t			 gave_up;
	int64_t			 latency[LATENCY_SAMPLES];
	size_t			 nlatency;
	int64_t			 next_report_ms;
	/* the push side (dispatch_push.c) */
	struct slot		*pslots;
	size_t			 npslots;
	size_t			 push_in_flight;
	int64_t			*pclaimed;
	struct push_auth	*auths;		/* provider/access tokens */
	size_t			 nauths;
	int64_t			 pushed;
	int64_t			 push_failed;
	int64_t			 push_deactivated;
};

/* Frees what the slot holds and makes it free. */
void	dispatch_slot_clear(struct slot *s);
/* Adds "name: value" to the slot's request headers. 0 or -1. */
int	dispatch_add_header(struct slot *s, const char *name,
	    const char *value);
/*
 * A new easy handle in s->easy for a POST of s->body with s->headers to
 * url: http(s) only, no redirects, no signals, the dispatcher's connect
 * timeout, timeout_ms in all, errors into s->error. The caller adds how
 * the answer is read and its own options. NULL: out of memory.
 */
CURL	*dispatch_easy_post(const struct config *cfg, struct slot *s,
	    const char *url, long timeout_ms);
/* A random number in [0, 1) for the jitter of retries. */
double	dispatch_jitter(void);

/* The push side: set up its slots (0 or -1), claim and start what is
 * due (the number claimed), finish a slot libcurl reports done, whether
 * anything is due or in flight, and release everything. */
int	push_setup(struct dispatcher *x);
size_t	push_claim_start(struct dispatcher *x);
void	push_collect(struct dispatcher *x, struct slot *s, CURLcode result);
int	push_drained(struct dispatcher *x);
void	push_teardown(struct dispatcher *x);

#endif
