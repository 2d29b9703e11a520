/*
 * log.c - leveled, thread-safe logging (see log.h).
 *
 * stderr lines carry an ISO-8601 UTC timestamp with milliseconds, the
 * program name and pid; under systemd/journald the timestamp is redundant
 * but harmless, and it keeps plain `2>file` logs useful.
 */
#include <config.h>

#include "common/log.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX	2048

static pthread_mutex_t	log_mtx = PTHREAD_MUTEX_INITIALIZER;
static int		log_level = CONFIG_LOG_INFO;
static int		log_target = CONFIG_LOG_STDERR;
static char		log_ident[64] = "paserv";

static const char *const NAMES[] = { "error", "warn", "info", "debug" };
static const int PRIO[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

void
log_open(const char *ident, int level, int target)
{
	pthread_mutex_lock(&log_mtx);
	snprintf(log_ident, sizeof(log_ident), "%s", ident);
	log_level = level;
	log_target = target;
	if (target == CONFIG_LOG_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	pthread_mutex_unlock(&log_mtx);
}

void
log_close(void)
{
	pthread_mutex_lock(&log_mtx);
	if (log_target == CONFIG_LOG_SYSLOG)
		closelog();
	log_target = CONFIG_LOG_STDERR;
	pthread_mutex_unlock(&log_mtx);
}

int
log_enabled(int level)
{
	return level <= log_level;
}

/* Copies src to dst escaping control bytes and backslashes as \xNN. */
static size_t
escape(char *dst, size_t cap, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	unsigned char c;

	for (; *src != '\0' && o + 5 < cap; src++) {
		c = (unsigned char)*src;
		if (c < 0x20 || c == 0x7f || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		} else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return o;
}

static void
emit(int level, const char *msg)
{
	char line[LOG_LINE_MAX * 4 + 128];
	struct timespec ts;
	struct tm tm;
	size_t n;
	ssize_t w;

	pthread_mutex_lock(&log_mtx);
	if (log_target == CONFIG_LOG_SYSLOG) {
		escape(line, sizeof(line), msg);
		syslog(PRIO[level], "%s: %s", NAMES[level], line);
		pthread_mutex_unlock(&log_mtx);
		return;
	}
	pthread_mutex_unlock(&log_mtx);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, 64, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ %s[%ld]: %s: ",
	    ts.tv_nsec / 1000000, log_ident, (long)getpid(), NAMES[level]);
	n += escape(line + n, sizeof(line) - n - 1, msg);
	line[n++] = '\n';
	/*
	 * One write(2) of at most PIPE_BUF bytes is never interleaved with
	 * another's, into a pipe or an O_APPEND file: only longer lines wait
	 * for each other (the lock used to serialise every line, a futex
	 * round trip per request between busy responder threads).
	 */
	if (n > PIPE_BUF)
		pthread_mutex_lock(&log_mtx);
	w = write(STDERR_FILENO, line, n);
	(void)w;
	if (n > PIPE_BUF)
		pthread_mutex_unlock(&log_mtx);
}

void
log_msg(int level, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	if (level < CONFIG_LOG_ERROR || level > CONFIG_LOG_DEBUG ||
	    !log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, msg);
}

void
log_request(const char *request_id, const char *method, const char *path,
    int status, uint64_t duration_us)
{
	log_msg(CONFIG_LOG_INFO, "request id=%s %s %.512s %d %lluus",
	    request_id != NULL ? request_id : "-",
	    method != NULL ? method : "-", path != NULL ? path : "-",
	    status, (unsigned long long)duration_us);
}
