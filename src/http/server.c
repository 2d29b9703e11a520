/*
 * server.c - FastCGI responder threads and the request pipeline
 * (see server.h).
 *
 * Connections: the responder threads share one epoll set holding the
 * listen socket and every kept-alive connection from nginx, each armed
 * one-shot, so a ready connection goes to exactly one thread. A thread
 * accepts new connections itself (the listen socket is non-blocking), and
 * serves one request of a ready connection with libfcgi (FCGX_Accept_r on
 * the connection it hands over); when nginx keeps the connection, it goes
 * back into the set. So an idle kept-alive connection holds no thread, and
 * nginx can keep as many as it likes without starving new ones.
 *
 * Stopping: the main thread waits in sigwait() for SIGTERM/SIGINT (blocked
 * in every thread), then marks the library as shutting down, shuts the
 * listen socket down and wakes the idle threads through an eventfd in the
 * set (and with SIGUSR1). A thread that is busy finishes its request
 * first, within the stop timeout.
 * The threads run in a child process watched by the first one (supervise()).
 */
#include <config.h>

#include "http/server.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "http/metrics.h"

#define SERVER_BACKLOG		128
#define STOP_TIMEOUT_MS		10000
#define STOP_POLL_MS		50
#define ACCEPT_BATCH		16

/* The epoll set of one responder process. */
struct conns {
	int	 ep;		/* epoll instance */
	int	 listen_fd;	/* non-blocking listen socket */
	int	 stop_fd;	/* eventfd: readable once stopping */
};

struct thread {
	pthread_t	 tid;
	struct worker	 w;
	struct conns	*c;
	int		 started;
	atomic_int	 idle;
	atomic_int	 done;
};

static atomic_int stopping;

static void
on_usr1(int sig)
{
	(void)sig;
}

/* Strips the context prefix: "/powerauth-cloud/x" -> "/x", else -1. */
static int
strip_prefix(struct request *req, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(req->uri_path, prefix, n) != 0 ||
	    (req->uri_path[n] != '/' && req->uri_path[n] != '\0'))
		return -1;
	req->path = req->uri_path + n;
	return 0;
}

/* Authenticates when the route asks for it, then runs the handler. */
static void
handle(struct worker *w, const struct route *rt, struct request *req,
    struct response *res)
{
	const struct http_app *app = w->app;
	char err[160];
	enum api_err e;

	if (router_check_query(rt, req, err, sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		return;
	}
	if (rt->auth != ROUTE_AUTH_NONE) {
		e = app->authenticate != NULL ?
		    app->authenticate(w, req, rt->auth) : API_HTTP_401;
		if (e != API_OK) {
			response_error(res, e, NULL);
			res->www_authenticate = app->realm;
			return;
		}
		req->authenticated = 1;
	}
	rt->handler(w, req, res);
}

/*
 * The route is looked up before the body is read (a route may ask for the
 * body to be discarded), but routing errors are answered after it, so a
 * kept-alive connection stays in step and an oversized body is always 413.
 */
static const struct route *
pipeline(struct worker *w, FCGX_Stream *in, char **envp, struct request *req,
    struct response *res, int *keep)
{
	const struct http_app *app = w->app;
	const struct route *rt = NULL;
	char perr[160], berr[160];
	enum api_err pe, be;
	int rrc = ROUTE_NOT_FOUND, desync = 0;

