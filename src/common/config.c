/*
 * config.c - configuration file, environment overrides and validation
 * (see config.h).
 *
 * One table describes every key: its type, where it lives in struct config,
 * its default and its range. Parsing, overriding, dumping and the generated
 * documentation all follow that table, so a key cannot be half-supported.
 */
#include <config.h>

#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"

#ifndef PASERV_SYSCONFDIR
#define PASERV_SYSCONFDIR "/etc/paserv"
#endif

#define CONFIG_MAX_FILE		(1024 * 1024)
#define CONFIG_MAX_VALUE	4096

enum ktype {
	K_STR,		/* string, must not be empty */
	K_STR_EMPTY,	/* string, may be empty */
	K_STR_OPT,	/* string, empty means unset (NULL) */
	K_INT,
	K_LEVEL,
	K_TARGET,
	K_KEY16
};

struct kspec {
	const char	*name;
	enum ktype	 type;
	size_t		 off;
	const char	*def;
	long		 min, max;
	int		 secret;
};

#define OFF(f)	offsetof(struct config, f)

static const struct kspec KEYS[] = {
	{ "db.host", K_STR, OFF(db_host), "localhost", 0, 0, 0 },
	{ "db.port", K_INT, OFF(db_port), "3306", 1, 65535, 0 },
	{ "db.socket", K_STR_OPT, OFF(db_socket), NULL, 0, 0, 0 },
	{ "db.hosts", K_STR_OPT, OFF(db_hosts), NULL, 0, 0, 0 },
	{ "db.user", K_STR, OFF(db_user), "paserv", 0, 0, 0 },
	{ "db.password", K_STR_EMPTY, OFF(db_password), "", 0, 0, 1 },
	{ "db.name", K_STR, OFF(db_name), "paserv", 0, 0, 0 },
	{ "security.master_key", K_KEY16, OFF(master_key), NULL, 0, 0, 1 },
	{ "security.previous_master_key", K_KEY16, OFF(previous_master_key),
	    NULL, 0, 0, 1 },
	{ "http.max_body", K_INT, OFF(http_max_body), "1048576", 1024,
	    64L * 1024 * 1024, 0 },
	{ "log.level", K_LEVEL, OFF(log_level), "info", 0, 0, 0 },
	{ "log.target", K_TARGET, OFF(log_target), "stderr", 0, 0, 0 },
	{ "cloud.listen", K_STR, OFF(cloud_listen), "/run/paserv/cloud.sock",
	    0, 0, 0 },
	{ "enroll.listen", K_STR, OFF(enroll_listen),
	    "/run/paserv/enroll.sock", 0, 0, 0 },
	{ "workers.threads", K_INT, OFF(workers_threads), "8", 1, 1024, 0 },
	{ "workers.malloc_arenas", K_INT, OFF(workers_malloc_arenas), "2", 0,
	    64, 0 },
	{ "auth.cache_ttl", K_INT, OFF(auth_cache_ttl), "60", 0, 3600, 0 },
	{ "lookup.cache_ttl", K_INT, OFF(lookup_cache_ttl), "5", 0, 300, 0 },
	{ "service.base_url", K_STR, OFF(service_base_url),
	    "http://127.0.0.1:8080/enrollment-server", 0, 0, 0 },
	{ "registration.expire", K_INT, OFF(registration_expire), "300", 10,
	    30L * 86400, 0 },
	{ "signature.lookahead", K_INT, OFF(signature_lookahead), "20", 1,
	    255, 0 },
	{ "signature.max_failed", K_INT, OFF(signature_max_failed), "5", 1,
	    255, 0 },
	{ "signature.possession_limit", K_INT, OFF(possession_limit), "20", 1,
	    100000, 0 },
	{ "signature.possession_window", K_INT, OFF(possession_window), "60",
	    1, 86400, 0 },
	{ "ecies.window", K_INT, OFF(ecies_window), "300", 10, 86400, 0 },
	{ "temporary_key.validity", K_INT, OFF(temporary_key_validity), "300",
	    30, 86400, 0 },
	{ "token.timestamp_validity", K_INT, OFF(token_timestamp_validity),
	    "7200", 10, 86400, 0 },
	{ "token.timestamp_forward", K_INT, OFF(token_timestamp_forward),
	    "1800", 0, 86400, 0 },
	{ "vault.biometry", K_INT, OFF(vault_biometry), "0", 0, 1, 0 },
	{ "housekeeping.interval", K_INT, OFF(housekeeping_interval), "10", 0,
	    3600, 0 },
	{ "housekeeping.batch", K_INT, OFF(housekeeping_batch), "500", 1,
	    100000, 0 },
	{ "dispatch.concurrency", K_INT, OFF(dispatch_concurrency), "32", 1,
	    1024, 0 },
	{ "dispatch.per_callback", K_INT, OFF(dispatch_per_callback), "8", 1,
	    1024, 0 },
	{ "dispatch.connect_timeout_ms", K_INT,
	    OFF(dispatch_connect_timeout_ms), "5000", 100, 60000, 0 },
	{ "dispatch.timeout_ms", K_INT, OFF(dispatch_timeout_ms), "10000", 100,
	    300000, 0 },
	{ "dispatch.lease", K_INT, OFF(dispatch_lease), "60", 5, 3600, 0 },
	{ "dispatch.poll_ms", K_INT, OFF(dispatch_poll_ms), "250", 10, 60000,
	    0 },
	{ "dispatch.breaker_failures", K_INT, OFF(dispatch_breaker_failures),
	    "20", 1, 1000000, 0 },
	{ "dispatch.breaker_open", K_INT, OFF(dispatch_breaker_open), "30", 1,
	    3600, 0 },
	{ "inbox.retention_days", K_INT, OFF(inbox_retention_days), "0", 0,
	    36500, 0 },
	{ "audit.enabled", K_INT, OFF(audit_enabled), "1", 0, 1, 0 },
	{ "audit.retention_days", K_INT, OFF(audit_retention_days), "365", 1,
	    36500, 0 },
	{ "abuse.window", K_INT, OFF(abuse_window), "600", 10, 86400, 0 },
	{ "abuse.activation_failures", K_INT, OFF(abuse_activation_failures),
	    "20", 0, 1000000, 0 },
	{ "abuse.auth_failures", K_INT, OFF(abuse_auth_failures), "20", 0,
	    1000000, 0 },
	{ "abuse.exempt", K_STR_OPT, OFF(abuse_exempt), NULL, 0, 0, 0 },
	{ "limits.pending_registrations", K_INT,
	    OFF(limits_pending_registrations), "10", 0, 1000000, 0 },
	{ "limits.pending_operations", K_INT, OFF(limits_pending_operations),
	    "100", 0, 1000000, 0 },
	{ "push.concurrency", K_INT, OFF(push_concurrency), "16", 1, 1024, 0 },
	{ "push.per_platform", K_INT, OFF(push_per_platform), "8", 1, 1024,
	    0 },
	{ "push.timeout_ms", K_INT, OFF(push_timeout_ms), "10000", 100,
	    300000, 0 },
	{ "push.max_attempts", K_INT, OFF(push_max_attempts), "10", 1, 1000,
	    0 },
	{ "push.initial_backoff_ms", K_INT, OFF(push_initial_backoff_ms),
	    "2000", 10, 3600000, 0 },
	{ "push.max_backoff_ms", K_INT, OFF(push_max_backoff_ms), "300000",
	    10, 86400000, 0 },
	{ "push.apns_url", K_STR, OFF(push_apns_url),
	    "https://api.push.apple.com", 0, 0, 0 },
	{ "push.apns_sandbox_url", K_STR, OFF(push_apns_sandbox_url),
	    "https://api.sandbox.push.apple.com", 0, 0, 0 },
	{ "push.fcm_url", K_STR, OFF(push_fcm_url),
	    "https://fcm.googleapis.com", 0, 0, 0 },
	{ "push.fcm_token_url", K_STR_OPT, OFF(push_fcm_token_url), NULL, 0,
	    0, 0 },
	{ "push.ca_file", K_STR_OPT, OFF(push_ca_file), NULL, 0, 0, 0 },
	{ "push.default_title", K_STR, OFF(push_default_title),
	    "Approval request", 0, 0, 0 },
	{ "push.default_body", K_STR, OFF(push_default_body),
	    "An operation is waiting for your approval.", 0, 0, 0 },
	{ "push.inbox_title", K_STR, OFF(push_inbox_title), "New message", 0,
	    0, 0 },
};
#define NKEYS	(sizeof(KEYS) / sizeof(KEYS[0]))

