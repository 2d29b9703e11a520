/*
 * fuzz_common.c - set-up, in-memory FastCGI requests and the answer check
 * shared by the fuzz targets (see fuzz.h).
 *
 * The streams are libfcgi's own FCGX_Stream with buffer procedures over
 * memory (the structure's documented way of being specialised), so the
 * request reader and the response writer run exactly as behind a socket.
 */
#include <config.h>

#include "fuzz/fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/log.h"

/* Base64 of 16 fixed bytes: the at-rest key of the fuzz runs. */
static const char CONFIG_TEXT[] =
    "security.master_key = AAECAwQFBgcICQoLDA0ODw==\n"
    "lookup.cache_ttl = 0\n"
    "log.level = error\n";

void
fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
	abort();
}

char *
fuzz_strndup(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	FUZZ_ASSERT(s != NULL);
	if (n > 0)
		memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

const struct config *
fuzz_config(void)
{
	static struct config cfg;
	static int done;
	char err[256];

	if (done)
		return &cfg;
	if (config_load_text(&cfg, CONFIG_TEXT, sizeof(CONFIG_TEXT) - 1,
	    "fuzz", err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: configuration: %s\n", err);
		abort();
	}
	/* Below every level: request data still goes through the callers'
	 * formatting, but no line is written. */
	log_open("fuzz", -1, CONFIG_LOG_STDERR);
	done = 1;
	return &cfg;
}

/* stdin: everything is in the one buffer; asking for more is the end. */
static void
in_fill(FCGX_Stream *s)
{
	s->isClosed = 1;
}

/* stdout: the chunk is appended to the output and reused. */
static void
out_empty(FCGX_Stream *s, int doClose)
{
	struct fuzz_fcgi *f = s->data;

	fuzz_fcgi_flush(f);
	if (doClose)
		s->isClosed = 1;
}

void
fuzz_fcgi_flush(struct fuzz_fcgi *f)
{
	size_t n = (size_t)(f->out.wrNext - f->outchunk);

	FUZZ_ASSERT(buf_append(&f->output, f->outchunk, n) == 0);
	f->out.wrNext = f->outchunk;
}

static enum fuzz_db_mode
db_mode(const char *v)
{
	if (strcmp(v, "down") == 0)
		return FUZZ_DB_DOWN;
	if (strcmp(v, "empty") == 0)
		return FUZZ_DB_EMPTY;
	return FUZZ_DB_YES;
}

/* Streams over f->body and f->outchunk. */
static void
streams(struct fuzz_fcgi *f)
{
	f->in.rdNext = f->body;
	f->in.stop = f->body + f->body_len;
	f->in.stopUnget = f->body;
	f->in.wrNext = f->in.stop;
	f->in.isReader = 1;
	f->in.fillBuffProc = in_fill;
	f->in.data = f;

	f->out.wrNext = f->outchunk;
	f->out.stop = f->outchunk + sizeof(f->outchunk);
	f->out.rdNext = f->out.stop;
	f->out.isReader = 0;
	f->out.emptyBuffProc = out_empty;
	f->out.data = f;
}

/* The body (a copy of n bytes) and, unless given, its CONTENT_LENGTH. */
static int
set_body(struct fuzz_fcgi *f, size_t nenv, int has_clen, const uint8_t *p,
    size_t n)
{
	f->body_len = n;
	if ((f->body = malloc(n + 1)) == NULL)
		return -1;
	if (n > 0)
		memcpy(f->body, p, n);
	if (!has_clen) {
		snprintf(f->clen, sizeof(f->clen), "CONTENT_LENGTH=%zu", n);
		f->envp[nenv++] = f->clen;
	}
	f->envp[nenv] = NULL;
	streams(f);
	return 0;
}

int
fuzz_fcgi_init(struct fuzz_fcgi *f, const uint8_t *data, size_t n)
{
	const uint8_t *end = data + n, *p, *nl;
	size_t nenv = 0, off, len, textlen;
	int has_clen = 0;

	memset(f, 0, sizeof(*f));
	f->db = FUZZ_DB_YES;
	/* The parameter block ends at the first empty line (or the end). */
	for (p = data; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			p = end;
			break;
		}
		if (nl == p)
			break;
	}
	textlen = (size_t)(p - data);
	if ((f->text = malloc(textlen + 1)) == NULL)
		return -1;
	memcpy(f->text, data, textlen);
	f->text[textlen] = '\0';
	for (off = 0; off < textlen; off += len + 1) {
		len = strcspn(f->text + off, "\n");
		f->text[off + len] = '\0';
		if (len == 0)
			continue;
		if (strncmp(f->text + off, "FUZZ_DB=", 8) == 0) {
			f->db = db_mode(f->text + off + 8);
			continue;
		}
		if (strncmp(f->text + off, "CONTENT_LENGTH=", 15) == 0)
			has_clen = 1;
		if (nenv < FUZZ_PARAMS_MAX)
			f->envp[nenv++] = f->text + off;
	}
	if (p < end)
		p++;			/* the empty line */
	if (set_body(f, nenv, has_clen, p, (size_t)(end - p)) != 0) {
		fuzz_fcgi_free(f);
		return -1;
	}
	return 0;
}

int
fuzz_fcgi_init_body(struct fuzz_fcgi *f, const char *const *params,
    const uint8_t *data, size_t n)
{
	size_t nenv;

	memset(f, 0, sizeof(*f));
	f->db = FUZZ_DB_YES;
	for (nenv = 0; params[nenv] != NULL && nenv < FUZZ_PARAMS_MAX; nenv++)
		f->envp[nenv] = (char *)(uintptr_t)params[nenv];
	if (set_body(f, nenv, 0, data, n) != 0) {
		fuzz_fcgi_free(f);
		return -1;
	}
	return 0;
}

void
fuzz_fcgi_free(struct fuzz_fcgi *f)
{
	free(f->text);
	free(f->body);
	buf_free(&f->output);
	memset(f, 0, sizeof(*f));
}

/* The value of header name (with ": ") in the header block, or NULL. */
static const char *
header_value(const char *h, const char *name)
{
	size_t n = strlen(name);
	const char *p, *eol;

	for (p = h; *p != '\0'; p = eol + 2) {
		if (strncmp(p, name, n) == 0)
			return p + n;
		if ((eol = strstr(p, "\r\n")) == NULL)
			break;
	}
	return NULL;
}

void
fuzz_check_answer(const uint8_t *p, size_t n)
{
	char *text = fuzz_strndup(p, n), *sep, *body;
	const char *v;
	json_object *o, *st;
	size_t blen;
	int status;

	FUZZ_ASSERT(strlen(text) == n);		/* no NUL in an answer */
	FUZZ_ASSERT(strncmp(text, "Status: ", 8) == 0);
	status = atoi(text + 8);
	FUZZ_ASSERT(status >= 200 && status <= 599);
	FUZZ_ASSERT((sep = strstr(text, "\r\n\r\n")) != NULL);
	sep[2] = '\0';
	body = sep + 4;
	blen = n - (size_t)(body - text);
	FUZZ_ASSERT(header_value(text, "X-Request-Id: ") != NULL);
	if (status == 204) {
		FUZZ_ASSERT(blen == 0);
		free(text);
		return;
	}
	FUZZ_ASSERT((v = header_value(text, "Content-Length: ")) != NULL);
	FUZZ_ASSERT((size_t)strtoull(v, NULL, 10) == blen);
	FUZZ_ASSERT((v = header_value(text, "Content-Type: ")) != NULL);
	if (strncmp(v, "application/json", 16) == 0) {
		FUZZ_ASSERT((o = json_tokener_parse(body)) != NULL);
		/* An error answer is an object with a status text (the
		 * error envelope, or the health document). */
		if (status >= 400)
			FUZZ_ASSERT(json_object_is_type(o, json_type_object) &&
			    json_object_object_get_ex(o, "status", &st) &&
			    json_object_is_type(st, json_type_string));
		json_object_put(o);
	}
	free(text);
}
