/*
 * http_load - a small closed-loop HTTP load driver for the verify
 * endpoints: C connections, each a thread with one keep-alive libcurl
 * handle, each POSTing the lines of its own file (one complete JSON body a
 * line) in order, the next request as soon as the previous answer is in.
 *
 * Order matters: signature headers are valid in counter order only, so a
 * connection's file holds the headers of one activation, and a connection
 * never sends a line before the previous one was answered.
 *
 * An answer counts as done right only when it is HTTP 200 and carries
 * "signatureValid": true or "tokenValid": true. Anything else is counted
 * (non_200, valid_false, no_verdict, transport_errors) and makes the exit
 * status 1, so a benchmark of rejected requests cannot pass for a fast one.
 *
 * Output, one "name value" a line: connections, requests, seconds, rps,
 * p50_ms, p99_ms, max_ms, tail_s (first to last connection finishing),
 * non_200, valid_false, no_verdict, transport_errors.
 */
#include <config.h>

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "latency.h"

#define PROG		"http_load"
#define CONNS_MAX	1024
#define ANSWER_MAX	(64 * 1024)
#define FILE_MAX	(512L * 1024 * 1024)

struct ctx {
	const char		*url;
	const char		*user;
	const char		*password;
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
	pthread_t	 tid;
	struct latency	 lat;
	uint64_t	 end_us;
	long		 non_200, valid_false, no_verdict, transport;
	char		 first_bad[300];
	/* the answer being received */
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

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct conn *c = arg;
	size_t len = size * n, room = ANSWER_MAX - c->answer_len;

	memcpy(c->answer + c->answer_len, p, len < room ? len : room);
	c->answer_len += len < room ? len : room;
	return len;
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
		snprintf(c->first_bad, sizeof(c->first_bad), "%s: HTTP %ld %.200s",
		    what, status, c->answer);
}

/* Sends line i and books its outcome. -1: transport failure. */
static int
send_one(struct conn *c, CURL *h, size_t i)
{
	uint64_t t0, t1;
	long status = 0;
	CURLcode rc;
	int v;

	c->answer_len = 0;
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->lines[i]);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(c->lines[i]));
	t0 = time_mono_us();
	rc = curl_easy_perform(h);
	t1 = time_mono_us();
	c->answer[c->answer_len] = '\0';
	if (rc != CURLE_OK) {
		c->transport++;
		if (c->first_bad[0] == '\0')
			snprintf(c->first_bad, sizeof(c->first_bad), "%s",
			    curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (latency_add(&c->lat, t1 - t0) != 0)
		return -1;
	if (status != 200) {
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
	struct curl_slist *hdrs = NULL, *tmp;
	CURL *h = curl_easy_init();
	size_t i, n = c->nlines;
	int ready = 0;

	if (x->max_lines > 0 && (size_t)x->max_lines < n)
		n = (size_t)x->max_lines;
	if (h != NULL &&
	    (tmp = curl_slist_append(hdrs, "Content-Type: application/json"))
	    != NULL && (hdrs = tmp) != NULL &&
	    (tmp = curl_slist_append(hdrs, "Expect:")) != NULL) {
		hdrs = tmp;
		curl_easy_setopt(h, CURLOPT_URL, x->url);
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, x->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, x->password);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
		ready = 1;
	} else
		snprintf(c->first_bad, sizeof(c->first_bad), "curl set-up");
	pthread_barrier_wait(&x->ready);
	pthread_barrier_wait(&x->go);
	if (!ready)
		c->transport++;
	for (i = 0; ready && i < n; i++) {
		if (x->deadline_us != 0 && time_mono_us() >= x->deadline_us)
			break;
		if (send_one(c, h, i) != 0)
			break;
	}
	c->end_us = time_mono_us();
	curl_slist_free_all(hdrs);
	if (h != NULL)
		curl_easy_cleanup(h);
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

static long
report(struct conn *cs, long n, uint64_t start_us)
{
	struct latency all = LATENCY_INIT;
	uint64_t first_end = UINT64_MAX, last_end = start_us;
	long i, non200 = 0, vfalse = 0, none = 0, transport = 0;
	double secs;

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
		transport += cs[i].transport;
		if (cs[i].first_bad[0])
			fprintf(stderr, PROG ": %s: first failure: %s\n",
			    cs[i].path, cs[i].first_bad);
	}
	latency_sort(&all);
	secs = (double)(last_end - start_us) / 1e6;
	printf("connections %ld\nrequests %zu\nseconds %.2f\nrps %.1f\n"
	    "p50_ms %.2f\np99_ms %.2f\nmax_ms %.2f\ntail_s %.2f\n"
	    "non_200 %ld\nvalid_false %ld\nno_verdict %ld\n"
	    "transport_errors %ld\n", n, all.n, secs,
	    secs > 0 ? (double)all.n / secs : 0, latency_pct_ms(&all, 50),
	    latency_pct_ms(&all, 99), latency_pct_ms(&all, 100),
	    (double)(last_end - (first_end < last_end ? first_end : last_end))
	    / 1e6, non200, vfalse, none, transport);
	latency_free(&all);
	return non200 + vfalse + none + transport;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: " PROG " -u URL -U USER -P PASSWORD_FILE "
	    "[-d SECONDS] [-n LINES] FILE...\n"
	    "  one connection per FILE; each POSTs its file's lines (JSON\n"
	    "  bodies) in order with HTTP basic auth, keep-alive\n"
	    "  -d SECONDS  stop sending after SECONDS (default: every line)\n"
	    "  -n LINES    send at most LINES lines per connection\n");
}

int
main(int argc, char **argv)
{
	struct ctx x;
	struct conn *cs = NULL;
	const char *pwfile = NULL;
	char *password = NULL;
	long secs = 0, n, i, started = 0, bad;
	uint64_t start_us;
	int c, rc = 1;

	memset(&x, 0, sizeof(x));
	while ((c = getopt(argc, argv, "u:U:P:d:n:h")) != -1) {
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
			secs = strtol(optarg, NULL, 10);
			break;
		case 'n':
			x.max_lines = strtol(optarg, NULL, 10);
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
	if (x.url == NULL || x.user == NULL || pwfile == NULL || n < 1 ||
	    n > CONNS_MAX || secs < 0 || x.max_lines < 0) {
		usage(stderr);
		return 2;
	}
	if ((password = read_secret(pwfile)) == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", pwfile, strerror(errno));
		return 2;
	}
	x.password = password;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
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
	start_us = time_mono_us();
	if (secs > 0)
		x.deadline_us = start_us + (uint64_t)secs * 1000000;
	pthread_barrier_wait(&x.go);
	for (i = 0; i < n; i++)
		pthread_join(cs[i].tid, NULL);
	pthread_barrier_destroy(&x.ready);
	pthread_barrier_destroy(&x.go);
	bad = report(cs, n, start_us);
	if (bad != 0)
		fprintf(stderr, PROG ": %ld requests failed or were not "
		    "valid\n", bad);
	rc = bad == 0 ? 0 : 1;
fail:
	if (cs != NULL)
		for (i = 0; i < n; i++) {
			latency_free(&cs[i].lat);
			free(cs[i].lines);
			free(cs[i].text);
		}
	free(cs);
	if (password != NULL) {
		OPENSSL_cleanse(password, strlen(password));
		free(password);
	}
	curl_global_cleanup();
	return rc;
}
