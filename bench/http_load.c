/*
 * http_load - a small closed-loop HTTP load driver: C connections, each a
 * thread with one keep-alive HTTP/1.1 connection, each sending the
 * requests of its own file in order, the next as soon as the previous
 * answer is in. It speaks just enough HTTP/1.1 itself (plain http://, one
 * write a request, Content-Length or chunked answers): a general client
 * library costs several times the CPU per request, and on a small machine
 * the driver's CPU is taken from the stack it measures. Every request is
 * built before the clock starts.
 *
 * Two kinds of files:
 * - verify mode (default): one JSON body a line, POSTed to the URL -u with
 *   HTTP basic auth (-U, -P). An answer counts as done right only when it
 *   is HTTP 200 and carries "signatureValid": true or "tokenValid": true.
 * - generic mode (-g): one request a line, fields separated by TABs:
 *   METHOD, PATH (appended to the base URL -u), any number of
 *   "Name: value" headers, and the body last (empty: the line ends with a
 *   TAB). Done right: the status -e (200) and, with -m, the text -m found
 *   in the answer. Basic auth only when -U/-P are given.
 * Anything else is counted (non_200, valid_false, no_verdict, bad_status,
 * no_match, transport_errors) and makes the exit status 1, so a benchmark
 * of rejected requests cannot pass for a fast one.
 *
 * Order matters: signature headers are valid in counter order only, so a
 * connection's file holds the headers of one activation, and a connection
 * never sends a line before the previous one was answered.
 *
 * Output, one "name value" a line: connections, requests, seconds, rps,
 * mean_ms, p50_ms, p90_ms, p99_ms, max_ms, tail_s (first to last
 * connection finishing), client_cpu_ms (this process, while sending),
 * non_200, valid_false, no_verdict, bad_status, no_match,
 * transport_errors, errors (their sum).
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "latency.h"

#define PROG		"http_load"
#define CONNS_MAX	1024
#define ANSWER_MAX	(256 * 1024)
#define FILE_MAX	(512L * 1024 * 1024)

#define HEAD_MAX	(16 * 1024)
#define IO_TIMEOUT_S	60
#define HEADERS_MAX	16

struct ctx {
	const char		*url;
	const char		*user;
	const char		*password;
	char			 host[256];
	char			 port[16];
	const char		*path;		/* verify mode: of the URL */
	char			*auth;		/* Authorization line or "" */
	const char		*headers[HEADERS_MAX];	/* -H */
	int			 nheaders;
	int			 generic;	/* -g */
	long			 expect;	/* -e */
	const char		*match;		/* -m */
	int			 repeat;	/* -r */
	int			 keep_answers;	/* -w */
	uint64_t		 deadline_us;	/* 0: send every line */
	long			 max_lines;	/* 0: no limit */
	pthread_barrier_t	 ready, go;
};

struct conn {
	struct ctx	*ctx;
	const char	*path;
	char		*text;		/* the file, lines NUL-terminated */
	char		**lines;
	size_t		 nlines;
	struct buf	 reqs;		/* every request, back to back */
	size_t		*req_off;	/* request i: reqs + req_off[i] .. */
	pthread_t	 tid;
	struct latency	 lat;
	uint64_t	 end_us;
	long		 non_200, valid_false, no_verdict, transport;
	long		 bad_status, no_match;
	char		 first_bad[300];
	int		 fd;		/* the connection, -1: none */
	struct buf	 answers;	/* -w: one answer a line */
	/* the answer being received: head and body */
	char		 in[HEAD_MAX + ANSWER_MAX];
	size_t		 in_len;
	char		 answer[ANSWER_MAX + 1];
	size_t		 answer_len;
};

