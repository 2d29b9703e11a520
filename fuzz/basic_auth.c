/*
 * basic_auth.c - fuzz target: the Authorization header of /powerauth-cloud
 * (service/auth.c): the Basic parser alone, then the whole check with its
 * cache against a database that is down or has no such user.
 *
 * Invariants: an accepted header yields a username of the allowed
 * characters and a password that fit their buffers, and the same
 * credentials encoded again parse the same; a check never lets anyone in
 * (no user exists).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "fuzz/fuzz.h"
#include "service/auth.h"
#include "service/users.h"
#include "store/db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static struct auth_cache *cache;
	static struct db *db;
	char *s = fuzz_strndup(data, n), user[65], pass[256], user2[65];
	char pass2[256], *again, *b64;
	struct auth_identity id;
	enum auth_result r;
	size_t ul, pl;

	if (cache == NULL) {
		FUZZ_ASSERT((cache = auth_cache_new(64, 60000, 5000)) != NULL);
		FUZZ_ASSERT((db = db_new(fuzz_config())) != NULL);
	}
	if (auth_parse_basic(s, user, sizeof(user), pass, sizeof(pass)) == 0) {
		ul = strlen(user);
		pl = strlen(pass);
		FUZZ_ASSERT(ul < sizeof(user) && pl < sizeof(pass));
		FUZZ_ASSERT(user_name_valid(user));
		FUZZ_ASSERT((again = malloc(ul + pl + 2)) != NULL);
		memcpy(again, user, ul);
		again[ul] = ':';
		memcpy(again + ul + 1, pass, pl + 1);
		b64 = b64_encode_new((const uint8_t *)again, ul + pl + 1);
		FUZZ_ASSERT(b64 != NULL);
		free(again);
		FUZZ_ASSERT((again = malloc(strlen(b64) + 7)) != NULL);
		memcpy(again, "Basic ", 6);
		memcpy(again + 6, b64, strlen(b64) + 1);
		FUZZ_ASSERT(auth_parse_basic(again, user2, sizeof(user2), pass2,
		    sizeof(pass2)) == 0);
		FUZZ_ASSERT(strcmp(user, user2) == 0 &&
		    strcmp(pass, pass2) == 0);
		free(again);
		free(b64);
	}
	fuzz_db_set(n > 0 && (data[n - 1] & 1) ? FUZZ_DB_DOWN : FUZZ_DB_EMPTY);
	memset(&id, 0, sizeof(id));
	r = auth_verify(db, fuzz_config(), cache, s, "192.0.2.1", &id);
	FUZZ_ASSERT(r != AUTH_OK);
	free(s);
	return 0;
}
