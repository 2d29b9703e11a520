/*
 * db_baseline - the database part of a hot path alone: the statements one
 * request of that path runs (through the server's own store functions),
 * without HTTP, FastCGI or cryptography, by T threads at once for S
 * seconds. What the lookup caches serve (application by key, a caller's
 * grant in the verify paths) is left out, as in a warm worker.
 *
 * Modes (-m) and what one request is; KEYS are the ids on the command line
 * or in -f FILE, dealt to the threads round-robin:
 *   verify    KEYS activation ids. BEGIN; act_lock; act_store_counter
 *             (ctr + 1, the same ctr_data); COMMIT (/v2/signature/verify)
 *   approve   KEYS activation ids, -p FILE pending operation ids (one per
 *             request). BEGIN; act_lock; act_store_counter; op_lock;
 *             op_approve; COMMIT (mobile operation/authorize)
 *   token     KEYS token ids. token_get; replay_insert of a fresh nonce
 *             (/v2/token/verify)
 *   list      KEYS token ids. token_get; replay_insert; op_list_for_device;
 *             op_display_get per operation type (mobile operation/list)
 *   status    KEYS activation ids. act_get (/pa/v3/activation/status)
 *   opcreate  KEYS activation ids (their users get the operations), -U
 *             caller. users_has_app; op_template_get; the user's
 *             registration; op_insert; op_get (POST /v2/operations)
 *   regcreate KEYS user-id prefixes, -a application, -U caller.
 *             users_has_app; apps_get; reg_insert (POST /v2/registrations)
 *   actcreate -a application, -p FILE activation codes of CREATED
 *             registrations (one per request), -k a 3.3 temporary key id
 *             (optional). [tkey_get x 2]; replay_insert x 2; BEGIN;
 *             act_lock_by_code; act_store_exchange; COMMIT
 *             (/pa/v3/activation/create)
 * Each thread has its own connection, made from the configuration file the
 * server uses. verify and approve put every activation's ctr back at the
 * end (ctr_data is never changed, so the rows stay usable for signing);
 * the other modes leave what they wrote (operations and registrations
 * expire in a day, so the housekeeping job leaves them alone meanwhile).
 *
 * Not a test: it asserts nothing about speed. Output, one "name value" a
 * line: mode, threads, seconds, ops, ops_per_s, mean_ms, p50_ms, p90_ms,
 * p99_ms, max_ms, errors, exhausted (threads that ran out of -p entries).
 * Exit status 1 when any request failed.
 */
#include <config.h>

#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/timeutil.h"
#include "common/uuid.h"
#include "crypto/activation_code.h"
#include "crypto/primitives.h"
#include "latency.h"
#include "store/activations.h"
#include "store/apps.h"
#include "store/db.h"
#include "store/operations.h"
#include "store/registrations.h"
#include "store/replay.h"
#include "store/templates.h"
#include "store/temporary_keys.h"
#include "store/tokens.h"
#include "store/users.h"

#define PROG		"db_baseline"
#define THREADS_MAX	1024
#define IDS_MAX		10000000
#define EXHAUSTED	100	/* a request found the -p pool empty */
#define DAY_MS		(86400 * (int64_t)1000)
#define LIST_MAX	100	/* MTOKEN_LIST_MAX */

enum mode {
	M_VERIFY, M_APPROVE, M_TOKEN, M_LIST, M_STATUS, M_OPCREATE,
	M_REGCREATE, M_ACTCREATE
};

static const char *const MODES[] = {
	"verify", "approve", "token", "list", "status", "opcreate",
	"regcreate", "actcreate"
};

struct ctx {
	const struct config	*cfg;
	enum mode		 mode;
	int64_t			 caller;	/* -U */
	const char		*app_id;	/* -a */
	const char		*temp_key;	/* -k */
	char			**pool;		/* -p */
	size_t			 npool, next;
	pthread_mutex_t		 lock;		/* next */
	pthread_barrier_t	 ready;		/* all threads connected */
	pthread_barrier_t	 go;		/* deadline_us is set */
	uint64_t		 deadline_us;
};

