/*
 * server.h - the FastCGI responder: listen socket, responder threads,
 * request dispatch and graceful stop.
 *
 * Owns: FCGX_OpenSocket on a UNIX path or HOST:PORT, N threads each looping
 * on FCGX_Accept_r with its own struct worker (and through it its own
 * database connection), the request pipeline (read -> prefix -> route ->
 * query check -> authenticate -> handler -> write -> metrics -> log) and
 * SIGTERM/SIGINT handling. A context (cloud, enroll) plugs in with a
 * struct http_app.
 * Must not: know any route, table or credential format.
 */
#ifndef PASERV_HTTP_SERVER_H
#define PASERV_HTTP_SERVER_H

#include <stddef.h>

#include "common/config.h"
#include "http/router.h"

struct worker;

struct http_app {
	const char		*name;		/* log ident, "paserv-cloud" */
	const char		*prefix;	/* "/powerauth-cloud" */
	const char		*realm;		/* WWW-Authenticate realm */
	const struct route	*routes;
	size_t			 nroutes;
	void			*ctx;		/* process-wide context state */
	/* Per-thread state (w->data); 0 ok. Optional. */
	int	(*thread_init)(struct worker *w);
	void	(*thread_fini)(struct worker *w);
	/*
	 * Verifies the caller for a route with auth != ROUTE_AUTH_NONE and
	 * fills req->principal: API_OK, API_HTTP_401, API_HTTP_403 or
	 * API_ERROR_GENERIC / API_ERROR_SERVICE_UNAVAILABLE.
	 */
	enum api_err (*authenticate)(struct worker *w, struct request *req,
	    enum route_auth auth);
	/*
	 * Called after every request with its route (NULL when none matched)
	 * and answer, to record what the audit log keeps. Optional.
	 */
	void (*audit)(struct worker *w, const struct route *rt,
	    const struct request *req, const struct response *res);
};

struct worker {
	int			 index;
	const struct config	*cfg;
	const struct http_app	*app;
	void			*data;		/* owned by the context */
};

/*
 * Serves until SIGTERM or SIGINT. Returns 0 after a clean stop, -1 if the
 * socket could not be opened or no thread could start (logged).
 */
int	server_run(const struct http_app *app, const struct config *cfg,
	    const char *listen_addr, int nthreads);

/*
 * Runs the pipeline for one request: reads it from the streams, answers on
 * out. Exposed for tests; *keep is cleared when the connection must close.
 */
void	server_dispatch(struct worker *w, FCGX_Stream *in, FCGX_Stream *out,
	    char **envp, int *keep);

#endif
