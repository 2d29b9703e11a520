/*
 * lookup_cache.h - short-lived, per-thread caches of lookups that hardly
 * ever change and sit on every authentication: an application by its app
 * key, and "integration user U may use application A".
 *
 * Owns: the entries (a few per responder thread, replaced round-robin),
 * their lifetime (lookup.cache_ttl seconds; 0 disables), and that only
 * found rows are cached, so a new grant or application works at once and
 * a revoked one at most cache_ttl seconds later. No durable state: a
 * worker that restarts simply asks the database again.
 * Must not: decide anything; callers get the store's answer.
 */
#ifndef PASERV_SERVICE_LOOKUP_CACHE_H
#define PASERV_SERVICE_LOOKUP_CACHE_H

#include <stdint.h>

#include "common/config.h"
#include "store/apps.h"
#include "store/db.h"

/* apps_get_by_key(), through the cache. */
int	lookup_app_by_key(struct db *db, const struct config *cfg,
	    const char *app_key, struct app_row *out);
/* users_has_app(), through the cache. */
int	lookup_has_app(struct db *db, const struct config *cfg,
	    int64_t user_id, const char *app_id);
/* Forgets this thread's entries (tests). */
void	lookup_cache_clear(void);

#endif