/* What a thread reads and writes, allocated once (the rows are large). */
struct scratch {
	struct act_row		act;
	struct token_view	tv;
	struct op_row		op;
	struct op_template	tpl;
	struct op_display	disp;
	struct app_row		app;
	struct tkey_row		tkey;
	char			disp_type[OP_NAME_MAX + 1];
	char			addl[512];
	char			user_id[REG_USER_MAX + 1];
	char			app_id[APP_ID_MAX + 1];
};

struct thr {
	struct ctx		*ctx;
	const char		*id;
	long			 index;
	long			 seq;
	pthread_t		 tid;
	struct latency		 lat;
	uint64_t		 end_us;
	long			 errors;
	int			 exhausted;
	struct scratch		*s;
	struct db		*db;
	char			 err[300];
};

/* The next entry of the -p pool, NULL when it is used up. */
static const char *
pool_next(struct ctx *x)
{
	const char *p = NULL;

	pthread_mutex_lock(&x->lock);
	if (x->next < x->npool)
		p = x->pool[x->next++];
	pthread_mutex_unlock(&x->lock);
	return p;
}

/* The verify path's lock and counter update (inside a transaction). */
static int
advance_counter(struct db *db, const char *id, struct act_row *row)
{
	struct act_counter c;
	int rc;

	if ((rc = act_lock(db, id, row)) != DB_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	c.id = id;
	c.ctr = row->ctr + 1;
	c.ctr_data = row->ctr_data;
	c.failed_attempts = row->failed_attempts;
	c.used = 1;
	return act_store_counter(db, &c);
}

/* COMMIT after rc == DB_OK, else ROLLBACK; the outcome. */
static int
finish(struct db *db, int rc)
{
	if (rc == DB_OK)
		return db_commit(db);
	db_rollback(db);
	return rc;
}

static int
tx_verify(struct thr *t)
{
	int rc;

	if ((rc = db_begin(t->db)) != DB_OK)
		return rc;
	return finish(t->db, advance_counter(t->db, t->id, &t->s->act));
}

static int
tx_approve(struct thr *t)
{
	struct reg_scope all = { 0, 1 };
	const char *op = pool_next(t->ctx);
	int rc;

	if (op == NULL)
		return EXHAUSTED;
	if ((rc = db_begin(t->db)) != DB_OK)
		return rc;
	rc = advance_counter(t->db, t->id, &t->s->act);
	if (rc == DB_OK)
		rc = op_lock(t->db, &all, op, &t->s->op);
	if (rc == DB_OK)
		rc = op_approve(t->db, op, t->s->addl);
	return finish(t->db, rc);
}

/* A token check: the token with its activation, then its fresh nonce. */
static int
token_use(struct thr *t)
{
	uint8_t h[32];
	int rc;

	if ((rc = token_get(t->db, t->id, &t->s->tv)) != DB_OK)
		return rc;
	if (pa_random(h, sizeof(h)) != 0)
		return DB_ERROR;
	return replay_insert(t->db, REPLAY_SCOPE_TOKEN, h, time_now_ms() +
	    7200 * 1000);
}

static int
tx_token(struct thr *t)
{
	return token_use(t);
}

/* One listed operation: its display, looked up once per type. */
static int
list_row(const struct op_row *r, void *arg)
{
	struct thr *t = arg;
	struct scratch *s = t->s;
	int rc;

	if (strcmp(s->disp_type, r->operation_type) == 0)
		return 0;
	rc = op_display_get(t->db, r->operation_type, "en", &s->disp);
	memcpy(s->disp_type, r->operation_type, sizeof(s->disp_type));
	return rc == DB_OK || rc == DB_NOT_FOUND ? 0 : -1;
}

static int
tx_list(struct thr *t)
{
	struct token_view *v = &t->s->tv;
	int rc;

	if ((rc = token_use(t)) != DB_OK)
		return rc;
	t->s->disp_type[0] = '\0';
	return op_list_for_device(t->db, v->user_id, v->app_id,
	    v->token.activation_id, LIST_MAX, list_row, t);
}

static int
tx_status(struct thr *t)
{
	return act_get(t->db, t->id, &t->s->act);
}

static int
tx_opcreate(struct thr *t)
{
	struct reg_scope all = { 0, 1 };
	struct scratch *s = t->s;
	struct op_row *r = &s->op;
	char id[REG_ID_LEN + 1];
	int rc;

	if ((rc = users_has_app(t->db, t->ctx->caller, s->app_id)) !=
	    DB_OK || (rc = op_template_get(t->db, "default.login",
	    &s->tpl)) != DB_OK || (rc = op_user_has_registration(t->db,
	    s->user_id, s->app_id, NULL)) != DB_OK)
		return rc;
	memset(r, 0, sizeof(*r));
	if (uuid_v4_generate(r->id) != 0)
		return DB_ERROR;
	memcpy(r->app_id, s->app_id, sizeof(r->app_id));
	memcpy(r->user_id, s->user_id, sizeof(r->user_id));
	memcpy(r->template_name, s->tpl.name, sizeof(r->template_name));
	memcpy(r->operation_type, s->tpl.operation_type,
	    sizeof(r->operation_type));
	snprintf(r->data, sizeof(r->data), "%s", s->tpl.data_template);
	strcpy(r->parameters, "{}");
	strcpy(r->additional_data, "{}");
	memcpy(r->signature_types, s->tpl.signature_types,
	    sizeof(r->signature_types));
	r->max_failures = s->tpl.max_failures;
	strcpy(r->language, "en");
	r->expires_ms = time_now_ms() + DAY_MS;
	if ((rc = op_insert(t->db, r)) != DB_OK)
		return rc;
	memcpy(id, r->id, sizeof(id));
	return op_get(t->db, &all, id, r);
}

static int
tx_regcreate(struct thr *t)
{
	struct scratch *s = t->s;
	struct reg_new n;
	char id[REG_ID_LEN + 1], code[ACTIVATION_CODE_LEN + 1];
	char user[REG_USER_MAX + 1], enc[200];
	uint8_t pub[65];
	int rc;

	if ((rc = users_has_app(t->db, t->ctx->caller, t->ctx->app_id)) !=
	    DB_OK || (rc = apps_get(t->db, t->ctx->app_id, &s->app)) !=
	    DB_OK)
		return rc;
	if (uuid_v4_generate(id) != 0 || activation_code_generate(code) != 0
	    || pa_random(pub, sizeof(pub)) != 0)
		return DB_ERROR;
	pub[0] = 4;
	/* as long as a real encrypted key; never decrypted */
	memset(enc, 'k', sizeof(enc) - 1);
	enc[sizeof(enc) - 1] = '\0';
	snprintf(user, sizeof(user), "%s-%ld-%ld", t->id, t->index, t->seq++);
	memset(&n, 0, sizeof(n));
	n.id = id;
	n.app_id = t->ctx->app_id;
	n.user_id = user;
	n.code = code;
	n.code_signature = "MEUCIQDbenchbenchbenchbenchbenchbenchbench"
	    "benchbenchAiAbenchbenchbenchbenchbenchbenchbenchbenchbench";
	n.server_private_key_enc = enc;
	n.server_public_key = pub;
	n.server_public_key_len = sizeof(pub);
	n.max_failed_attempts = 5;
	n.commit_phase = "ON_KEY_EXCHANGE";
	n.flags = "[]";
	n.expires_ms = time_now_ms() + DAY_MS;
	return reg_insert(t->db, &n);
}

static int
tx_actcreate(struct thr *t)
{
	struct scratch *s = t->s;
	struct act_exchange x;
	const char *code = pool_next(t->ctx);
	uint8_t h[32], pub[65], ctr[16];
	int rc, i;

	if (code == NULL)
		return EXHAUSTED;
	for (i = 0; i < 2; i++) {	/* level 1 and level 2 envelopes */
		if (t->ctx->temp_key != NULL && (rc = tkey_get(t->db,
		    t->ctx->temp_key, &s->tkey)) != DB_OK)
			return rc;
		if (pa_random(h, sizeof(h)) != 0)
			return DB_ERROR;
		if ((rc = replay_insert(t->db, REPLAY_SCOPE_APPLICATION, h,
		    time_now_ms() + 600 * 1000)) != DB_OK)
			return rc;
	}
	if (pa_random(pub, sizeof(pub)) != 0 ||
	    pa_random(ctr, sizeof(ctr)) != 0)
		return DB_ERROR;
	pub[0] = 4;
	if ((rc = db_begin(t->db)) != DB_OK)
		return rc;
	rc = act_lock_by_code(t->db, t->ctx->app_id, code, &s->act);
	if (rc == DB_OK) {
		memset(&x, 0, sizeof(x));
		x.id = s->act.id;
		x.status = REG_ACTIVE;
		x.device_public_key = pub;
		x.device_public_key_len = sizeof(pub);
		x.ctr_data = ctr;
		x.master_secret_enc = "Abenchbenchbenchbenchbenchbenchbench"
		    "benchbenchbenchbenchbenchbenchbenchbenchbenchbenchQ==";
		x.fingerprint = "12345678";
		x.name = "db_baseline";
		x.platform = "android";
		x.device_info = "db_baseline";
		x.protocol_version = 3;
		rc = act_store_exchange(t->db, &x);
	}
	return finish(t->db, rc);
}

static int (*const TX[])(struct thr *) = {
	tx_verify, tx_approve, tx_token, tx_list, tx_status, tx_opcreate,
	tx_regcreate, tx_actcreate
};

/* What a thread looks up before the clock starts. */
static int
prepare(struct thr *t)
{
	struct scratch *s = t->s;
	int rc;

	switch (t->ctx->mode) {
	case M_APPROVE:
		snprintf(s->addl, sizeof(s->addl), "{\"activationId\":\"%s\","
		    "\"applicationId\":\"db_baseline\",\"ipAddress\":"
		    "\"127.0.0.1\",\"userAgent\":\"PowerAuthNetworking/1.0 "
		    "(en; cellular) com.example.bank/1.0 (Apple; iOS/17.0; "
		    "iphone15,2)\",\"authFactor\":\"POSSESSION_KNOWLEDGE\"}",
		    t->id);
		return DB_OK;
	case M_OPCREATE:
		if ((rc = act_get(t->db, t->id, &s->act)) != DB_OK)
			return rc;
		memcpy(s->user_id, s->act.user_id, sizeof(s->user_id));
		memcpy(s->app_id, s->act.app_id, sizeof(s->app_id));
		return DB_OK;
	default:
		return DB_OK;
	}
}

static void *
worker(void *arg)
{
	struct thr *t = arg;
	uint64_t t0, t1;
	int ready, rc;

	t->db = db_new(t->ctx->cfg);
	t->s = calloc(1, sizeof(*t->s));
	ready = t->db != NULL && t->s != NULL && db_ping(t->db) == DB_OK &&
	    prepare(t) == DB_OK;
	if (!ready)
		snprintf(t->err, sizeof(t->err), "connect/prepare %s: %s",
		    t->id, t->db != NULL ? db_last_error(t->db) :
		    "out of memory");
	pthread_barrier_wait(&t->ctx->ready);
	pthread_barrier_wait(&t->ctx->go);
	if (!ready) {
		t->errors++;
		goto fail;
	}
	for (;;) {
		t0 = time_mono_us();
		if (t0 >= t->ctx->deadline_us)
			break;
		if ((rc = TX[t->ctx->mode](t)) == EXHAUSTED) {
			t->exhausted = 1;
			break;
		}
		if (rc != DB_OK) {
			snprintf(t->err, sizeof(t->err), "%s: %s (%d)", t->id,
			    db_last_error(t->db), rc);
			t->errors++;
			break;
		}
		t1 = time_mono_us();
		if (latency_add(&t->lat, t1 - t0) != 0) {
			snprintf(t->err, sizeof(t->err), "out of memory");
			t->errors++;
			break;
		}
	}
fail:
	t->end_us = time_mono_us();
	free(t->s);
	t->s = NULL;
	db_free(t->db);
	t->db = NULL;
	return NULL;
}

/* The ctr of each id before the run (to put back afterwards). */
static int
read_ctrs(struct db *db, char **ids, size_t n, int64_t *ctr)
{
	struct act_row *row = malloc(sizeof(*row));
	size_t i;
	int rc = 0;

	if (row == NULL)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		if (act_get(db, ids[i], row) != DB_OK)
			rc = -1;
		else
			ctr[i] = row->ctr;
	}
	free(row);
	return rc;
}

