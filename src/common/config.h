/*
 * config.h - the runtime configuration of every paserv binary.
 *
 * Owns: reading the `key = value` file, the PASERV_* environment overrides,
 * defaults, typed values and their validation (ranges, enums, the at-rest
 * master key). Unknown keys and malformed values are errors that name the key
 * and the line. Must not: log, exit, or keep global state; callers decide what
 * to do with a failure (the message is returned in err).
 */
#ifndef PASERV_COMMON_CONFIG_H
#define PASERV_COMMON_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_MASTER_KEY_LEN	16

enum config_log_level {
	CONFIG_LOG_ERROR = 0,
	CONFIG_LOG_WARN,
	CONFIG_LOG_INFO,
	CONFIG_LOG_DEBUG
};

enum config_log_target {
	CONFIG_LOG_STDERR = 0,
	CONFIG_LOG_SYSLOG
};

struct config {
	char	*db_host;
	long	 db_port;
	char	*db_socket;		/* NULL: use host/port */
	char	*db_hosts;		/* "host[:port], ...": tried in order,
					 * instead of host/port; NULL: unset */
	char	*db_user;
	char	*db_password;		/* secret: wiped by config_free() */
	char	*db_name;
	uint8_t	 master_key[CONFIG_MASTER_KEY_LEN];	/* secret */
	int	 master_key_set;
	/* The key being rotated away from: opens, never seals (optional). */
	uint8_t	 previous_master_key[CONFIG_MASTER_KEY_LEN];	/* secret */
	int	 previous_master_key_set;
	long	 http_max_body;
	int	 log_level;		/* enum config_log_level */
	int	 log_target;		/* enum config_log_target */
	char	*cloud_listen;
	char	*enroll_listen;
	long	 workers_threads;
	long	 workers_malloc_arenas;	/* 0: glibc's default */
	long	 auth_cache_ttl;	/* seconds */
	long	 lookup_cache_ttl;	/* seconds; 0: off */
	char	*service_base_url;
	long	 registration_expire;	/* seconds */
	long	 signature_lookahead;
	long	 signature_max_failed;
	long	 possession_limit;	/* possession-only failures ... */
	long	 possession_window;	/* ... per this many seconds */
	long	 ecies_window;		/* seconds, timestamp freshness */
	long	 temporary_key_validity;	/* seconds */
	long	 token_timestamp_validity;	/* seconds into the past */
	long	 token_timestamp_forward;	/* seconds into the future */
	long	 vault_biometry;	/* 1: possession_biometry unlocks */
	long	 housekeeping_interval;	/* seconds; 0: no job in workers */
	long	 housekeeping_batch;	/* rows per statement */
	long	 dispatch_concurrency;	/* deliveries in flight */
	long	 dispatch_per_callback;	/* ... of them to one callback */
	long	 dispatch_connect_timeout_ms;
	long	 dispatch_timeout_ms;	/* one attempt, whole */
	long	 dispatch_lease;	/* seconds a claim holds */
	long	 dispatch_poll_ms;	/* idle wait between claims */
	long	 dispatch_breaker_failures;	/* in a row: open */
	long	 dispatch_breaker_open;	/* seconds it stays open */
	long	 inbox_retention_days;	/* 0: inbox messages are kept */
	long	 audit_enabled;		/* 1: write the audit log */
	long	 audit_retention_days;	/* audit rows older: purged */
	long	 abuse_window;		/* seconds of one counting window */
	long	 abuse_activation_failures;	/* per address and window;
						 * 0: no limit */
	long	 abuse_auth_failures;	/* failed Basic auth, the same */
	char	*abuse_exempt;		/* addresses never limited, separated
					 * by spaces or commas; NULL: none */
	long	 limits_pending_registrations;	/* unfinished per user and
						 * application; 0: none */
	long	 limits_pending_operations;	/* PENDING per user and
						 * application; 0: none */
	long	 push_concurrency;	/* push attempts in flight */
	long	 push_per_platform;	/* ... of them to one platform */
	long	 push_timeout_ms;	/* one push attempt, whole */
	long	 push_max_attempts;
	long	 push_initial_backoff_ms;
	long	 push_max_backoff_ms;
	char	*push_apns_url;		/* APNs production base URL */
	char	*push_apns_sandbox_url;	/* APNs development base URL */
	char	*push_fcm_url;		/* FCM v1 base URL */
	char	*push_fcm_token_url;	/* NULL: the account's token_uri */
	char	*push_ca_file;		/* NULL: the system's CAs */
	char	*push_default_title;	/* operationInit without a template */
	char	*push_default_body;
	char	*push_inbox_title;
	char	*path;			/* file actually read, NULL if none */
};

/*
 * The file to read: `explicit` (from -c) if not NULL, else $PASERV_CONFIG,
 * else the compiled-in $(sysconfdir)/paserv/paserv.conf.
 */
const char	*config_default_path(const char *explicit_path);

/*
 * Defaults, then the file at path (required = 1: a missing file is an error;
 * 0: a missing file is skipped), then the environment. Validates everything
 * except the presence of the master key (config_require_master_key()).
 * 0 ok; -1 with a one-line reason in err. On failure cfg is freed.
 */
int	 config_load(struct config *cfg, const char *path, int required,
	    char *err, size_t errlen);
/* Same from an in-memory text (origin names it in messages). */
int	 config_load_text(struct config *cfg, const char *text, size_t len,
	    const char *origin, char *err, size_t errlen);
/* -1 with a message when security.master_key is not set. */
int	 config_require_master_key(const struct config *cfg, char *err,
	    size_t errlen);
/* Prints the effective configuration, secrets masked. */
void	 config_dump(const struct config *cfg, FILE *fp);
/* Wipes secrets and frees every string. */
void	 config_free(struct config *cfg);

/* The environment variable that overrides key ("db.host" -> PASERV_DB_HOST). */
int	 config_env_name(const char *key, char *out, size_t outlen);

const char	*config_log_level_name(int level);

/* One entry of db.hosts. */
#define CONFIG_HOSTS_MAX	8
#define CONFIG_HOST_LEN		255
struct config_host {
	char	host[CONFIG_HOST_LEN + 1];
	long	port;
};

/*
 * Splits a db.hosts list: entries separated by commas or spaces, each
 * "host", "host:port" or "[ipv6]:port" (no port: default_port). Returns
 * the number of entries (1..max), or -1 with a reason in *why (empty list,
 * more than max entries, a bad port, an entry too long).
 */
int	 config_hosts_parse(const char *list, long default_port,
	    struct config_host *out, size_t max, const char **why);

#endif
