/*
 * fingerprint.c - activation fingerprint (protocol.md §2.4). Pure function
 * of public data; no I/O.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "crypto/ec.h"
#include "crypto/fingerprint.h"
#include "crypto/primitives.h"

static void
digits8(const uint8_t h[PA_SHA256_LEN], char out[FINGERPRINT_LEN + 1])
{
	uint32_t v;

	v = ((uint32_t)h[28] << 24 | (uint32_t)h[29] << 16 |
	    (uint32_t)h[30] << 8 | h[31]) & 0x7FFFFFFFu;
	snprintf(out, FINGERPRINT_LEN + 1, "%08u", (unsigned)(v % 100000000u));
}

int
fingerprint_v3(const EVP_PKEY *device_pub, const char *activation_id,
    const EVP_PKEY *server_pub, char out[FINGERPRINT_LEN + 1])
{
	uint8_t data[64 + 256], h[PA_SHA256_LEN];
	size_t dl = 0, sl = 0, al;

	if (device_pub == NULL || activation_id == NULL ||
	    server_pub == NULL || out == NULL)
		return -1;
	al = strlen(activation_id);
	if (al > 256)
		return -1;
	if (pa_ec_public_x_minimal(device_pub, data, &dl) != 0)
		return -1;
	memcpy(data + dl, activation_id, al);
	if (pa_ec_public_x_minimal(server_pub, data + dl + al, &sl) != 0)
		return -1;
	if (pa_sha256(data, dl + al + sl, h) != 0)
		return -1;
	digits8(h, out);
	return 0;
}

int
fingerprint_v2(const EVP_PKEY *device_pub, char out[FINGERPRINT_LEN + 1])
{
	uint8_t x[32], h[PA_SHA256_LEN];
	size_t xl = 0;

	if (device_pub == NULL || out == NULL)
		return -1;
	if (pa_ec_public_x_minimal(device_pub, x, &xl) != 0 ||
	    pa_sha256(x, xl, h) != 0)
		return -1;
	digits8(h, out);
	return 0;
}
