/*
 * audit.h - the audit log: what a security event row holds, the queue
 * the request threads hand rows to, and the writer thread that appends
 * them to the database in batches.
 *
 * Rows are written shortly after their request (a batch every
 * AUDIT_FLUSH_MS or when AUDIT_FLUSH_ROWS are waiting), in one transaction
 * per batch, off the request path: a verification does not wait for its
 * audit row. What may be lost: the rows of the last fraction of a second
 * when the process is killed, and rows while the queue is full because
 * the database is unreachable (counted, see audit_dropped()). The state
 * changes themselves never depend on the audit log.
 */
#ifndef PASERV_SERVICE_AUDIT_H
#define PASERV_SERVICE_AUDIT_H

#include <stdint.h>

#include <json-c/json.h>

#include "common/config.h"
#include "service/result.h"
#include "store/audit.h"

#define AUDIT_QUEUE_MAX		512
#define AUDIT_FLUSH_ROWS	64
#define AUDIT_FLUSH_MS		100

/* Starts the writer of this process (when audit.enabled). 0 ok. */
int		audit_writer_start(const struct config *cfg);
/* Writes what is queued and stops the writer. */
void		audit_writer_stop(void);
/* Queues a copy of r (created_ms 0: now). Never blocks; without a
 * writer, or with the queue full, the row is dropped and counted. */
void		audit_submit(const struct audit_row *r);
/* Rows dropped since the start of the process. */
uint64_t	audit_dropped(void);

/* A request's facts, for audit_record(); NULL members: not known. */
struct audit_req {
	const char	*category;
	const char	*method;
	const char	*pattern;	/* the route, e.g. /v2/signature/verify */
	int		 status;
	const char	*outcome;	/* NULL: the status's */
	const char	*actor;
	const char	*app_id;
	const char	*user_id;
	const char	*object_id;
	const char	*remote_addr;
	const char	*request_id;
	const char	*detail;
};
/*
 * Whether a request is kept, and under which category: NULL for what is
 * not a security event (reads that succeeded, status checks, listings,
 * health, metrics); "AUTH" for refused authentication where the route
 * has no category of its own; else the route's category (REGISTRATION,
 * SIGNATURE, TOKEN, OPERATION, VAULT, ENCRYPTION, INBOX, PUSH, ADMIN).
 */
const char	*audit_category_of(const char *method, const char *pattern,
		    int status);
/* Builds the row of q (texts truncated and cleaned) and queues it. */
void		audit_record(const struct audit_req *q);

/* Copies src into dst (cap bytes), truncated, control characters
 * replaced by '?'; NULL src gives "". */
void		audit_copy(char *dst, size_t cap, const char *src);
/* The outcome word of an HTTP status: OK, DENIED, REJECTED, ERROR. */
const char	*audit_outcome(int status);

/*
 * The rows a listing selects as a JSON array (caller owns it), newest
 * first; *next_before: the id to pass as before_id for the next page, 0
 * when this page was the last. SVC_OK, SVC_DB_DOWN or SVC_INTERNAL.
 */
enum svc_rc	audit_query(struct db *db, const struct audit_filter *f,
		    json_object **out, int64_t *next_before);

#endif
