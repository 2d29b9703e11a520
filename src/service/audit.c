/*
 * audit.c - the audit queue and its writer thread (see audit.h).
 */
#include <config.h>

#include "service/audit.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "common/log.h"
#include "common/timeutil.h"

struct writer {
	const struct config	*cfg;
	pthread_t		 tid;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 stop;
	struct audit_row	*ring;		/* AUDIT_QUEUE_MAX rows */
	size_t			 head, count;
	struct audit_row	*batch;		/* the writer's copy */
};

static pthread_mutex_t the_mu = PTHREAD_MUTEX_INITIALIZER;
static struct writer *the;		/* guarded by the_mu */
static atomic_ullong dropped;
static atomic_int warned_full;

void
audit_copy(char *dst, size_t cap, const char *src)
{
	size_t i;

	if (cap == 0)
		return;
	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < cap; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ?
		    '?' : src[i];
	dst[i] = '\0';
}

const char *
audit_outcome(int status)
{
	if (status >= 200 && status < 300)
		return "OK";
	if (status == 401 || status == 403)
		return "DENIED";
	if (status >= 400 && status < 500)
		return "REJECTED";
	return "ERROR";
}

/* Route prefixes of both contexts and their categories. */
static const struct {
	const char	*prefix;
	const char	*category;
} CATEGORIES[] = {
	{ "/v2/registrations", "REGISTRATION" },
	{ "/v2/signature", "SIGNATURE" },
	{ "/v2/authentication", "SIGNATURE" },
	{ "/v2/token", "TOKEN" },
	{ "/v2/operations", "OPERATION" },
	{ "/v2/inbox", "INBOX" },
	{ "/v2/messages", "PUSH" },
	{ "/v2/admin", "ADMIN" },
	{ "/admin", "ADMIN" },
	{ "/pa/v3/activation", "REGISTRATION" },
	{ "/pa/v3/upgrade", "REGISTRATION" },
	{ "/pa/v3/signature", "SIGNATURE" },
	{ "/pa/v3/token", "TOKEN" },
	{ "/pa/v3/vault", "VAULT" },
	{ "/pa/v3/keystore", "ENCRYPTION" },
	{ "/api/auth/token/app/operation", "OPERATION" },
	{ "/api/push", "PUSH" },
	{ "/api/inbox", "INBOX" },
};

/* Routes that only read, whatever their method (the mobile API POSTs). */
static const char *const READ_SUFFIXES[] = {
	"/status", "/list", "/detail", "/history", "/count", "/metrics",
	"/health", "/webhooks", "/deliveries",
};

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

const char *
audit_category_of(const char *method, const char *pattern, int status)
{
	const char *cat = NULL;
	size_t i;
	int refused = status == 401 || status == 403 || status == 429;

	if (pattern == NULL || strcmp(pattern, "/internal/auth") == 0)
		return NULL;
	for (i = 0; i < sizeof(CATEGORIES) / sizeof(CATEGORIES[0]); i++)
		if (strncmp(pattern, CATEGORIES[i].prefix,
		    strlen(CATEGORIES[i].prefix)) == 0) {
			cat = CATEGORIES[i].category;
			break;
		}
	if (refused)
		return cat != NULL ? cat : "AUTH";
	if (cat == NULL || method == NULL || strcmp(method, "GET") == 0 ||
	    strcmp(method, "HEAD") == 0)
		return NULL;
	for (i = 0; i < sizeof(READ_SUFFIXES) / sizeof(READ_SUFFIXES[0]); i++)
		if (ends_with(pattern, READ_SUFFIXES[i]))
			return NULL;
	return cat;
}