/* Reads a file and splits it into non-empty lines. */
static int
load_lines(struct conn *c)
{
	FILE *fp = fopen(c->path, "rb");
	char *p, *nl, **v;
	long size;
	size_t n = 0, cap = 0;
	int rc = -1;

	if (fp == NULL)
		return -1;
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
	    size > FILE_MAX || fseek(fp, 0, SEEK_SET) != 0 ||
	    (c->text = malloc((size_t)size + 1)) == NULL ||
	    fread(c->text, 1, (size_t)size, fp) != (size_t)size)
		goto fail;
	c->text[size] = '\0';
	for (p = c->text; ; p = nl + 1) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		p[strcspn(p, "\r")] = '\0';
		if (*p != '\0') {
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				if ((v = realloc(c->lines, cap *
				    sizeof(*v))) == NULL)
					goto fail;
				c->lines = v;
			}
			c->lines[n++] = p;
		}
		if (nl == NULL)
			break;
	}
	c->nlines = n;
	rc = 0;
fail:
	fclose(fp);
	return rc;
}

/*
 * The verdict in an answer: 1 for "signatureValid"/"tokenValid" true, 0 for
 * false, -1 when neither is there.
 */
static int
verdict(const char *s)
{
	static const char *const keys[] = { "\"signatureValid\"",
	    "\"tokenValid\"" };
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((p = strstr(s, keys[i])) == NULL)
			continue;
		p += strlen(keys[i]);
		p += strspn(p, " \t\r\n");
		if (*p++ != ':')
			continue;
		p += strspn(p, " \t\r\n");
		if (strncmp(p, "true", 4) == 0)
			return 1;
		if (strncmp(p, "false", 5) == 0)
			return 0;
	}
	return -1;
}

static void
note_bad(struct conn *c, long status, const char *what)
{
	if (c->first_bad[0] == '\0')
		snprintf(c->first_bad, sizeof(c->first_bad),
		    "%s: HTTP %ld %.200s", what, status, c->answer);
}

/* Splits http://HOST[:PORT]/PATH into x->host, x->port, x->path. */
static int
parse_url(struct ctx *x)
{
	const char *h, *end, *colon;
	size_t hl;

	if (strncmp(x->url, "http://", 7) != 0)
		return -1;
	h = x->url + 7;
	end = h + strcspn(h, "/");
	x->path = *end == '/' ? end : "/";
	colon = memchr(h, ':', (size_t)(end - h));
	hl = (size_t)((colon != NULL ? colon : end) - h);
	if (hl == 0 || hl >= sizeof(x->host))
		return -1;
	memcpy(x->host, h, hl);
	x->host[hl] = '\0';
	if (colon != NULL) {
		if ((size_t)(end - colon - 1) >= sizeof(x->port) ||
		    end - colon - 1 == 0)
			return -1;
		memcpy(x->port, colon + 1, (size_t)(end - colon - 1));
		x->port[end - colon - 1] = '\0';
	} else
		strcpy(x->port, "80");
	return 0;
}

/* The Authorization header line of -U/-P, or "" without them. */
static int
build_auth(struct ctx *x)
{
	unsigned char *b64 = NULL;
	char *cred = NULL;
	size_t cl = 0, cap;
	int rc = -1;

	if (x->user == NULL) {
		x->auth = strdup("");
		return x->auth != NULL ? 0 : -1;
	}
	cl = strlen(x->user) + 1 + strlen(x->password);
	if ((cred = malloc(cl + 1)) == NULL ||
	    (b64 = malloc(4 * ((cl + 2) / 3) + 1)) == NULL)
		goto fail;
	snprintf(cred, cl + 1, "%s:%s", x->user, x->password);
	EVP_EncodeBlock(b64, (unsigned char *)cred, (int)cl);
	cap = strlen((char *)b64) + 32;
	if ((x->auth = malloc(cap)) == NULL)
		goto fail;
	snprintf(x->auth, cap, "Authorization: Basic %s\r\n", b64);
	rc = 0;
fail:
	if (cred != NULL)
		OPENSSL_cleanse(cred, cl);
	free(cred);
	if (b64 != NULL)
		OPENSSL_cleanse(b64, 4 * ((cl + 2) / 3));
	free(b64);
	return rc;
}

