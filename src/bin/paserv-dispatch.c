/*
 * paserv-dispatch - the webhook dispatcher: delivers the callback_delivery
 * rows the status changes wrote (doc/webhooks.md). No FastCGI; run one or
 * more per fleet (each claims its own rows).
 */
#include <config.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "bin/dispatcher.h"
#include "common/config.h"
#include "common/log.h"
#include "crypto/primitives.h"
#include "store/db.h"

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: paserv-dispatch [-c FILE] [--drain]\n"
	    "  -c, --config FILE  configuration (default: %s)\n"
	    "      --drain        exit once nothing is due or in flight\n"
	    "  -h, --help         this text\n"
	    "  -V, --version      the version\n",
	    config_default_path(NULL));
}

/* 0 run, 1 exit 0, -1 usage error. */
static int
parse_opts(int argc, char **argv, const char **config, int *drain)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "drain", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*config = NULL;
	*drain = 0;
	while ((c = getopt_long(argc, argv, "c:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			*config = optarg;
			break;
		case 'd':
			*drain = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("paserv-dispatch %s\n", PACKAGE_VERSION);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct config cfg;
	const char *explicit_path;
	char err[512];
	int drain, rc;

	if ((rc = parse_opts(argc, argv, &explicit_path, &drain)) != 0)
		return rc > 0 ? 0 : 2;
	if (config_load(&cfg, config_default_path(explicit_path),
	    explicit_path != NULL || getenv("PASERV_CONFIG") != NULL, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "paserv-dispatch: %s\n", err);
		return 2;
	}
	if (config_require_master_key(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "paserv-dispatch: %s\n", err);
		config_free(&cfg);
		return 2;
	}
	log_open("paserv-dispatch", cfg.log_level, cfg.log_target);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	rc = 1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    crypto_init() != 0 || db_library_init() != 0)
		log_error("library initialisation failed");
	else {
		rc = dispatcher_run(&cfg, &stop_requested, drain) == 0 ? 0 : 1;
		db_library_end();
	}
	curl_global_cleanup();
	log_close();
	config_free(&cfg);
	return rc;
}