void
audit_record(const struct audit_req *q)
{
	struct audit_row r;
	char action[AUDIT_ACTION_MAX + 1];

	memset(&r, 0, sizeof(r));
	snprintf(action, sizeof(action), "%s %s",
	    q->method != NULL ? q->method : "-",
	    q->pattern != NULL ? q->pattern : "-");
	audit_copy(r.category, sizeof(r.category), q->category);
	audit_copy(r.action, sizeof(r.action), action);
	audit_copy(r.outcome, sizeof(r.outcome), q->outcome != NULL ?
	    q->outcome : audit_outcome(q->status));
	r.http_status = q->status;
	audit_copy(r.actor, sizeof(r.actor), q->actor);
	audit_copy(r.app_id, sizeof(r.app_id), q->app_id);
	audit_copy(r.user_id, sizeof(r.user_id), q->user_id);
	audit_copy(r.object_id, sizeof(r.object_id), q->object_id);
	audit_copy(r.remote_addr, sizeof(r.remote_addr), q->remote_addr);
	audit_copy(r.request_id, sizeof(r.request_id), q->request_id);
	audit_copy(r.detail, sizeof(r.detail), q->detail);
	audit_submit(&r);
}

uint64_t
audit_dropped(void)
{
	return (uint64_t)atomic_load(&dropped);
}

void
audit_submit(const struct audit_row *r)
{
	struct writer *w;
	struct audit_row *slot;

	pthread_mutex_lock(&the_mu);
	if ((w = the) == NULL) {
		pthread_mutex_unlock(&the_mu);
		return;			/* audit off (or stopped) */
	}
	pthread_mutex_lock(&w->mu);
	pthread_mutex_unlock(&the_mu);
	if (w->count == AUDIT_QUEUE_MAX) {
		pthread_mutex_unlock(&w->mu);
		atomic_fetch_add(&dropped, 1);
		if (atomic_exchange(&warned_full, 1) == 0)
			log_warn("audit: queue full, rows dropped until the "
			    "database takes them again");
		return;
	}
	slot = &w->ring[(w->head + w->count) % AUDIT_QUEUE_MAX];
	*slot = *r;
	if (slot->created_ms == 0)
		slot->created_ms = time_now_ms();
	if (++w->count >= AUDIT_FLUSH_ROWS)
		pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Takes up to AUDIT_FLUSH_ROWS queued rows into w->batch. */
static size_t
take(struct writer *w)
{
	size_t n = 0;

	while (n < AUDIT_FLUSH_ROWS && w->count > 0) {
		w->batch[n++] = w->ring[w->head];
		w->head = (w->head + 1) % AUDIT_QUEUE_MAX;
		w->count--;
	}
	return n;
}

/* Puts rows that could not be written back at the front of the queue
 * (as many as fit). */
static void
give_back(struct writer *w, size_t n)
{
	while (n > 0 && w->count < AUDIT_QUEUE_MAX) {
		n--;
		w->head = (w->head + AUDIT_QUEUE_MAX - 1) % AUDIT_QUEUE_MAX;
		w->ring[w->head] = w->batch[n];
		w->count++;
	}
	if (n > 0)
		atomic_fetch_add(&dropped, n);
}

/* One transaction for the batch: DB_OK or a negative enum db_rc. */
static int
write_batch(struct db *db, const struct audit_row *rows, size_t n)
{
	int rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = audit_insert(db, rows, n)) != DB_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

static void
wait_for_rows(struct writer *w)
{
	struct timespec until = time_mono_deadline(AUDIT_FLUSH_MS);

	while (!w->stop && w->count < AUDIT_FLUSH_ROWS &&
	    pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
		;
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct db *db = db_new(w->cfg);
	size_t n;
	int rc, failing = 0;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		wait_for_rows(w);
		if ((n = take(w)) == 0) {
			if (w->stop)
				break;
			continue;
		}
		pthread_mutex_unlock(&w->mu);
		rc = db != NULL ? write_batch(db, w->batch, n) : DB_ERROR;
		pthread_mutex_lock(&w->mu);
		if (rc == DB_OK) {
			if (failing)
				log_info("audit: writing again");
			failing = 0;
			atomic_store(&warned_full, 0);
			continue;
		}
		if (!failing)
			log_warn("audit: batch not written (%s), kept for "
			    "later", db != NULL ? db_last_error(db) : "no memory");
		failing = 1;
		give_back(w, n);
		if (w->stop)
			break;		/* rows left are lost: counted */
		pthread_mutex_unlock(&w->mu);
		nanosleep(&(struct timespec){ 0, 500000000L }, NULL);
		pthread_mutex_lock(&w->mu);
	}
	atomic_fetch_add(&dropped, w->count);
	w->count = 0;
	pthread_mutex_unlock(&w->mu);
	db_free(db);
	return NULL;
}

static void
writer_free(struct writer *w)
{
	free(w->ring);
	free(w->batch);
	free(w);
}

int
audit_writer_start(const struct config *cfg)
{
	struct writer *w;

	if (!cfg->audit_enabled)
		return 0;
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->ring = calloc(AUDIT_QUEUE_MAX, sizeof(*w->ring))) == NULL ||
	    (w->batch = calloc(AUDIT_FLUSH_ROWS, sizeof(*w->batch))) == NULL)
		goto fail;
	w->cfg = cfg;
	if (time_cond_init(&w->cv) != 0)
		goto fail;
	if (pthread_mutex_init(&w->mu, NULL) != 0) {
		pthread_cond_destroy(&w->cv);
		goto fail;
	}
	if (pthread_create(&w->tid, NULL, writer_main, w) != 0) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		goto fail;
	}
	pthread_mutex_lock(&the_mu);
	the = w;
	pthread_mutex_unlock(&the_mu);
	return 0;
