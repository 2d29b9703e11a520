/*
 * worker_main.h - the shared main() of the FastCGI worker binaries.
 *
 * Owns: command-line options (-c, --listen, --threads, -h, --version),
 * loading and checking the configuration, opening the log, library set-up
 * and tear-down around server_run(). A binary only says which context it
 * serves.
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
};

int	worker_main(const struct worker_kind *kind, int argc, char **argv);

#endif
