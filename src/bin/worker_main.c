/* worker_main.c - options, configuration and lifetime of a worker
 * (see worker_main.h). */
#include <config.h>

#include "bin/worker_main.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bin/audit_hook.h"
#include "common/log.h"
#include "crypto/primitives.h"
#include "service/audit.h"
#include "service/key_cache.h"
#include "store/db.h"

#define WORKER_MMAP_THRESHOLD	(64 * 1024)

struct opts {
	const char	*config;
	const char	*listen;
	long		 threads;	/* 0: from the configuration */
};

static void
usage(const struct worker_kind *k, FILE *fp)
{
	fprintf(fp, "usage: %s [-c FILE] [--listen ADDR] [--threads N]\n"
	    "  -c, --config FILE   configuration file (default: $PASERV_CONFIG"
	    " or %s)\n"
	    "  -l, --listen ADDR   UNIX socket path or HOST:PORT (overrides "
	    "%s)\n"
	    "  -t, --threads N     responder threads (overrides "
	    "workers.threads)\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       print the version\n", k->name,
	    PASERV_SYSCONFDIR "/paserv.conf", k->listen_key);
}

/* 0 run, 1 exit 0 (help/version), -1 usage error. */
static int
parse_opts(const struct worker_kind *k, int argc, char **argv,
    struct opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "c:l:t:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 't':
			errno = 0;
			o->threads = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || o->threads < 1 ||
			    o->threads > 1024) {
				fprintf(stderr, "%s: --threads must be 1..1024\n",
				    k->name);
				return -1;
			}
			break;
		case 'h':
			usage(k, stdout);
			return 1;
		case 'V':
			printf("%s %s\n", k->name, PACKAGE_VERSION);
			return 1;
		default:
			usage(k, stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(k, stderr);
		return -1;
	}
	return 0;
}

static int
load_config(const struct worker_kind *k, const struct opts *o,
    struct config *cfg)
{
	const char *path = config_default_path(o->config);
	char err[512];
	int required = o->config != NULL || getenv("PASERV_CONFIG") != NULL;

	if (config_load(cfg, path, required, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", k->name, err);
		return -1;
	}
	if (config_require_master_key(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", k->name, err);
		config_free(cfg);
		return -1;
	}
	return 0;
}

/*
 * The context as served: the kind's context whose first responder thread
 * also starts and stops the audit writer and the kind's background job.
 * The job lives in the responder process, not in the supervisor: fork()
 * copies only the calling thread, so a supervisor with a thread could
 * hand a restarted responder locks (malloc, the MariaDB client) held by a
 * thread that no longer exists there. A restarted responder restarts it.
 */
struct served {
	struct http_app			 app;	/* first: w->app points here */
	const struct http_app		*inner;
	const struct worker_kind	*kind;
	void				*job;	/* touched by thread 0 only */
};

static struct served *
served_of(struct worker *w)
{
	return (struct served *)(void *)(uintptr_t)w->app;
}

static int
served_thread_init(struct worker *w)
{
	struct served *s = served_of(w);

	if (s->inner->thread_init != NULL && s->inner->thread_init(w) != 0)
		return -1;
	if (w->index != 0)
		return 0;
	if (audit_writer_start(w->cfg) != 0)
		log_warn("%s: running without an audit log", s->kind->name);
	if (s->kind->job_start != NULL)
		s->job = s->kind->job_start(w->cfg);
	return 0;
}

static void
served_thread_fini(struct worker *w)
{
	struct served *s = served_of(w);

	if (w->index == 0 && s->job != NULL) {
		s->kind->job_stop(s->job);
		s->job = NULL;
	}
	if (w->index == 0)
		audit_writer_stop();
	if (s->inner->thread_fini != NULL)
		s->inner->thread_fini(w);
}

static int
serve(const struct worker_kind *k, const struct opts *o,
    const struct config *cfg)
{
	struct served s;
	const struct http_app *app;
	const char *addr = o->listen != NULL ? o->listen : k->listen(cfg);
	int threads = (int)(o->threads > 0 ? o->threads :
	    cfg->workers_threads), rc;

	/*
	 * glibc gives each thread that meets a locked arena a new one, up to
	 * 8 per CPU, and each keeps its high-water mark: with a few arenas
	 * the responder's memory stays that of one request per thread.
	 */
#ifndef __SANITIZE_ADDRESS__	/* ASan's allocator has no such knobs */
	if (cfg->workers_malloc_arenas > 0 &&
	    mallopt(M_ARENA_MAX, (int)cfg->workers_malloc_arenas) != 1)
		log_warn("cannot limit malloc arenas to %ld",
		    cfg->workers_malloc_arenas);
	/*
	 * A fixed mmap threshold: a large buffer (a long operation list, a
	 * big body) is mapped and given back when freed. glibc's default
	 * raises the threshold to the largest such buffer freed, and later
	 * ones then stay in the arenas for good.
	 */
	if (mallopt(M_MMAP_THRESHOLD, WORKER_MMAP_THRESHOLD) != 1)
		log_warn("cannot set the malloc mmap threshold");
#endif
	if (crypto_init() != 0 || db_library_init() != 0) {
		log_error("library initialisation failed");
		return -1;
	}
	if ((app = k->app_new(cfg)) == NULL) {
		log_error("cannot set up %s", k->name);
		db_library_end();
		return -1;
	}
	memset(&s, 0, sizeof(s));
	s.app = *app;
	s.app.thread_init = served_thread_init;
	s.app.thread_fini = served_thread_fini;
	s.app.audit = audit_hook;
	s.inner = app;
	s.kind = k;
	rc = server_run(&s.app, cfg, addr, threads);
	k->app_free(app);
	key_cache_clear();	/* wipes the shared private keys */
	db_library_end();
	return rc;
}

int
worker_main(const struct worker_kind *k, int argc, char **argv)
{
	struct config cfg;
	struct opts o;
	int rc;

	if ((rc = parse_opts(k, argc, argv, &o)) != 0)
		return rc > 0 ? 0 : 2;
	if (load_config(k, &o, &cfg) != 0)
		return 2;
	log_open(k->name, cfg.log_level, cfg.log_target);
	if (cfg.path == NULL)
		log_info("no configuration file at %s: defaults and "
		    "environment only", config_default_path(o.config));
	rc = serve(k, &o, &cfg);
	log_info("%s: stopped", k->name);
	log_close();
	config_free(&cfg);
	return rc == 0 ? 0 : 1;
}
