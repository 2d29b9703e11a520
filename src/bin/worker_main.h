/*
 * worker_main.h - the shared main() of the FastCGI worker binaries.
 *
 * Owns: command-line options (-c, --listen, --threads, -h, --version),
 * loading and checking the configuration, opening the log, library set-up
 * and tear-down around server_run(), and the lifetime of an optional
 * background job. A binary only says which context it serves (and which
 * job it runs).
 */
#ifndef PASERV_BIN_WORKER_MAIN_H
#define PASERV_BIN_WORKER_MAIN_H

#include "common/config.h"
#include "http/server.h"

struct worker_kind {
	const char	*name;		/* "paserv-cloud" */
	const char	*listen_key;	/* "cloud.listen" (for messages) */
	/* The configured listen address for this kind. */
	const char	*(*listen)(const struct config *cfg);
	const struct http_app *(*app_new)(const struct config *cfg);
	void		 (*app_free)(const struct http_app *app);
	/*
	 * Optional background job of the responder process: started by its
	 * first responder thread (job_start may return NULL: no job) and
	 * stopped when that thread stops (on SIGTERM/SIGINT).
	 */
	void		*(*job_start)(const struct config *cfg);
	void		 (*job_stop)(void *job);
};

int	worker_main(const struct worker_kind *kind, int argc, char **argv);

#endif
