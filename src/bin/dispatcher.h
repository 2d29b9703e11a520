/*
 * dispatcher.h - the delivery loop of paserv-dispatch: webhooks here,
 * pushes in dispatch_push.c (doc/push.md), both on one multi handle from
 * separate pools of slots (dispatch_int.h).
 *
 * Owns: one database connection and one libcurl multi handle; claiming
 * due deliveries (store/deliveries.h) while fewer than
 * dispatch.concurrency attempts are in flight and fewer than
 * dispatch.per_callback go to any one callback; each attempt as a
 * concurrent HTTP POST with the signature headers and the callback's
 * receiver authentication, bounded by dispatch.connect_timeout_ms and
 * dispatch.timeout_ms; recording each outcome (2xx delivered; anything
 * else retried after the callback's backoff, or given up after its
 * maxAttempts); the status row it reports every few seconds.
 * Must not: hold any state the next dispatcher would need: a claim that
 * is never finished lapses after dispatch.lease seconds and is sent again
 * (at least once; the webhook-id tells a receiver it has seen it).
 */
#ifndef PASERV_BIN_DISPATCHER_H
#define PASERV_BIN_DISPATCHER_H

#include <signal.h>

#include "common/config.h"

/*
 * Runs until *stop is set (then lets attempts in flight finish), or with
 * drain set until nothing is due and nothing is in flight. 0, or -1 when
 * it could not start.
 */
int	dispatcher_run(const struct config *cfg, volatile sig_atomic_t *stop,
	    int drain);

#endif