/* One id's ctr back, keeping its current counter data and failures. */
static int
restore_ctr(struct db *db, const char *id, int64_t ctr, struct act_row *row)
{
	struct act_counter c;

	if (db_begin(db) != DB_OK)
		return -1;
	memset(&c, 0, sizeof(c));
	if (act_lock(db, id, row) == DB_OK) {
		c.id = id;
		c.ctr = ctr;
		c.ctr_data = row->ctr_data;
		c.failed_attempts = row->failed_attempts;
		if (act_store_counter(db, &c) == DB_OK &&
		    db_commit(db) == DB_OK)
			return 0;
	}
	db_rollback(db);
	return -1;
}

static int
restore_ctrs(struct db *db, char **ids, size_t n, const int64_t *ctr)
{
	struct act_row *row = malloc(sizeof(*row));
	size_t i;
	int rc = 0;

	if (row == NULL)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		rc = restore_ctr(db, ids[i], ctr[i], row);
	free(row);
	return rc;
}

/* Words from a file, one a line (blank lines skipped). */
static int
read_words(const char *path, char ***out, size_t *n)
{
	char line[256], **v = NULL, **nv;
	size_t len, cap = 0;
	FILE *fp;
	int rc = -1;

	*n = 0;
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		len = strcspn(line, "\r\n \t");
		line[len] = '\0';
		if (len == 0)
			continue;
		if (*n >= IDS_MAX)
			goto fail;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto fail;
			v = nv;
		}
		if ((v[*n] = strdup(line)) == NULL)
			goto fail;
		(*n)++;
	}
	rc = ferror(fp) ? -1 : 0;