/* A method: upper-case letters only. */
static int
method_ok(const char *m)
{
	size_t n = strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");

	return n > 0 && n < 16 && m[n] == '\0';
}

/*
 * Appends the request of one line. Verify mode: POST of the line as the
 * body. Generic: METHOD TAB PATH [TAB HEADER]... TAB BODY.
 */
static int
build_one(struct conn *c, char *line)
{
	const struct ctx *x = c->ctx;
	const char *method = "POST", *path = x->path, *prefix = "", *body;
	char *f[2 + HEADERS_MAX + 1], *p;
	size_t nf = 0, plen, i;
	struct buf *b = &c->reqs;

	body = line;
	if (x->generic) {
		for (p = line; nf < sizeof(f) / sizeof(f[0]); nf++) {
			f[nf] = p;
			if ((p = strchr(p, '\t')) == NULL)
				break;
			*p++ = '\0';
		}
		if (p != NULL || nf < 2 || !method_ok(f[0]) || f[1][0] != '/')
			return -1;
		method = f[0];
		path = f[1];
		body = f[nf];
		prefix = x->path;
	}
	plen = strlen(prefix);
	if (plen > 0 && prefix[plen - 1] == '/')
		plen--;
	buf_printf(b, "%s %.*s%s HTTP/1.1\r\nHost: %s:%s\r\n%s", method,
	    (int)plen, prefix, path, x->host, x->port, x->auth);
	if (!x->generic)
		buf_append_str(b, "Content-Type: application/json\r\n");
	for (i = 0; i < (size_t)x->nheaders; i++)
		buf_printf(b, "%s\r\n", x->headers[i]);
	for (i = 2; x->generic && i < nf; i++) {
		if (strchr(f[i], ':') == NULL)
			return -1;
		buf_printf(b, "%s\r\n", f[i]);
	}
	if (body[0] != '\0' || (strcmp(method, "GET") != 0 &&
	    strcmp(method, "HEAD") != 0 && strcmp(method, "DELETE") != 0))
		buf_printf(b, "Content-Length: %zu\r\n", strlen(body));
	buf_append_str(b, "\r\n");
	buf_append_str(b, body);
	return b->failed ? -1 : 0;
}

/* Every request of the file, built once (the text is then freed). */
static int
build_requests(struct conn *c)
{
	size_t i;

	if ((c->req_off = calloc(c->nlines + 1, sizeof(*c->req_off))) ==
	    NULL)
		return -1;
	for (i = 0; i < c->nlines; i++) {
		c->req_off[i] = c->reqs.len;
		if (build_one(c, c->lines[i]) != 0) {
			fprintf(stderr, PROG ": %s: line %zu is not a request "
			    "(METHOD, PATH, headers, body: TAB-separated)\n",
			    c->path, i + 1);
			return -1;
		}
	}
	c->req_off[c->nlines] = c->reqs.len;
	free(c->lines);
	c->lines = NULL;
	free(c->text);
	c->text = NULL;
	return 0;
}