	pe = request_parse_params(req, envp, perr, sizeof(perr));
	if (pe == API_OK && strip_prefix(req, app->prefix) == 0)
		rrc = router_match(app->routes, app->nroutes, req, &rt,
		    res->allow, sizeof(res->allow));
	be = request_read_body(req, in, (size_t)w->cfg->http_max_body,
	    rt != NULL && rt->no_body, &desync, berr, sizeof(berr));
	if (desync)
		*keep = 0;
	if (be == API_ERROR_REQUEST_TOO_LARGE || be == API_ERROR_GENERIC)
		response_error(res, be, berr);
	else if (pe != API_OK)
		response_error(res, pe, perr);
	else if (be != API_OK)
		response_error(res, be, berr);
	else if (rrc == ROUTE_NOT_FOUND)
		response_error(res, API_ERROR_NOT_FOUND, NULL);
	else if (rrc == ROUTE_BAD_METHOD)
		response_error(res, API_ERROR_METHOD_NOT_ALLOWED, NULL);
	else if (rrc != ROUTE_FOUND) {
		log_error("request %s: out of memory in router", req->id);
		response_error(res, API_ERROR_GENERIC, NULL);
	} else
		handle(w, rt, req, res);
	return rt;
}

void
server_dispatch(struct worker *w, FCGX_Stream *in, FCGX_Stream *out,
    char **envp, int *keep)
{
	struct request req;
	struct response res;
	const struct route *rt;
	uint64_t t0 = time_mono_us(), us;

	memset(&res, 0, sizeof(res));
	rt = pipeline(w, in, envp, &req, &res, keep);
	if (res.status == 0)
		log_error("request %s: handler set no response", req.id);
	if (response_write(&res, out, req.id) != 0)
		*keep = 0;
	us = time_mono_us() - t0;
	metrics_request(rt, res.status, us);
	if (w->app->audit != NULL)
		w->app->audit(w, rt, &req, &res);
	log_request(req.id, req.method[0] != '\0' ? req.method : NULL,
	    req.uri_path, res.status, us);
	response_free(&res);
	request_free(&req);
}

/* Arms fd in the set for one readiness event. */
static int
conn_arm(struct conns *c, int fd, int add)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.fd = fd;
	if (!add && epoll_ctl(c->ep, EPOLL_CTL_MOD, fd, &ev) == 0)
		return 0;
	if ((add || errno == ENOENT) &&
	    epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev) == 0)
		return 0;
	return -1;
}

/* Takes up to ACCEPT_BATCH new connections into the set. */
static void
conn_accept(struct conns *c)
{
	int fd, i, one = 1;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED &&
			    !atomic_load(&stopping))
				log_warn("accept: %s", strerror(errno));
			break;
		}
		/* No replies to wait for on a TCP listener: no Nagle. */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		if (conn_arm(c, fd, 1) != 0) {
			log_warn("epoll add: %s", strerror(errno));
			close(fd);
		}
	}
	if (!atomic_load(&stopping) && conn_arm(c, c->listen_fd, 0) != 0)
		log_error("epoll re-arm of the listener: %s", strerror(errno));
}

/*
 * One request on the ready connection fd. libfcgi reads it from the
 * connection handed over in fr->ipcFd; if nginx has closed that connection
 * instead, libfcgi closes it and tries the (non-blocking) listen socket,
 * which is harmless either way. A connection libfcgi keeps comes back
 * into the set.
 */
static void
conn_serve(struct thread *t, FCGX_Request *fr, int fd)
{
	int rc, keep = 1;

	fr->ipcFd = fd;
	fr->keepConnection = 1;	/* so the hand-over is not closed */
	rc = FCGX_Accept_r(fr);
	if (rc >= 0) {
		server_dispatch(&t->w, fr->in, fr->out, fr->envp, &keep);
		if (!keep)
			fr->keepConnection = 0;
		FCGX_Finish_r(fr);
	} else if (rc != -EAGAIN && rc != -EWOULDBLOCK &&
	    !atomic_load(&stopping))
		log_debug("%s: thread %d: no request on a connection (%d)",
		    t->w.app->name, t->w.index, rc);
	if (fr->ipcFd >= 0) {
		fd = fr->ipcFd;
		fr->ipcFd = -1;
		if (atomic_load(&stopping) || conn_arm(t->c, fd, 0) != 0)
			close(fd);
	}
}

static void
accept_loop(struct thread *t, FCGX_Request *fr)
{
	struct epoll_event ev;
	int n;

	for (;;) {
		atomic_store(&t->idle, 1);
		if (atomic_load(&stopping))
			break;
		n = epoll_wait(t->c->ep, &ev, 1, -1);
		atomic_store(&t->idle, 0);
		if (n < 0 && errno != EINTR) {
			log_error("%s: thread %d: epoll_wait: %s",
			    t->w.app->name, t->w.index, strerror(errno));
			break;
		}
		if (n <= 0 || ev.data.fd == t->c->stop_fd)
			continue;
		if (ev.data.fd == t->c->listen_fd)
			conn_accept(t->c);
		else
			conn_serve(t, fr, ev.data.fd);
	}
}