fail:
	fclose(fp);
	*out = v;
	return rc;
}

static void
free_words(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: " PROG " [-c CONFIG] [-m MODE] [-t THREADS] "
	    "[-s SECONDS] [-p POOL_FILE]\n"
	    "           [-a APP_ID] [-U CALLER_ID] [-k TEMP_KEY_ID] "
	    "(-f KEYS_FILE | KEY...)\n"
	    "  runs one hot path's statements without HTTP or crypto;\n"
	    "  thread i uses key i mod count (see the header of db_baseline.c)"
	    "\n"
	    "  -m MODE     verify (default), approve, token, list, status,\n"
	    "              opcreate, regcreate, actcreate\n"
	    "  -c FILE     paserv configuration (as paserv-admin -c)\n"
	    "  -t THREADS  concurrent connections (32)\n"
	    "  -s SECONDS  duration (10; fractions allowed)\n"
	    "  -p FILE     approve: pending operation ids; actcreate: "
	    "activation codes\n"
	    "  -a APP_ID   regcreate, actcreate: the application\n"
	    "  -U ID       opcreate, regcreate: the caller's cloud_user id\n"
	    "  -k ID       actcreate: a 3.3 temporary key id to read\n");
}

static void
report(struct ctx *x, struct thr *th, long nthreads, uint64_t start_us)
{
	struct latency all = LATENCY_INIT;
	uint64_t end_us = start_us;
	long i, errors = 0, exhausted = 0;
	double secs, sum = 0;
	size_t k;

	for (i = 0; i < nthreads; i++) {
		if (latency_merge(&all, &th[i].lat) != 0)
			errors++;
		if (th[i].end_us > end_us)
			end_us = th[i].end_us;
		errors += th[i].errors;
		exhausted += th[i].exhausted;
		if (th[i].err[0])
			fprintf(stderr, PROG ": thread %ld: %s\n", i,
			    th[i].err);
	}
	latency_sort(&all);
	for (k = 0; k < all.n; k++)
		sum += all.us[k];
	secs = (double)(end_us - start_us) / 1e6;
	printf("mode %s\nthreads %ld\nseconds %.3f\nops %zu\nops_per_s %.1f\n"
	    "mean_ms %.3f\np50_ms %.3f\np90_ms %.3f\np99_ms %.3f\n"
	    "max_ms %.3f\nerrors %ld\nexhausted %ld\n", MODES[x->mode],
	    nthreads, secs, all.n, secs > 0 ? (double)all.n / secs : 0,
	    all.n > 0 ? sum / (double)all.n / 1000.0 : 0,
	    latency_pct_ms(&all, 50), latency_pct_ms(&all, 90),
	    latency_pct_ms(&all, 99), latency_pct_ms(&all, 100), errors,
	    exhausted);
	if (exhausted > 0)
		fprintf(stderr, PROG ": %ld threads ran out of -p entries "
		    "before the deadline\n", exhausted);
	latency_free(&all);
}

