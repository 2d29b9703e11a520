/* Authentication without a database: header parsing, cache, passwords. */
#include <config.h>

#include <crypt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/auth.h"
#include "service/password.h"
#include "tap.h"

static const char *
basic(const char *userpass, char *out)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(userpass), i, o = 6;
	const unsigned char *p = (const unsigned char *)userpass;

	memcpy(out, "Basic ", 6);
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 |
		    (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		    (i + 2 < n ? p[i + 2] : 0);
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

static void
parse_tests(void)
{
	char h[256], u[65], p[257];

	tap_ok(auth_parse_basic(basic("admin:s3cret:x", h), u, sizeof(u), p,
	    sizeof(p)) == 0 && strcmp(u, "admin") == 0 &&
	    strcmp(p, "s3cret:x") == 0, "user and password (colon in password)");
	tap_ok(auth_parse_basic("bAsIc YTpi", u, sizeof(u), p, sizeof(p)) == 0,
	    "scheme is case-insensitive");
	tap_ok(auth_parse_basic(basic("admin", h), u, sizeof(u), p,
	    sizeof(p)) != 0, "no colon");
	tap_ok(auth_parse_basic(basic(":pw", h), u, sizeof(u), p,
	    sizeof(p)) != 0, "empty user");
	tap_ok(auth_parse_basic(basic("a b:pw", h), u, sizeof(u), p,
	    sizeof(p)) != 0, "bad user characters");
	tap_ok(auth_parse_basic("Bearer abc", u, sizeof(u), p, sizeof(p)) != 0,
	    "other scheme");
	tap_ok(auth_parse_basic("Basic !!!!", u, sizeof(u), p, sizeof(p)) != 0,
	    "bad Base64");
	tap_ok(auth_parse_basic("Basic YQBiOmM=", u, sizeof(u), p,
	    sizeof(p)) != 0, "NUL in credentials");
	tap_ok(auth_parse_basic(NULL, u, sizeof(u), p, sizeof(p)) != 0, "NULL");
}

static void
cache_tests(void)
{
	struct auth_cache *c = auth_cache_new(16, 1000, 100);
	struct auth_identity id = { 7, "admin", AUTH_ROLE_ADMIN }, got;
	uint8_t k1[32] = { 1 }, k2[32] = { 2 }, k[32];
	int i;

	tap_ok(c != NULL, "cache created");
	tap_ok(auth_cache_lookup(c, k1, 10, &got) == -1, "miss");
	auth_cache_store(c, k1, 10, &id);
	tap_ok(auth_cache_lookup(c, k1, 500, &got) == 1 && got.user_id == 7 &&
	    strcmp(got.username, "admin") == 0, "positive hit");
	tap_ok(auth_cache_lookup(c, k1, 1010, &got) == -1, "positive expires");
	auth_cache_store(c, k2, 10, NULL);
	tap_ok(auth_cache_lookup(c, k2, 50, &got) == 0, "negative hit");
	tap_ok(auth_cache_lookup(c, k2, 111, &got) == -1,
	    "negative expires sooner");
	auth_cache_store(c, k2, 200, &id);
	tap_ok(auth_cache_lookup(c, k2, 201, &got) == 1,
	    "success replaces failure");
	for (i = 0; i < 100; i++) {
		memset(k, 0, sizeof(k));
		k[0] = (uint8_t)i;
		k[5] = 9;
		auth_cache_store(c, k, 300 + i, &id);
	}
	tap_ok(1, "flood of keys stays in a fixed table");
	auth_cache_free(c);
	c = auth_cache_new(8, 0, 0);
	auth_cache_store(c, k1, 10, &id);
	tap_ok(auth_cache_lookup(c, k1, 10, &got) == -1, "ttl 0 disables");
	auth_cache_free(c);
}

static void
password_tests(void)
{
	char pw[PASSWORD_GEN_LEN + 1], pw2[PASSWORD_GEN_LEN + 1], *h;
	char *salt, bh[128];
	struct crypt_data cd;

	tap_ok(password_generate(pw) == 0, "password generated");
	tap_ok(strlen(pw) == PASSWORD_GEN_LEN, "generated password length");
	tap_ok(password_generate(pw2) == 0 && strcmp(pw, pw2) != 0,
	    "passwords differ");
	h = password_hash(pw, PASSWORD_GENERATED);
	tap_ok(h != NULL && strncmp(h, "$y$j75$", 7) == 0,
	    "generated password: yescrypt at its smallest cost (1 MiB)");
	tap_ok(password_verify(pw, h), "verifies");
	tap_ok(!password_verify(pw2, h), "wrong password");
	tap_ok(!password_verify("", h), "empty password");
	free(h);
	salt = crypt_gensalt_ra("$2b$", 4, NULL, 0);
	memset(&cd, 0, sizeof(cd));
	snprintf(bh, sizeof(bh), "%s", crypt_r("hunter2", salt, &cd));
	free(salt);
	tap_ok(password_verify("hunter2", bh), "bcrypt accepted");
	tap_ok(!password_verify("hunter3", bh), "bcrypt wrong password");
	memset(&cd, 0, sizeof(cd));
	snprintf(bh, sizeof(bh), "%s", crypt_r("x", "$1$abcdefgh$", &cd));
	tap_ok(!password_verify("x", bh), "MD5-crypt refused");
	tap_ok(!password_verify("x", "x"), "garbage hash refused");
	tap_ok(auth_role_parse("ROLE_ADMIN") == AUTH_ROLE_ADMIN &&
	    auth_role_parse("ROLE_USER") == AUTH_ROLE_USER &&
	    auth_role_parse("root") == AUTH_ROLE_NONE, "roles");
}

struct verify_job {
	const char	*hash;
	int		 ok;
};

static void *
verify_thread(void *arg)
{
	struct verify_job *j = arg;

	j->ok = password_verify("271828", j->hash);
	return NULL;
}

static long
vm_hwm_kib(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			v = strtol(line + 6, NULL, 10);
	fclose(f);
	return v;
}

/*
 * A chosen secret gets libxcrypt's default cost (16 MiB a run); many
 * threads verifying at once hold at most one run's memory per CPU.
 */
static void
gate_tests(void)
{
	struct verify_job jobs[32];
	pthread_t th[32];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), n, i, before, grew;
	int all = 1;
	char *h;

	h = password_hash("271828", PASSWORD_CHOSEN);
	tap_ok(h != NULL && strncmp(h, "$y$j9T$", 7) == 0,
	    "chosen secret (OTP): yescrypt at libxcrypt's default cost");
	if (h == NULL || cpus < 1) {
		free(h);
		return;
	}
	n = cpus * 3 > 32 ? 32 : cpus * 3;
	before = vm_hwm_kib();	/* already one run's peak */
	for (i = 0; i < n; i++) {
		jobs[i].hash = h;
		jobs[i].ok = 0;
		if (pthread_create(&th[i], NULL, verify_thread, &jobs[i]) != 0)
			break;
	}
	n = i;
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		all &= jobs[i].ok;
	}
	grew = vm_hwm_kib() - before;
	tap_ok(n > 0 && all, "%ld threads verify at once", n);
	tap_ok(before > 0 && grew <= cpus * 16384 + 8192,
	    "peak memory grew %ld KiB: at most one run per CPU (%ld) at once",
	    grew, cpus);
	tap_ok(!password_verify("271829", h), "chosen secret: wrong value");
	free(h);
}

int
main(void)
{
	parse_tests();
	cache_tests();
	password_tests();
	gate_tests();
	return tap_done();
}
