/*
 * db_baseline - the database part of a signature verification alone: the
 * transaction of /v2/signature/verify (service/sigauth.c) without HTTP,
 * FastCGI or cryptography, run by T threads at once for S seconds.
 *
 * Each thread loops on its own activation (ids are dealt round-robin):
 *   BEGIN; SELECT ... FOR UPDATE (act_lock); UPDATE activation SET ctr ...
 *   (act_store_counter: ctr + 1, the same ctr_data); COMMIT
 * over its own connection, made from the configuration file the server
 * uses. At the end every activation's ctr is put back to what it was
 * (ctr_data is never changed, so the rows stay usable for signing).
 *
 * Not a test: it asserts nothing about speed. Output, one "name value" a
 * line: threads, seconds, ops, ops_per_s, p50_ms, p99_ms, max_ms, errors.
 * Exit status 1 when any transaction failed.
 */
#include <config.h>

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/timeutil.h"
#include "latency.h"
#include "store/activations.h"
#include "store/db.h"

#define PROG		"db_baseline"
#define THREADS_MAX	1024
#define IDS_MAX		100000

struct ctx {
	const struct config	*cfg;
	pthread_barrier_t	 ready;		/* all threads connected */
	pthread_barrier_t	 go;		/* deadline_us is set */
	uint64_t		 deadline_us;
};

struct thr {
	struct ctx		*ctx;
	const char		*id;
	pthread_t		 tid;
	struct latency		 lat;
	uint64_t		 end_us;
	long			 errors;
	char			 err[300];
};

/* One verify-shaped transaction on activation id. */
static int
one_tx(struct db *db, const char *id, struct act_row *row)
{
	struct act_counter c;
	int rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = act_lock(db, id, row)) == DB_OK) {
		memset(&c, 0, sizeof(c));
		c.id = id;
		c.ctr = row->ctr + 1;
		c.ctr_data = row->ctr_data;
		c.failed_attempts = row->failed_attempts;
		c.used = 1;
		rc = act_store_counter(db, &c);
	}
	if (rc == DB_OK)
		return db_commit(db);
	db_rollback(db);
	return rc;
}

static void *
worker(void *arg)
{
	struct thr *t = arg;
	struct act_row *row = NULL;
	struct db *db;
	uint64_t t0, t1;
	int ready;

	db = db_new(t->ctx->cfg);
	row = malloc(sizeof(*row));
	ready = db != NULL && row != NULL && db_ping(db) == DB_OK;
	if (!ready)
		snprintf(t->err, sizeof(t->err), "connect: %s", db != NULL ?
		    db_last_error(db) : "out of memory");
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
		if (one_tx(db, t->id, row) != DB_OK) {
			snprintf(t->err, sizeof(t->err), "%s: %s", t->id,
			    db_last_error(db));
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
	free(row);
	db_free(db);
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

/* Activation ids from a file, one a line (blank lines skipped). */
static int
read_ids(const char *path, char ***ids, size_t *n)
{
	char line[256], **v = NULL, **nv;
	size_t len;
	FILE *fp;
	int rc = -1;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		len = strcspn(line, "\r\n \t");
		line[len] = '\0';
		if (len == 0)
			continue;
		if (*n >= IDS_MAX ||
		    (nv = realloc(v, (*n + 1) * sizeof(*v))) == NULL)
			goto fail;
		v = nv;
		if ((v[*n] = strdup(line)) == NULL)
			goto fail;
		(*n)++;
	}
	rc = ferror(fp) ? -1 : 0;
fail:
	fclose(fp);
	*ids = v;
	return rc;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: " PROG " [-c CONFIG] [-t THREADS] [-s SECONDS] "
	    "(-f IDS_FILE | ACTIVATION_ID...)\n"
	    "  runs the verify transaction (lock, counter update, commit) on\n"
	    "  existing activations; thread i uses id i mod count\n"
	    "  -c FILE     paserv configuration (as paserv-admin -c)\n"
	    "  -t THREADS  concurrent connections (32)\n"
	    "  -s SECONDS  duration (10)\n");
}