fail:
	if (w != NULL)
		writer_free(w);
	log_error("audit: cannot start the writer");
	return -1;
}

void
audit_writer_stop(void)
{
	struct writer *w;

	pthread_mutex_lock(&the_mu);
	w = the;
	the = NULL;
	pthread_mutex_unlock(&the_mu);
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->tid, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	writer_free(w);
}

/* --- listing ------------------------------------------------------------ */

struct listing {
	json_object	*arr;
	int64_t		 last_id;
};

static void
put_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v[0] != '\0' ?
	    json_object_new_string(v) : NULL);
}

static int
on_row(const struct audit_row *r, void *arg)
{
	struct listing *l = arg;
	json_object *o = json_object_new_object();

	if (o == NULL)
		return -1;
	json_object_object_add(o, "id", json_object_new_int64(r->id));
	json_object_object_add(o, "timestamp",
	    json_object_new_int64(r->created_ms));
	put_str(o, "category", r->category);
	put_str(o, "action", r->action);
	put_str(o, "outcome", r->outcome);
	json_object_object_add(o, "httpStatus",
	    json_object_new_int(r->http_status));
	put_str(o, "actor", r->actor);
	put_str(o, "applicationId", r->app_id);
	put_str(o, "userId", r->user_id);
	put_str(o, "objectId", r->object_id);
	put_str(o, "remoteAddress", r->remote_addr);
	put_str(o, "requestId", r->request_id);
	put_str(o, "detail", r->detail);
	if (json_object_array_add(l->arr, o) != 0) {
		json_object_put(o);
		return -1;
	}
	l->last_id = r->id;
	return 0;
}

enum svc_rc
audit_query(struct db *db, const struct audit_filter *f, json_object **out,
    int64_t *next_before)
{
	struct listing l = { json_object_new_array(), 0 };
	int n;

	*out = NULL;
	*next_before = 0;
	if (l.arr == NULL)
		return SVC_INTERNAL;
	if ((n = audit_list(db, f, on_row, &l)) < 0) {
		json_object_put(l.arr);
		return svc_from_db(n, SVC_INTERNAL);
	}
	*out = l.arr;
	*next_before = n == f->limit ? l.last_id : 0;
	return SVC_OK;
}