static void *
thread_main(void *arg)
{
	struct thread *t = arg;
	const struct http_app *app = t->w.app;
	FCGX_Request fr;

	if (FCGX_InitRequest(&fr, t->c->listen_fd, 0) != 0) {
		log_error("%s: thread %d: cannot initialise a request",
		    app->name, t->w.index);
		goto done;
	}
	if (app->thread_init != NULL && app->thread_init(&t->w) != 0) {
		log_error("%s: thread %d: initialisation failed", app->name,
		    t->w.index);
		goto done;
	}
	accept_loop(t, &fr);
	FCGX_Free(&fr, 1);
	if (app->thread_fini != NULL)
		app->thread_fini(&t->w);
done:
	atomic_store(&t->done, 1);
	return NULL;
}

static int
setup_signals(sigset_t *wait)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART: interrupt reads */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		return -1;
	sigemptyset(wait);
	sigaddset(wait, SIGTERM);
	sigaddset(wait, SIGINT);
	sigaddset(wait, SIGCHLD);	/* the supervisor's; ignored by responders */
	return pthread_sigmask(SIG_BLOCK, wait, NULL) == 0 ? 0 : -1;
}

static int
open_listener(const char *addr)
{
	int fd;

	if (FCGX_Init() != 0)
		return -1;
	if ((fd = FCGX_OpenSocket(addr, SERVER_BACKLOG)) < 0)
		return -1;
	/*
	 * A UNIX socket is reachable by anyone who can reach its directory;
	 * access control is the directory's mode (and the worker still
	 * authenticates every /powerauth-cloud request itself).
	 */
	if (addr[0] == '/' && chmod(addr, 0666) != 0)
		log_warn("chmod %s: %s", addr, strerror(errno));
	return fd;
}