static const char *const LEVELS[] = { "error", "warn", "info", "debug" };
static const char *const TARGETS[] = { "stderr", "syslog" };

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *
config_default_path(const char *explicit_path)
{
	const char *p;

	if (explicit_path != NULL)
		return explicit_path;
	if ((p = getenv("PASERV_CONFIG")) != NULL && *p != '\0')
		return p;
	return PASERV_SYSCONFDIR "/paserv.conf";
}

int
config_env_name(const char *key, char *out, size_t outlen)
{
	size_t i, n = strlen("PASERV_");

	if (outlen < n + strlen(key) + 1)
		return -1;
	memcpy(out, "PASERV_", n);
	for (i = 0; key[i] != '\0'; i++)
		out[n + i] = key[i] == '.' ? '_' :
		    (char)toupper((unsigned char)key[i]);
	out[n + i] = '\0';
	return 0;
}

const char *
config_log_level_name(int level)
{
	if (level < 0 || level > CONFIG_LOG_DEBUG)
		return "?";
	return LEVELS[level];
}

static int
pick(const char *const *names, size_t n, const char *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], v) == 0)
			return (int)i;
	return -1;
}

static int
parse_long(const char *v, long min, long max, long *out)
{
	char *end;
	long x;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

static void
wipe_str(char **s)
{
	if (*s != NULL) {
		OPENSSL_cleanse(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

static int
set_string(const struct kspec *k, char **slot, const char *v)
{
	char *dup = NULL;

	if (*v == '\0' && k->type == K_STR)
		return -1;
	if (*v != '\0' || k->type == K_STR_EMPTY) {
		if ((dup = strdup(v)) == NULL)
			return -1;
	}
	wipe_str(slot);
	*slot = dup;
	return 0;
}

/* Where the flag that says whether the K_KEY16 key k is set lives. */
static size_t
key_flag(const struct kspec *k)
{
	return k->off == OFF(master_key) ? OFF(master_key_set) :
	    OFF(previous_master_key_set);
}

/* Stores v into the field of k; -1 with a reason in why. */
static int
set_value(struct config *cfg, const struct kspec *k, const char *v,
    const char **why)
{
	char *base = (char *)cfg;
	long l;
	int e;

	switch (k->type) {
	case K_STR:
	case K_STR_EMPTY:
	case K_STR_OPT:
		*why = "must not be empty";
		return set_string(k, (char **)(void *)(base + k->off), v);
	case K_INT:
		*why = "must be a decimal integer in range";
		if (parse_long(v, k->min, k->max, &l) != 0)
			return -1;
		*(long *)(void *)(base + k->off) = l;
		return 0;
	case K_LEVEL:
	case K_TARGET:
		*why = k->type == K_LEVEL ? "must be error, warn, info or debug" :
		    "must be stderr or syslog";
		e = k->type == K_LEVEL ? pick(LEVELS, 4, v) : pick(TARGETS, 2, v);
		if (e < 0)
			return -1;
		*(int *)(void *)(base + k->off) = e;
		return 0;
	case K_KEY16:
		*why = "must be the Base64 encoding of exactly 16 bytes";
		*(int *)(void *)(base + key_flag(k)) = 0;
		OPENSSL_cleanse(base + k->off, CONFIG_MASTER_KEY_LEN);
		if (*v == '\0')
			return 0;
		if (b64_decode_exact(v, (uint8_t *)(base + k->off),
		    CONFIG_MASTER_KEY_LEN) != 0)
			return -1;
		*(int *)(void *)(base + key_flag(k)) = 1;
		return 0;
	}
	return -1;
}

static const struct kspec *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(KEYS[i].name, name) == 0)
			return &KEYS[i];
	return NULL;
}

static int
set_defaults(struct config *cfg, char *err, size_t errlen)
{
	const char *why;
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < NKEYS; i++) {
		if (KEYS[i].def == NULL)
			continue;
		if (set_value(cfg, &KEYS[i], KEYS[i].def, &why) != 0) {
			seterr(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* One `key = value` line (already NUL-terminated, no newline). */
static int
parse_line(struct config *cfg, char *line, int *seen, const char *origin,
    int lineno, char *err, size_t errlen)
{
	const struct kspec *k;
	const char *why;
	char *eq, *key, *val, envname[128];

	key = trim(line);
	if (*key == '\0' || *key == '#')
		return 0;
	if ((eq = strchr(key, '=')) == NULL) {
		seterr(err, errlen, "%s:%d: expected 'key = value'", origin,
		    lineno);
		return -1;
	}
	*eq = '\0';
	key = trim(key);
	val = trim(eq + 1);
	if ((k = find_key(key)) == NULL) {
		seterr(err, errlen, "%s:%d: unknown key '%.64s'", origin,
		    lineno, key);
		return -1;
	}
	if (seen[k - KEYS]) {
		seterr(err, errlen, "%s:%d: duplicate key '%s'", origin,
		    lineno, k->name);
		return -1;
	}
	seen[k - KEYS] = 1;
	/* The environment wins; a file value it replaces is not checked. */
	if (config_env_name(k->name, envname, sizeof(envname)) == 0 &&
	    getenv(envname) != NULL)
		return 0;
	if (set_value(cfg, k, val, &why) != 0) {
		seterr(err, errlen, "%s:%d: %s %s", origin, lineno, k->name,
		    why);
		return -1;
	}
	return 0;
}

static int
parse_text(struct config *cfg, const char *text, size_t len,
    const char *origin, char *err, size_t errlen)
{
	int seen[NKEYS] = { 0 };
	char line[CONFIG_MAX_VALUE + 256];
	size_t pos = 0, n;
	const char *nl;
	int lineno = 0, rc = 0;

	if (memchr(text, '\0', len) != NULL) {
		seterr(err, errlen, "%s: contains a NUL byte", origin);
		return -1;
	}
	while (pos < len && rc == 0) {
		lineno++;
		nl = memchr(text + pos, '\n', len - pos);
		n = (nl != NULL ? (size_t)(nl - text) : len) - pos;
		if (n >= sizeof(line)) {
			seterr(err, errlen, "%s:%d: line too long", origin,
			    lineno);
			rc = -1;
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		rc = parse_line(cfg, line, seen, origin, lineno, err, errlen);
		pos += n + 1;
	}
	OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

static int
apply_env(struct config *cfg, char *err, size_t errlen)
{
	char name[128];
	const char *v, *why;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (config_env_name(KEYS[i].name, name, sizeof(name)) != 0)
			return -1;
		if ((v = getenv(name)) == NULL)
			continue;
		if (strlen(v) > CONFIG_MAX_VALUE ||
		    set_value(cfg, &KEYS[i], v, &why) != 0) {
			seterr(err, errlen, "environment %s: %s %s", name,
			    KEYS[i].name, strlen(v) > CONFIG_MAX_VALUE ?
			    "too long" : why);
			return -1;
		}
	}
	return 0;
}

/* One entry of db.hosts (n bytes at s) into h. */
static int
host_entry(const char *s, size_t n, long default_port,
    struct config_host *h, const char **why)
{
	const char *name = s, *colon = NULL, *end = s + n;
	char port[8];
	size_t len;

	if (*s == '[') {
		name = s + 1;
		if ((end = memchr(s, ']', n)) == NULL) {
			*why = "'[' without ']'";
			return -1;
		}
		if (end + 1 < s + n) {
			if (end[1] != ':') {
				*why = "text after ']'";
				return -1;
			}
			colon = end + 1;
		}
	} else if ((colon = memchr(s, ':', n)) != NULL) {
		end = colon;
		if (memchr(colon + 1, ':', (size_t)(s + n - colon - 1)) !=
		    NULL) {
			*why = "an IPv6 address needs [brackets]";
			return -1;
		}
	}
	len = (size_t)(end - name);
	if (len == 0 || len > CONFIG_HOST_LEN) {
		*why = len == 0 ? "empty host" : "host name too long";
		return -1;
	}
	memcpy(h->host, name, len);
	h->host[len] = '\0';
	h->port = default_port;
	if (colon != NULL) {
		len = (size_t)(s + n - colon - 1);
		if (len == 0 || len >= sizeof(port)) {
			*why = "bad port";
			return -1;
		}
		memcpy(port, colon + 1, len);
		port[len] = '\0';
		if (parse_long(port, 1, 65535, &h->port) != 0) {
			*why = "bad port";
			return -1;
		}
	}
	return 0;
}

int
config_hosts_parse(const char *list, long default_port,
    struct config_host *out, size_t max, const char **why)
{
	const char *p = list;
	size_t n = 0, len;

	*why = NULL;
	while (p != NULL && *p != '\0') {
		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		len = strcspn(p, ", \t");
		if (n == max) {
			*why = "too many hosts";
			return -1;
		}
		if (host_entry(p, len, default_port, &out[n], why) != 0)
			return -1;
		n++;
		p += len;
	}
	if (n == 0) {
		*why = "no host";
		return -1;
	}
	return (int)n;
}

/* Cross-key checks, after the file and the environment. */
static int
check_all(struct config *cfg, char *err, size_t errlen)
{
	struct config_host h[CONFIG_HOSTS_MAX];
	const char *why;

	if (cfg->db_hosts != NULL && config_hosts_parse(cfg->db_hosts,
	    cfg->db_port, h, CONFIG_HOSTS_MAX, &why) < 0) {
		seterr(err, errlen, "db.hosts: %s", why);
		return -1;
	}
	return 0;
}

int
config_load_text(struct config *cfg, const char *text, size_t len,
    const char *origin, char *err, size_t errlen)
{
	if (set_defaults(cfg, err, errlen) != 0)
		goto fail;
	if (parse_text(cfg, text, len, origin, err, errlen) != 0)
		goto fail;
	if (apply_env(cfg, err, errlen) != 0)
		goto fail;
	if (check_all(cfg, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	config_free(cfg);
	return -1;
}

/* Reads the whole file; 1 if it does not exist, -1 on error. */
static int
slurp(const char *path, char **out, size_t *outlen, char *err, size_t errlen)
{
	FILE *fp;
	char *p = NULL;
	size_t n;

	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 1;
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((p = malloc(CONFIG_MAX_FILE + 1)) == NULL)
		goto fail;
	n = fread(p, 1, CONFIG_MAX_FILE + 1, fp);
	if (ferror(fp) || n > CONFIG_MAX_FILE) {
		seterr(err, errlen, "%s: unreadable or larger than %d bytes",
		    path, CONFIG_MAX_FILE);
		goto fail;
	}
	fclose(fp);
	*out = p;
	*outlen = n;
	return 0;
fail:
	if (err != NULL && errlen > 0 && *err == '\0')
		seterr(err, errlen, "%s: out of memory", path);
	free(p);
	fclose(fp);
	return -1;
}

int
config_load(struct config *cfg, const char *path, int required, char *err,
    size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc, found;

	if (err != NULL && errlen > 0)
		*err = '\0';
	rc = slurp(path, &text, &len, err, errlen);
	if (rc < 0 || (rc == 1 && required)) {
		if (rc == 1)
			seterr(err, errlen, "%s: no such file", path);
		memset(cfg, 0, sizeof(*cfg));
		return -1;
	}
	found = text != NULL;
	rc = config_load_text(cfg, found ? text : "", len, path, err, errlen);
	if (text != NULL) {
		OPENSSL_cleanse(text, len);
		free(text);
	}
	if (rc == 0 && found && (cfg->path = strdup(path)) == NULL) {
		seterr(err, errlen, "out of memory");
		config_free(cfg);
		return -1;
	}
	return rc;
}

int
config_require_master_key(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->master_key_set)
		return 0;
	seterr(err, errlen, "security.master_key is not set (Base64 of 16 "
	    "random bytes, e.g. from 'openssl rand -base64 16')");
	return -1;
}

void
config_dump(const struct config *cfg, FILE *fp)
{
	const char *base = (const char *)cfg;
	const char *s;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		const struct kspec *k = &KEYS[i];

		fprintf(fp, "%s = ", k->name);
		if (k->type == K_KEY16)
			fputs(*(const int *)(const void *)(base +
			    key_flag(k)) ? "(set)" : "(unset)", fp);
		else if (k->type == K_INT)
			fprintf(fp, "%ld", *(const long *)(const void *)
			    (base + k->off));
		else if (k->type == K_LEVEL)
			fputs(LEVELS[cfg->log_level], fp);
		else if (k->type == K_TARGET)
			fputs(TARGETS[cfg->log_target], fp);
		else {
			s = *(char *const *)(const void *)(base + k->off);
			if (k->secret)
				fputs(s != NULL && *s != '\0' ? "(set)" :
				    "(empty)", fp);
			else
				fputs(s != NULL ? s : "(unset)", fp);
		}
		fputc('\n', fp);
	}
}

void
config_free(struct config *cfg)
{
	char *base = (char *)cfg;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (KEYS[i].type == K_STR || KEYS[i].type == K_STR_EMPTY ||
		    KEYS[i].type == K_STR_OPT)
			wipe_str((char **)(void *)(base + KEYS[i].off));
	}
	free(cfg->path);
	cfg->path = NULL;
	OPENSSL_cleanse(cfg->master_key, sizeof(cfg->master_key));
	cfg->master_key_set = 0;
	OPENSSL_cleanse(cfg->previous_master_key,
	    sizeof(cfg->previous_master_key));
	cfg->previous_master_key_set = 0;
}