static void
report(struct thr *th, long nthreads, uint64_t start_us)
{
	struct latency all = LATENCY_INIT;
	uint64_t end_us = start_us;
	long i, errors = 0;
	double secs;

	for (i = 0; i < nthreads; i++) {
		if (latency_merge(&all, &th[i].lat) != 0)
			errors++;
		if (th[i].end_us > end_us)
			end_us = th[i].end_us;
		errors += th[i].errors;
		if (th[i].err[0])
			fprintf(stderr, PROG ": thread %ld: %s\n", i,
			    th[i].err);
	}
	latency_sort(&all);
	secs = (double)(end_us - start_us) / 1e6;
	printf("threads %ld\nseconds %.2f\nops %zu\nops_per_s %.1f\n"
	    "p50_ms %.2f\np99_ms %.2f\nmax_ms %.2f\nerrors %ld\n", nthreads,
	    secs, all.n, secs > 0 ? (double)all.n / secs : 0,
	    latency_pct_ms(&all, 50), latency_pct_ms(&all, 99),
	    latency_pct_ms(&all, 100), errors);
	latency_free(&all);
}

int
main(int argc, char **argv)
{
	const char *path = NULL, *idfile = NULL;
	struct config cfg;
	struct ctx ctx;
	struct thr *th = NULL;
	struct db *db = NULL;
	char **ids = NULL, err[512];
	int64_t *ctr = NULL;
	long nthreads = 32, secs = 10, i, started = 0, errors = 0;
	size_t nids = 0, k;
	uint64_t start_us;
	int c, rc = 1, owned = 0;

	while ((c = getopt(argc, argv, "c:t:s:f:h")) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 't':
			nthreads = strtol(optarg, NULL, 10);
			break;
		case 's':
			secs = strtol(optarg, NULL, 10);
			break;
		case 'f':
			idfile = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > THREADS_MAX || secs < 1 ||
	    secs > 3600 || (idfile == NULL) == (optind >= argc)) {
		usage(stderr);
		return 2;
	}
	if (config_load(&cfg, config_default_path(path), path != NULL ||
	    getenv("PASERV_CONFIG") != NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	if (idfile != NULL) {
		owned = 1;
		if (read_ids(idfile, &ids, &nids) != 0 || nids == 0) {
			fprintf(stderr, PROG ": %s: no activation ids\n",
			    idfile);
			goto fail;
		}
	} else {
		ids = argv + optind;
		nids = (size_t)(argc - optind);
	}
	if ((size_t)nthreads > nids)
		fprintf(stderr, PROG ": note: %ld threads share %zu "
		    "activations (they will wait for each other's locks)\n",
		    nthreads, nids);
	if (db_library_init() != 0 || (db = db_new(&cfg)) == NULL ||
	    (ctr = calloc(nids, sizeof(*ctr))) == NULL ||
	    (th = calloc((size_t)nthreads, sizeof(*th))) == NULL) {
		fprintf(stderr, PROG ": initialisation failed\n");
		goto fail;
	}
	if (read_ctrs(db, ids, nids, ctr) != 0) {
		fprintf(stderr, PROG ": cannot read the activations: %s\n",
		    db_last_error(db)[0] ? db_last_error(db) : "not found");
		goto fail;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	if (pthread_barrier_init(&ctx.ready, NULL, (unsigned)nthreads + 1) ||
	    pthread_barrier_init(&ctx.go, NULL, (unsigned)nthreads + 1))
		goto fail;
	/* Connections are made before `ready`, so the clock starts on warm
	 * connections; the deadline is written between the two barriers,
	 * which order it before every thread's first read. */
	for (i = 0; i < nthreads; i++) {
		th[i].ctx = &ctx;
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
	ctx.deadline_us = start_us + (uint64_t)secs * 1000000;
	pthread_barrier_wait(&ctx.go);
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i].tid, NULL);
	pthread_barrier_destroy(&ctx.ready);
	pthread_barrier_destroy(&ctx.go);
	report(th, nthreads, start_us);
	for (i = 0; i < nthreads; i++)
		errors += th[i].errors;
	if (restore_ctrs(db, ids, nids, ctr) != 0) {
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
	if (owned) {
		for (k = 0; k < nids; k++)
			free(ids[k]);
		free(ids);
	}
	db_library_end();
	config_free(&cfg);
	return rc;
}