/* Wakes idle threads until all are done or the timeout passes. */
static void
stop_threads(struct thread *th, int n, struct conns *c)
{
	struct timespec pause = { 0, STOP_POLL_MS * 1000000L };
	uint64_t one = 1;
	int i, left, waited;

	atomic_store(&stopping, 1);
	FCGX_ShutdownPending();
	shutdown(c->listen_fd, SHUT_RDWR);
	if (write(c->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("stop event: %s", strerror(errno));
	for (waited = 0; waited < STOP_TIMEOUT_MS; waited += STOP_POLL_MS) {
		for (i = 0, left = 0; i < n; i++) {
			if (!th[i].started || atomic_load(&th[i].done))
				continue;
			left++;
			if (atomic_load(&th[i].idle))
				pthread_kill(th[i].tid, SIGUSR1);
		}
		if (left == 0)
			break;
		nanosleep(&pause, NULL);
	}
	for (i = 0; i < n; i++) {
		if (!th[i].started)
			continue;
		if (atomic_load(&th[i].done))
			pthread_join(th[i].tid, NULL);
		else
			log_warn("thread %d did not stop in time", i);
	}
}

static int
start_threads(struct thread *th, int n, const struct http_app *app,
    const struct config *cfg, struct conns *c)
{
	int i, started = 0;

	for (i = 0; i < n; i++) {
		th[i].w.index = i;
		th[i].w.cfg = cfg;
		th[i].w.app = app;
		th[i].c = c;
		if (pthread_create(&th[i].tid, NULL, thread_main, &th[i]) != 0) {
			log_error("cannot start thread %d", i);
			continue;
		}
		th[i].started = 1;
		started++;
	}
	return started;
}

/* The epoll set around the inherited listener, with the stop event. */
static int
conns_open(struct conns *c, int listen_fd)
{
	struct epoll_event ev;
	int fl;

	c->listen_fd = listen_fd;
	c->stop_fd = -1;
	if ((c->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	if ((fl = fcntl(listen_fd, F_GETFL)) < 0 ||
	    fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) != 0)
		return -1;
	if ((c->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;		/* level: wakes every thread */
	ev.data.fd = c->stop_fd;
	if (epoll_ctl(c->ep, EPOLL_CTL_ADD, c->stop_fd, &ev) != 0)
		return -1;
	return conn_arm(c, listen_fd, 1);
}

static void
conns_close(struct conns *c)
{
	if (c->stop_fd >= 0)
		close(c->stop_fd);
	if (c->ep >= 0)
		close(c->ep);
}

/* The responder process: threads on the inherited listener until a stop
 * signal. */
static int
serve(const struct http_app *app, const struct config *cfg,
    const char *listen_addr, int nthreads, int fd, sigset_t *wait)
{
	struct thread *th = NULL;
	struct conns c = { -1, -1, -1 };
	int sig = 0, rc = -1;

	if (metrics_init(app->routes, app->nroutes) != 0) {
		log_error("%s: more routes than the metrics can hold",
		    app->name);
		goto fail;
	}
	if (conns_open(&c, fd) != 0) {
		log_error("%s: cannot set up the connection set: %s",
		    app->name, strerror(errno));
		goto fail;
	}
	if ((th = calloc((size_t)nthreads, sizeof(*th))) == NULL)
		goto fail;
	if (start_threads(th, nthreads, app, cfg, &c) == 0)
		goto fail;
	log_info("%s %s: listening on %s with %d threads", app->name,
	    PACKAGE_VERSION, listen_addr, nthreads);
	while (sigwait(wait, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
	log_info("%s: signal %d, stopping", app->name, sig);
	rc = 0;
fail:
	if (th != NULL)
		stop_threads(th, nthreads, &c);
	free(th);
	conns_close(&c);
	return rc;
}

/*
 * Supervision: the responders run in a child process that shares the listen
 * socket. If it dies abnormally (a crash, a kill, an abort inside libfcgi on
 * a malformed management record) the parent starts a new one at once, so
 * connections keep queueing on the socket and only the requests in flight in
 * the dead process are lost. Restarts back off up to 1 s while a child keeps
 * dying right after its start.
 */
static int
supervise(const struct http_app *app, const struct config *cfg,
    const char *listen_addr, int nthreads, int fd, sigset_t *wait)
{
	struct timespec pause = { 0, 0 };
	pid_t child = -1;
	time_t started = 0;
	int sig, st, quitting = 0;

	for (;;) {
		if (child < 0 && !quitting) {
			nanosleep(&pause, NULL);
			started = time(NULL);
			if ((child = fork()) < 0) {
				log_error("fork: %s", strerror(errno));
				return -1;
			}
			if (child == 0)
				_exit(serve(app, cfg, listen_addr, nthreads, fd,
				    wait) == 0 ? 0 : 1);
		}
		if (sigwait(wait, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT) {
			quitting = 1;
			if (child > 0)
				kill(child, SIGTERM);
		}
		while (child > 0 && waitpid(child, &st, WNOHANG) == child) {
			child = -1;
			if (quitting)
				return WIFEXITED(st) && WEXITSTATUS(st) == 0 ?
				    0 : -1;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				return 0;
			log_error("%s: responder process died (%s %d), "
			    "restarting", app->name, WIFSIGNALED(st) ?
			    "signal" : "exit status", WIFSIGNALED(st) ?
			    WTERMSIG(st) : WEXITSTATUS(st));
			/* 0, 0.1, 0.2, 0.4 ... 1 s while it keeps dying
			 * within a second of its start. */
			if (time(NULL) - started < 1)
				pause.tv_nsec = pause.tv_nsec == 0 ? 100000000 :
				    pause.tv_nsec >= 500000000 ? 999999999 :
				    pause.tv_nsec * 2;
			else
				pause.tv_nsec = 0;
		}
		if (quitting && child < 0)
			return 0;
	}
}

int
server_run(const struct http_app *app, const struct config *cfg,
    const char *listen_addr, int nthreads)
{
	sigset_t wait;
	int fd, rc;

	if (setup_signals(&wait) != 0) {
		log_error("cannot set up signal handling");
		return -1;
	}
	if ((fd = open_listener(listen_addr)) < 0) {
		log_error("cannot listen on %s: %s", listen_addr,
		    strerror(errno));
		return -1;
	}
	rc = supervise(app, cfg, listen_addr, nthreads, fd, &wait);
	close(fd);
	if (listen_addr[0] == '/')
		unlink(listen_addr);
	return rc;
}
