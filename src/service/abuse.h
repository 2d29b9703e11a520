/*
 * abuse.h - limits on failures per client address, counted in the
 * database (table abuse_counter) so that they hold for the whole fleet:
 * unknown activation codes (guessing) and failed Basic authentication on
 * the integration API. Counting is per fixed window of abuse.window
 * seconds; a subject that reached the limit is refused until the window
 * ends. Addresses listed in abuse.exempt are never counted nor refused. Only failures are written, so honest traffic costs one indexed
 * read per guarded request.
 */
#ifndef PASERV_SERVICE_ABUSE_H
#define PASERV_SERVICE_ABUSE_H

#include "common/config.h"
#include "service/result.h"
#include "store/db.h"

#define ABUSE_ACTIVATION_CODE	"ACTIVATION_CODE"
#define ABUSE_CLOUD_AUTH	"CLOUD_AUTH"

/*
 * SVC_OK when subject may go on; SVC_THROTTLED when its failures in the
 * current window reached limit. limit 0, or no subject: no limit. A
 * database failure lets the request through (it fails on its own).
 */
enum svc_rc	abuse_check(struct db *db, const struct config *cfg,
		    const char *scope, const char *subject, long limit);
/* Counts one failure of subject (best effort). */
void		abuse_failed(struct db *db, const struct config *cfg,
		    const char *scope, const char *subject, long limit);

#endif
