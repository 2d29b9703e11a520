/*
 * auth.h - who is calling /powerauth-cloud.
 *
 * Owns: parsing `Authorization: Basic`, verifying the credentials against
 * cloud_user (service/password.c), the role model, and an in-process cache
 * of verification results keyed by SHA-256 of the header value so that a
 * busy integration does not pay for yescrypt on every request. Successes
 * are cached for auth.cache_ttl seconds, failures only briefly (they are
 * cached at all so that a client retrying a wrong password cannot make us
 * burn a CPU per request). The cache is shared by the responder threads.
 * Must not: trust REMOTE_USER or any other header, or log credentials.
 */
#ifndef PASERV_SERVICE_AUTH_H
#define PASERV_SERVICE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "store/users.h"

#define AUTH_NEGATIVE_TTL_MS	2000
#define AUTH_CACHE_SLOTS	1024
#define AUTH_HEADER_MAX		1024

enum auth_role {
	AUTH_ROLE_NONE = 0,
	AUTH_ROLE_USER,
	AUTH_ROLE_ADMIN
};

enum auth_result {
	AUTH_OK = 0,
	AUTH_DENIED,		/* missing, malformed or wrong credentials */
	AUTH_THROTTLED,		/* too many failures from the address */
	AUTH_DB_DOWN,
	AUTH_ERROR
};

struct auth_identity {
	int64_t	user_id;
	char	username[USER_NAME_MAX + 1];
	int	role;		/* enum auth_role */
};

struct auth_cache;

/* ttl_ms for successes, neg_ttl_ms for failures; slots rounded up to 8. */
struct auth_cache	*auth_cache_new(size_t slots, int64_t ttl_ms,
			    int64_t neg_ttl_ms);
void			 auth_cache_free(struct auth_cache *c);
/* 1: cached success (*id filled); 0: cached failure; -1: not cached. */
int	auth_cache_lookup(struct auth_cache *c, const uint8_t key[32],
	    int64_t now_ms, struct auth_identity *id);
/* Records a success (id) or a failure (id == NULL). */
void	auth_cache_store(struct auth_cache *c, const uint8_t key[32],
	    int64_t now_ms, const struct auth_identity *id);

/*
 * Splits "Basic base64(user:password)" (scheme case-insensitive). 0 ok,
 * -1 malformed. The username is checked for the allowed characters.
 */
int	auth_parse_basic(const char *header, char *user, size_t usercap,
	    char *pass, size_t passcap);
/*
 * Verifies the header value (NULL: absent) using cache and database.
 * Credentials not in the cache are checked only while the client address
 * (addr, may be NULL) is below abuse.auth_failures failures in the
 * current window (else AUTH_THROTTLED); a failure found in the database
 * counts one more.
 */
enum auth_result auth_verify(struct db *db, const struct config *cfg,
	    struct auth_cache *cache, const char *header, const char *addr,
	    struct auth_identity *out);

/* "ROLE_ADMIN" -> AUTH_ROLE_ADMIN, ...; AUTH_ROLE_NONE if unknown. */
int		 auth_role_parse(const char *s);
const char	*auth_role_name(int role);

#endif