static int
conn_open(struct conn *c)
{
	struct addrinfo hints, *ai = NULL, *a;
	struct timeval tv = { IO_TIMEOUT_S, 0 };
	int one = 1, fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(c->ctx->host, c->ctx->port, &hints, &ai) != 0)
		return -1;
	for (a = ai; a != NULL; a = a->ai_next) {
		if ((fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
		    a->ai_protocol)) < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c->fd = fd;
	c->in_len = 0;
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Reads more of the answer; -1 on error or end of stream. */
static int
fill(struct conn *c)
{
	ssize_t n;

	if (c->in_len == sizeof(c->in))
		return -1;
	do
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
		    0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	c->in_len += (size_t)n;
	return 0;
}

/* The value of header name in the head [p, end), or NULL. */
static const char *
header(const char *p, const char *end, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	const char *eol;

	for (; p < end; p = eol + 2) {
		if ((eol = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
			eol = end;
		if ((size_t)(eol - p) > nl && p[nl] == ':' &&
		    strncasecmp(p, name, nl) == 0) {
			p += nl + 1;
			p += strspn(p, " \t");
			*len = (size_t)(eol - p);
			return p;
		}
	}
	return NULL;
}

/* Decodes a complete chunked body in place; 1: complete, 0: need more. */
static int
dechunk(const char *p, size_t n, char *out, size_t *out_len, size_t *used)
{
	const char *s = p, *end = p + n, *eol;
	unsigned long sz;
	char *e;

	*out_len = 0;
	for (;;) {
		if ((eol = memmem(s, (size_t)(end - s), "\r\n", 2)) == NULL)
			return 0;
		sz = strtoul(s, &e, 16);
		if (e == s)
			return -1;
		s = eol + 2;
		if (sz == 0) {
			if (end - s < 2)
				return 0;
			*used = (size_t)(s + 2 - p);
			return 1;
		}
		if ((size_t)(end - s) < sz + 2)
			return 0;
		if (*out_len + sz > ANSWER_MAX)
			return -1;
		memcpy(out + *out_len, s, sz);
		*out_len += sz;
		s += sz + 2;
	}
}

/*
 * Receives one answer: its status in *status, its body in c->answer.
 * *keep is 0 when the server closes the connection after it.
 */
static int
receive(struct conn *c, long *status, int *keep)
{
	const char *hend, *v, *body;
	size_t vl, hl, need, used = 0;
	int chunked, r;

	while ((hend = memmem(c->in, c->in_len, "\r\n\r\n", 4)) == NULL)
		if (fill(c) != 0)
			return -1;
	hl = (size_t)(hend - c->in) + 4;
	if (c->in_len < 12 || strncmp(c->in, "HTTP/1.", 7) != 0)
		return -1;
	*status = strtol(c->in + 9, NULL, 10);
	v = header(c->in, hend, "Connection", &vl);
	*keep = !(v != NULL && vl == 5 && strncasecmp(v, "close", 5) == 0);
	v = header(c->in, hend, "Transfer-Encoding", &vl);
	chunked = v != NULL && vl == 7 && strncasecmp(v, "chunked", 7) == 0;
	if (!chunked) {
		v = header(c->in, hend, "Content-Length", &vl);
		need = v != NULL ? strtoul(v, NULL, 10) : 0;
		if (v == NULL && *keep)
			return -1;	/* no way to find its end */
		if (need > ANSWER_MAX)
			return -1;
		while (c->in_len < hl + need)
			if (fill(c) != 0)
				return -1;
		body = c->in + hl;
		memcpy(c->answer, body, need);
		c->answer_len = need;
		used = hl + need;
	} else {
		while ((r = dechunk(c->in + hl, c->in_len - hl, c->answer,
		    &c->answer_len, &used)) == 0)
			if (fill(c) != 0)
				return -1;
		if (r < 0)
			return -1;
		used += hl;
	}
	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	return 0;
}

/* Writes the whole request i. */
static int
transmit(struct conn *c, size_t i)
{
	const char *p = (const char *)c->reqs.data + c->req_off[i];
	size_t left = c->req_off[i + 1] - c->req_off[i];
	ssize_t n;

	while (left > 0) {
		do
			n = send(c->fd, p, left, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return -1;
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

/* Keeps an answer for -w, on one line. */
static void
keep_answer(struct conn *c)
{
	size_t start = c->answers.len, i;

	buf_append(&c->answers, c->answer, c->answer_len);
	for (i = start; i < c->answers.len; i++)
		if (c->answers.data[i] == '\n' || c->answers.data[i] == '\r')
			c->answers.data[i] = ' ';
	buf_append_byte(&c->answers, '\n');
}

/* Sends line i and books its outcome. -1: transport failure. */
static int
send_one(struct conn *c, size_t i)
{
	uint64_t t0, t1;
	long status = 0;
	int v, keep = 1;

	c->answer_len = 0;
	t0 = time_mono_us();
	if ((c->fd < 0 && conn_open(c) != 0) || transmit(c, i) != 0 ||
	    receive(c, &status, &keep) != 0) {
		conn_close(c);
		c->transport++;
		if (c->first_bad[0] == '\0')
			snprintf(c->first_bad, sizeof(c->first_bad),
			    "transport: %s", errno != 0 ? strerror(errno) :
			    "malformed answer");
		return -1;
	}
	t1 = time_mono_us();
	c->answer[c->answer_len] = '\0';
	if (!keep)
		conn_close(c);
	if (latency_add(&c->lat, t1 - t0) != 0)
		return -1;
	if (c->ctx->keep_answers)
		keep_answer(c);
	if (c->ctx->generic) {
		if (status != c->ctx->expect) {
			c->bad_status++;
			note_bad(c, status, "unexpected status");
		} else if (c->ctx->match != NULL &&
		    strstr(c->answer, c->ctx->match) == NULL) {
			c->no_match++;
			note_bad(c, status, "answer does not match");
		}
	} else if (status != 200) {
		c->non_200++;
		note_bad(c, status, "not 200");
	} else if ((v = verdict(c->answer)) == 0) {
		c->valid_false++;
		note_bad(c, status, "not valid");
	} else if (v < 0) {
		c->no_verdict++;
		note_bad(c, status, "no verdict");
	}
	return 0;
}

static void *
conn_main(void *arg)
{
	struct conn *c = arg;
	struct ctx *x = c->ctx;
	size_t i, n = c->nlines;
	int ready;

	if (x->max_lines > 0 && (size_t)x->max_lines < n)
		n = (size_t)x->max_lines;
	c->fd = -1;
	if (!(ready = conn_open(c) == 0))
		snprintf(c->first_bad, sizeof(c->first_bad), "connect: %s",
		    strerror(errno));
	pthread_barrier_wait(&x->ready);
	pthread_barrier_wait(&x->go);
	if (!ready)
		c->transport++;
	for (i = 0; ready && (i < n || x->repeat); i++) {
		if (x->deadline_us != 0 && time_mono_us() >= x->deadline_us)
			break;
		errno = 0;
		if (send_one(c, i % n) != 0)
			break;
	}
	c->end_us = time_mono_us();
	conn_close(c);
	return NULL;
}

/* The first line of a file, without its newline (a password). */
static char *
read_secret(const char *path)
{
	char buf[512];
	FILE *fp = fopen(path, "r");
	char *s = NULL;

	if (fp == NULL)
		return NULL;
	if (fgets(buf, sizeof(buf), fp) != NULL) {
		buf[strcspn(buf, "\r\n")] = '\0';
		s = strdup(buf);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	fclose(fp);
	return s;
}

static double
cpu_ms(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static long
report(struct conn *cs, long n, uint64_t start_us, double cpu)
{
	struct latency all = LATENCY_INIT;
	uint64_t first_end = UINT64_MAX, last_end = start_us;
	long i, non200 = 0, vfalse = 0, none = 0, transport = 0;
	long bad_status = 0, no_match = 0, errors;
	double secs, sum = 0;
	size_t k;

	for (i = 0; i < n; i++) {
		if (latency_merge(&all, &cs[i].lat) != 0)
			transport++;
		if (cs[i].end_us < first_end)
			first_end = cs[i].end_us;
		if (cs[i].end_us > last_end)
			last_end = cs[i].end_us;
		non200 += cs[i].non_200;
		vfalse += cs[i].valid_false;
		none += cs[i].no_verdict;
		bad_status += cs[i].bad_status;
		no_match += cs[i].no_match;
		transport += cs[i].transport;
		if (cs[i].first_bad[0])
			fprintf(stderr, PROG ": %s: first failure: %s\n",
			    cs[i].path, cs[i].first_bad);
	}
	latency_sort(&all);
	for (k = 0; k < all.n; k++)
		sum += all.us[k];
	secs = (double)(last_end - start_us) / 1e6;
	errors = non200 + vfalse + none + bad_status + no_match + transport;
	printf("connections %ld\nrequests %zu\nseconds %.3f\nrps %.1f\n"
	    "mean_ms %.3f\np50_ms %.3f\np90_ms %.3f\np99_ms %.3f\n"
	    "max_ms %.3f\ntail_s %.3f\nclient_cpu_ms %.1f\n"
	    "non_200 %ld\nvalid_false %ld\nno_verdict %ld\nbad_status %ld\n"
	    "no_match %ld\ntransport_errors %ld\nerrors %ld\n", n, all.n,
	    secs, secs > 0 ? (double)all.n / secs : 0,
	    all.n > 0 ? sum / (double)all.n / 1000.0 : 0,
	    latency_pct_ms(&all, 50), latency_pct_ms(&all, 90),
	    latency_pct_ms(&all, 99), latency_pct_ms(&all, 100),
	    (double)(last_end - (first_end < last_end ? first_end : last_end))
	    / 1e6, cpu, non200, vfalse, none, bad_status, no_match, transport,
	    errors);
	latency_free(&all);
	return errors;
}

/* -w: every connection's answers, connection after connection. */
static int
write_answers(const char *path, struct conn *cs, long n)
{
	FILE *fp = fopen(path, "w");
	long i;
	int rc = 0;

	if (fp == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (cs[i].answers.failed || (cs[i].answers.len > 0 &&
		    fwrite(cs[i].answers.data, 1, cs[i].answers.len, fp) !=
		    cs[i].answers.len))
			rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: " PROG " -u URL -U USER -P PASSWORD_FILE [options] "
	    "FILE...\n"
	    "       " PROG " -g -u BASE_URL [-U USER -P PASSWORD_FILE] "
	    "[options] FILE...\n"
	    "  one connection per FILE, each sending its file's lines in\n"
	    "  order, keep-alive; verify mode: POST each line (a JSON body)\n"
	    "  to URL and expect HTTP 200 with signatureValid/tokenValid true\n"
	    "  -g          generic: each line is METHOD<TAB>PATH"
	    "[<TAB>HEADER]...\n"
	    "              <TAB>BODY, PATH appended to BASE_URL\n"
	    "  -e STATUS   generic: the expected status (200)\n"
	    "  -m TEXT     generic: text the answer must contain\n"
	    "  -H HEADER   \"Name: value\" added to every request "
	    "(repeatable)\n"
	    "  -d SECONDS  stop sending after SECONDS (fractions allowed)\n"
	    "  -n LINES    send at most LINES lines per connection\n"
	    "  -r          start again at the first line (until -d)\n"
	    "  -w FILE     write every answer body to FILE, one a line\n");
}

int
main(int argc, char **argv)
{
	struct ctx x;
	struct conn *cs = NULL;
	const char *pwfile = NULL, *answers = NULL;
	char *password = NULL, *end;
	long n, i, started = 0, bad;
	double secs = 0, cpu0;
	uint64_t start_us;
	int c, rc = 1;

	memset(&x, 0, sizeof(x));
	x.expect = 200;
	while ((c = getopt(argc, argv, "u:U:P:d:n:e:m:H:w:grh")) != -1) {
		switch (c) {
		case 'u':
			x.url = optarg;
			break;
		case 'U':
			x.user = optarg;
			break;
		case 'P':
			pwfile = optarg;
			break;
		case 'd':
			secs = strtod(optarg, &end);
			if (*end != '\0')
				secs = -1;
			break;
		case 'n':
			x.max_lines = strtol(optarg, NULL, 10);
			break;
		case 'e':
			x.expect = strtol(optarg, NULL, 10);
			break;
		case 'm':
			x.match = optarg;
			break;
		case 'H':
			if (x.nheaders == HEADERS_MAX ||
			    strchr(optarg, ':') == NULL) {
				usage(stderr);
				return 2;
			}
			x.headers[x.nheaders++] = optarg;
			break;
		case 'w':
			answers = optarg;
			x.keep_answers = 1;
			break;
		case 'g':
			x.generic = 1;
			break;
		case 'r':
			x.repeat = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	n = argc - optind;
	if (x.url == NULL || (x.user == NULL) != (pwfile == NULL) ||
	    (!x.generic && x.user == NULL) || n < 1 || n > CONNS_MAX ||
	    secs < 0 || secs > 86400 || x.max_lines < 0 ||
	    (x.repeat && secs == 0) || x.expect < 100 || x.expect > 599) {
		usage(stderr);
		return 2;
	}
	if (pwfile != NULL) {
		if ((password = read_secret(pwfile)) == NULL) {
			fprintf(stderr, PROG ": %s: %s\n", pwfile,
			    strerror(errno));
			return 2;
		}
		x.password = password;
	}
	if (parse_url(&x) != 0) {
		fprintf(stderr, PROG ": %s: not an http:// URL\n", x.url);
		goto fail;
	}
	if (build_auth(&x) != 0 ||
	    (cs = calloc((size_t)n, sizeof(*cs))) == NULL) {
		fprintf(stderr, PROG ": initialisation failed\n");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		cs[i].ctx = &x;
		cs[i].path = argv[optind + i];
		if (load_lines(&cs[i]) != 0 || cs[i].nlines == 0) {
			fprintf(stderr, PROG ": %s: no lines\n", cs[i].path);
			goto fail;
		}
		if (build_requests(&cs[i]) != 0)
			goto fail;
	}
	if (pthread_barrier_init(&x.ready, NULL, (unsigned)n + 1) != 0 ||
	    pthread_barrier_init(&x.go, NULL, (unsigned)n + 1) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		if (pthread_create(&cs[i].tid, NULL, conn_main, &cs[i]) != 0)
			break;
		started++;
	}
	if (started != n) {
		/* Threads already waiting would block forever: give up. */
		fprintf(stderr, PROG ": cannot start %ld threads\n", n);
		exit(1);
	}
	pthread_barrier_wait(&x.ready);
	cpu0 = cpu_ms();
	start_us = time_mono_us();
	if (secs > 0)
		x.deadline_us = start_us + (uint64_t)(secs * 1e6);
	pthread_barrier_wait(&x.go);
	for (i = 0; i < n; i++)
		pthread_join(cs[i].tid, NULL);
	pthread_barrier_destroy(&x.ready);
	pthread_barrier_destroy(&x.go);
	bad = report(cs, n, start_us, cpu_ms() - cpu0);
	if (bad != 0)
		fprintf(stderr, PROG ": %ld requests failed or were not "
		    "valid\n", bad);
	rc = bad == 0 ? 0 : 1;
	if (answers != NULL && write_answers(answers, cs, n) != 0) {
		fprintf(stderr, PROG ": %s: cannot write the answers\n",
		    answers);
		rc = 1;
	}
fail:
	if (cs != NULL)
		for (i = 0; i < n; i++) {
			latency_free(&cs[i].lat);
			free(cs[i].lines);
			free(cs[i].text);
			free(cs[i].req_off);
			if (cs[i].reqs.data != NULL)
				OPENSSL_cleanse(cs[i].reqs.data,
				    cs[i].reqs.len);
			buf_free(&cs[i].reqs);
			buf_free(&cs[i].answers);
		}
	free(cs);
	if (password != NULL) {
		OPENSSL_cleanse(password, strlen(password));
		free(password);
	}
	if (x.auth != NULL) {
		OPENSSL_cleanse(x.auth, strlen(x.auth));
		free(x.auth);
	}
	return rc;
}
