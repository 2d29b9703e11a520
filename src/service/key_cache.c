/* key_cache.c - imported private keys that many requests share (see
 * key_cache.h). */
#include <config.h>

#include "service/key_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

struct slot {
	uint8_t		 tag[KEY_CACHE_TAG_LEN];
	EVP_PKEY	*key;		/* NULL: free slot */
	uint64_t	 used;		/* tick of the last use */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[KEY_CACHE_SLOTS];
static uint64_t tick;

EVP_PKEY *
key_cache_get(const uint8_t tag[KEY_CACHE_TAG_LEN])
{
	EVP_PKEY *k = NULL;
	size_t i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < KEY_CACHE_SLOTS; i++) {
		if (slots[i].key == NULL ||
		    memcmp(slots[i].tag, tag, KEY_CACHE_TAG_LEN) != 0)
			continue;
		if (EVP_PKEY_up_ref(slots[i].key) == 1) {
			k = slots[i].key;
			slots[i].used = ++tick;
		}
		break;
	}
	pthread_mutex_unlock(&mu);
	return k;
}

void
key_cache_put(const uint8_t tag[KEY_CACHE_TAG_LEN], EVP_PKEY *k)
{
	EVP_PKEY *old = NULL;
	size_t i, victim = 0;

	if (k == NULL || EVP_PKEY_up_ref(k) != 1)
		return;
	pthread_mutex_lock(&mu);
	for (i = 0; i < KEY_CACHE_SLOTS; i++) {
		if (slots[i].key != NULL &&
		    memcmp(slots[i].tag, tag, KEY_CACHE_TAG_LEN) == 0) {
			victim = i;	/* another thread filed it first */
			break;
		}
		if (slots[i].key == NULL ||
		    (slots[victim].key != NULL &&
		    slots[i].used < slots[victim].used))
			victim = i;
	}
	old = slots[victim].key;
	memcpy(slots[victim].tag, tag, KEY_CACHE_TAG_LEN);
	slots[victim].key = k;
	slots[victim].used = ++tick;
	pthread_mutex_unlock(&mu);
	EVP_PKEY_free(old);
}

void
key_cache_clear(void)
{
	EVP_PKEY *keys[KEY_CACHE_SLOTS];
	size_t i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < KEY_CACHE_SLOTS; i++) {
		keys[i] = slots[i].key;
		memset(&slots[i], 0, sizeof(slots[i]));
	}
	pthread_mutex_unlock(&mu);
	for (i = 0; i < KEY_CACHE_SLOTS; i++)
		EVP_PKEY_free(keys[i]);
}
