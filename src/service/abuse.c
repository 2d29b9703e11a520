/*
 * abuse.c - failure limits per client address (see abuse.h).
 */
#include <config.h>

#include "service/abuse.h"

#include <string.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "store/audit.h"

static int64_t
window_start(const struct config *cfg)
{
	int64_t w = cfg->abuse_window > 0 ? cfg->abuse_window : 600;
	int64_t now = time_now_ms() / 1000;

	return now - now % w;
}

/* 1 when subject is one of the addresses of abuse.exempt. */
static int
exempt(const struct config *cfg, const char *subject)
{
	const char *p = cfg->abuse_exempt;
	size_t n = strlen(subject), len;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " ,\t");
		len = strcspn(p, " ,\t");
		if (len == n && strncmp(p, subject, n) == 0)
			return 1;
		p += len;
	}
	return 0;
}

enum svc_rc
abuse_check(struct db *db, const struct config *cfg, const char *scope,
    const char *subject, long limit)
{
	int64_t hits;

	if (limit <= 0 || subject == NULL || subject[0] == '\0' ||
	    exempt(cfg, subject))
		return SVC_OK;
	if (abuse_hits(db, scope, subject, window_start(cfg), &hits) != DB_OK)
		return SVC_OK;
	return hits >= limit ? SVC_THROTTLED : SVC_OK;
}

void
abuse_failed(struct db *db, const struct config *cfg, const char *scope,
    const char *subject, long limit)
{
	if (limit <= 0 || subject == NULL || subject[0] == '\0' ||
	    exempt(cfg, subject))
		return;
	if (abuse_hit(db, scope, subject, window_start(cfg)) != DB_OK)
		log_warn("abuse counter %s not written: %s", scope,
		    db_last_error(db));
}
