/* lookup_cache.c - per-thread lookup caches (see lookup_cache.h). */
#include <config.h>

#include "service/lookup_cache.h"

#include <openssl/crypto.h>
#include <string.h>

#include "common/timeutil.h"
#include "store/users.h"

#define APP_SLOTS	8
#define GRANT_SLOTS	32

struct app_slot {
	int64_t		until_ms;
	struct app_row	row;
};

struct grant_slot {
	int64_t		until_ms;
	int64_t		user_id;
	char		app_id[APP_ID_MAX + 1];
};

static _Thread_local struct app_slot apps[APP_SLOTS];
static _Thread_local unsigned app_next;
static _Thread_local struct grant_slot grants[GRANT_SLOTS];
static _Thread_local unsigned grant_next;

int
lookup_app_by_key(struct db *db, const struct config *cfg,
    const char *app_key, struct app_row *out)
{
	int64_t now = time_now_ms();
	struct app_slot *s;
	size_t i;
	int rc;

	for (i = 0; cfg->lookup_cache_ttl > 0 && i < APP_SLOTS; i++)
		if (apps[i].until_ms > now &&
		    strcmp(apps[i].row.app_key, app_key) == 0) {
			memcpy(out, &apps[i].row, sizeof(*out));
			return DB_OK;
		}
	rc = apps_get_by_key(db, app_key, out);
	if (rc == DB_OK && cfg->lookup_cache_ttl > 0) {
		s = &apps[app_next++ % APP_SLOTS];
		memcpy(&s->row, out, sizeof(*out));
		s->until_ms = now + 1000 * (int64_t)cfg->lookup_cache_ttl;
	}
	return rc;
}

int
lookup_has_app(struct db *db, const struct config *cfg, int64_t user_id,
    const char *app_id)
{
	int64_t now = time_now_ms();
	struct grant_slot *s;
	size_t i;
	int rc;

	for (i = 0; cfg->lookup_cache_ttl > 0 && i < GRANT_SLOTS; i++)
		if (grants[i].until_ms > now && grants[i].user_id == user_id &&
		    strcmp(grants[i].app_id, app_id) == 0)
			return DB_OK;
	rc = users_has_app(db, user_id, app_id);
	if (rc == DB_OK && cfg->lookup_cache_ttl > 0 &&
	    strlen(app_id) <= APP_ID_MAX) {
		s = &grants[grant_next++ % GRANT_SLOTS];
		s->user_id = user_id;
		strcpy(s->app_id, app_id);
		s->until_ms = now + 1000 * (int64_t)cfg->lookup_cache_ttl;
	}
	return rc;
}

void
lookup_cache_clear(void)
{
	OPENSSL_cleanse(apps, sizeof(apps));
	memset(grants, 0, sizeof(grants));
	app_next = grant_next = 0;
}
