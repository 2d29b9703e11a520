/* uuid.c - version 4 UUIDs (see uuid.h). */
#include <config.h>

#include "common/uuid.h"

#include <ctype.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <string.h>

int
uuid_v4_generate(char out[UUID_STR_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t r[16];
	size_t i, o = 0;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
	for (i = 0; i < sizeof(r); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[r[i] >> 4];
		out[o++] = hex[r[i] & 15];
	}
	out[o] = '\0';
	return 0;
}

int
uuid_is_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < UUID_STR_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return s[UUID_STR_LEN] == '\0';
}

int
uuid_is_v4(const char *s)
{
	return uuid_is_valid(s) && s[14] == '4' &&
	    strchr("89abAB", s[19]) != NULL;
}
