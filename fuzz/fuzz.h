/*
 * fuzz.h - what the libFuzzer targets of fuzz/ share (doc/fuzzing.md).
 *
 * Owns: the process-wide set-up of a target (a configuration with the
 * defaults and a fixed master key, logging switched off), the behaviour of
 * the stand-in for the database (stub_db.c), and a FastCGI request held in
 * memory: its parameters, stdin and stdout as libfcgi streams, built from
 * the text form every FastCGI target reads:
 *
 *	NAME=VALUE\n		one FastCGI parameter a line
 *	...
 *	\n			an empty line ends the parameters
 *	body bytes		the rest is stdin
 *
 * CONTENT_LENGTH is added (the body's length) unless a line sets it, and
 * the line FUZZ_DB=down|empty|yes picks the database behaviour (default
 * yes) for that input.
 * Must not: be linked into anything but the fuzz targets.
 */
#ifndef PASERV_FUZZ_FUZZ_H
#define PASERV_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <fcgiapp.h>

#include "common/buf.h"
#include "common/config.h"

/* How every call of the stand-in database answers. */
enum fuzz_db_mode {
	FUZZ_DB_DOWN = 0,	/* every call: DB_DOWN */
	FUZZ_DB_EMPTY,		/* statements run, no row exists */
	FUZZ_DB_YES		/* as EMPTY, but existence checks and keyed
				 * updates find their row */
};

struct db;

void			fuzz_db_set(enum fuzz_db_mode m);
enum fuzz_db_mode	fuzz_db_get(void);
/* 1 when no transaction is open on db (every request must end one). */
int			fuzz_db_idle(const struct db *db);

/* The shared configuration (first call sets it up and silences logs). */
const struct config	*fuzz_config(void);

#define FUZZ_PARAMS_MAX	64

struct fuzz_fcgi {
	char		*envp[FUZZ_PARAMS_MAX + 2];
	char		*text;		/* the parameter lines, NUL-split */
	char		 clen[32];	/* the added CONTENT_LENGTH */
	uint8_t		*body;
	size_t		 body_len;
	enum fuzz_db_mode db;
	FCGX_Stream	 in;
	FCGX_Stream	 out;
	unsigned char	 outchunk[1024];
	struct buf	 output;	/* everything written to out */
};

/* Splits data (the text form) into parameters and stdin; 0 or -1 (no
 * memory). */
int	fuzz_fcgi_init(struct fuzz_fcgi *f, const uint8_t *data, size_t n);
/* The request of params (NULL-ended "NAME=VALUE" lines) with data as its
 * body; 0 or -1. */
int	fuzz_fcgi_init_body(struct fuzz_fcgi *f, const char *const *params,
	    const uint8_t *data, size_t n);
/* Moves what is still in the out stream's chunk to f->output. */
void	fuzz_fcgi_flush(struct fuzz_fcgi *f);
void	fuzz_fcgi_free(struct fuzz_fcgi *f);
/*
 * Checks a FastCGI answer as nginx would read it: a Status line with a
 * known code, headers ending in an empty line, a Content-Length that
 * matches the body, and a JSON body that parses. Aborts otherwise.
 */
void	fuzz_check_answer(const uint8_t *p, size_t n);

struct http_app;
struct worker;

/*
 * The two contexts with their real route tables and handlers, each with a
 * worker whose database is the stand-in. /powerauth-cloud authenticates
 * as the workers do while the database mode is down or empty; in mode yes
 * (where no user row could be found) a well-formed Basic header is let in,
 * as "admin" with the administrator role, any other name as a user, so the
 * handlers behind it are reached. One context per process (the metrics
 * count one route table).
 */
struct worker	*fuzz_cloud_worker(void);
struct worker	*fuzz_enroll_worker(void);
/*
 * Runs f through the request pipeline of w (server_dispatch), checks the
 * answer (fuzz_check_answer) and that no transaction was left open.
 */
void	fuzz_serve(struct worker *w, struct fuzz_fcgi *f);

/* A NUL-terminated copy of data (malloc'ed; aborts without memory). */
char	*fuzz_strndup(const uint8_t *data, size_t n);
/* abort() with a message when cond is false: a failed invariant. */
#define FUZZ_ASSERT(cond)	do {					\
	if (!(cond))							\
		fuzz_fail(#cond, __FILE__, __LINE__);			\
} while (0)
void	fuzz_fail(const char *what, const char *file, int line)
	    __attribute__((noreturn));

#endif
