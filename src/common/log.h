/*
 * log.h - leveled logging to stderr or syslog.
 *
 * Owns: the process-wide log sink, its level, and the format of the one line
 * written per request. Thread-safe: a line is formatted in a private buffer
 * and written with a single write(2) (or syslog(3)) under a mutex, so lines
 * from responder threads never interleave. Control characters in messages
 * are escaped, so request data cannot forge log lines.
 * Must not: be handed secrets (passwords, keys, Authorization headers,
 * request bodies); callers log identifiers only.
 */
#ifndef PASERV_COMMON_LOG_H
#define PASERV_COMMON_LOG_H

#include <stdint.h>

#include "common/config.h"	/* enum config_log_level / target */

/* Before log_open() messages go to stderr at level info. */
void	log_open(const char *ident, int level, int target);
void	log_close(void);
int	log_enabled(int level);
void	log_msg(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* One line per request: id, method, path, status, duration in µs. */
void	log_request(const char *request_id, const char *method,
	    const char *path, int status, uint64_t duration_us);

#define log_error(...)	log_msg(CONFIG_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(CONFIG_LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(CONFIG_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(CONFIG_LOG_DEBUG, __VA_ARGS__)

#endif