static int
parse_mode(const char *s, enum mode *m)
{
	size_t i;

	for (i = 0; i < sizeof(MODES) / sizeof(MODES[0]); i++)
		if (strcmp(s, MODES[i]) == 0) {
			*m = (enum mode)i;
			return 0;
		}
	return -1;
}

/* The options each mode needs are there. */
static int
options_ok(const struct ctx *x, int have_pool, int have_keys)
{
	int pool = x->mode == M_APPROVE || x->mode == M_ACTCREATE;

	if (pool != have_pool || (x->mode != M_ACTCREATE && !have_keys))
		return 0;
	if ((x->mode == M_OPCREATE || x->mode == M_REGCREATE) &&
	    x->caller <= 0)
		return 0;
	if ((x->mode == M_REGCREATE || x->mode == M_ACTCREATE) &&
	    x->app_id == NULL)
		return 0;
	return 1;
}

int
main(int argc, char **argv)
{
	const char *path = NULL, *idfile = NULL, *poolfile = NULL;
	static const char *const none[] = { "-" };
	struct config cfg;
	struct ctx ctx;
	struct thr *th = NULL;
	struct db *db = NULL;
	char **ids = NULL, err[512], *end;
	int64_t *ctr = NULL;
	long nthreads = 32, i, started = 0, errors = 0;
	double secs = 10;
	size_t nids = 0;
	uint64_t start_us;
	int c, rc = 1, owned = 0, counters;

	memset(&ctx, 0, sizeof(ctx));
	while ((c = getopt(argc, argv, "c:t:s:f:m:p:a:U:k:h")) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 't':
			nthreads = strtol(optarg, NULL, 10);
			break;
		case 's':
			secs = strtod(optarg, &end);
			if (*end != '\0')
				secs = -1;
			break;
		case 'f':
			idfile = optarg;
			break;
		case 'm':
			if (parse_mode(optarg, &ctx.mode) != 0) {
				usage(stderr);
				return 2;
			}
			break;
		case 'p':
			poolfile = optarg;
			break;
		case 'a':
			ctx.app_id = optarg;
			break;
		case 'U':
			ctx.caller = strtoll(optarg, NULL, 10);
			break;
		case 'k':
			ctx.temp_key = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > THREADS_MAX || secs < 0.05 ||
	    secs > 3600 || (idfile != NULL && optind < argc) ||
	    !options_ok(&ctx, poolfile != NULL, idfile != NULL ||
	    optind < argc)) {
		usage(stderr);
		return 2;
	}
	if (config_load(&cfg, config_default_path(path), path != NULL ||
	    getenv("PASERV_CONFIG") != NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	ctx.cfg = &cfg;
	pthread_mutex_init(&ctx.lock, NULL);
	if (idfile != NULL) {
		owned = 1;
		if (read_words(idfile, &ids, &nids) != 0 || nids == 0) {
			fprintf(stderr, PROG ": %s: no keys\n", idfile);
			goto fail;
		}
	} else if (optind < argc) {
		ids = argv + optind;
		nids = (size_t)(argc - optind);
	} else {
		ids = (char **)(uintptr_t)none;	/* actcreate: no keys */
		nids = 1;
	}
	if (poolfile != NULL && (read_words(poolfile, &ctx.pool,
	    &ctx.npool) != 0 || ctx.npool == 0)) {
		fprintf(stderr, PROG ": %s: no entries\n", poolfile);
		goto fail;
	}
	counters = ctx.mode == M_VERIFY || ctx.mode == M_APPROVE;
	if (counters && (size_t)nthreads > nids)
		fprintf(stderr, PROG ": note: %ld threads share %zu "
		    "activations (they will wait for each other's locks)\n",
		    nthreads, nids);
	if (db_library_init() != 0 || (db = db_new(&cfg)) == NULL ||
	    (ctr = calloc(nids, sizeof(*ctr))) == NULL ||
	    (th = calloc((size_t)nthreads, sizeof(*th))) == NULL) {
		fprintf(stderr, PROG ": initialisation failed\n");
		goto fail;
	}
	if (counters && read_ctrs(db, ids, nids, ctr) != 0) {
		fprintf(stderr, PROG ": cannot read the activations: %s\n",
		    db_last_error(db)[0] ? db_last_error(db) : "not found");
		goto fail;
	}
	if (pthread_barrier_init(&ctx.ready, NULL, (unsigned)nthreads + 1) ||
	    pthread_barrier_init(&ctx.go, NULL, (unsigned)nthreads + 1))
		goto fail;
	/* Connections are made before `ready`, so the clock starts on warm
	 * connections; the deadline is written between the two barriers,
	 * which order it before every thread's first read. */
	for (i = 0; i < nthreads; i++) {
		th[i].ctx = &ctx;
		th[i].index = i;
		th[i].id = ids[(size_t)i % nids];
		if (pthread_create(&th[i].tid, NULL, worker, &th[i]) != 0)
			break;
		started++;
	}
	if (started != nthreads) {
		/* Threads already waiting would block forever: give up. */
		fprintf(stderr, PROG ": cannot start %ld threads\n", nthreads);
		exit(1);
	}
	pthread_barrier_wait(&ctx.ready);
	start_us = time_mono_us();
	ctx.deadline_us = start_us + (uint64_t)(secs * 1e6);
	pthread_barrier_wait(&ctx.go);
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i].tid, NULL);
	pthread_barrier_destroy(&ctx.ready);
	pthread_barrier_destroy(&ctx.go);
	report(&ctx, th, nthreads, start_us);
	for (i = 0; i < nthreads; i++)
		errors += th[i].errors;
	if (counters && restore_ctrs(db, ids, nids, ctr) != 0) {
		fprintf(stderr, PROG ": cannot restore the counters: %s\n",
		    db_last_error(db));
		errors++;
	}
	rc = errors == 0 ? 0 : 1;
fail:
	if (th != NULL)
		for (i = 0; i < nthreads; i++)
			latency_free(&th[i].lat);
	free(th);
	free(ctr);
	db_free(db);
	if (owned)
		free_words(ids, nids);
	free_words(ctx.pool, ctx.npool);
	pthread_mutex_destroy(&ctx.lock);
	db_library_end();
	config_free(&cfg);
	return rc;
}
