/*
 * Proximity TOTP (RFC 6238): every row of powerauth-crypto/totp-data.csv
 * (header line, spaces around commas, no trailing newline), and the window
 * rule: current step and one step back accepted, two back / future refused.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/totp.h"
#include "tap.h"
#include "vectors.h"

static const char f[] = "powerauth-crypto/totp-data.csv";

/* Strips leading/trailing blanks in place. */
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

static int
row(char *line, int idx)
{
	char *col[6], *p = line, *c;
	uint8_t seed[64];
	char otp[TOTP_DIGITS + 1];
	enum totp_alg alg;
	long long t;
	int n = 0, sl, ok;

	while (p != NULL && n < 6) {
		if ((c = strchr(p, ',')) != NULL)
			*c++ = '\0';
		col[n++] = trim(p);
		p = c;
	}
	if (n != 6)
		return tap_ok(0, "totp row %d: 6 columns", idx);
	t = strtoll(col[0], NULL, 10);
	alg = strcmp(col[4], "HmacSHA256") == 0 ? TOTP_SHA256 :
	    strcmp(col[4], "HmacSHA512") == 0 ? TOTP_SHA512 : 0;
	sl = vec_hex_str(col[5], seed, sizeof(seed));
	ok = alg != 0 && sl > 0 &&
	    totp_generate(seed, (size_t)sl, alg, t, otp) == 0 &&
	    strcmp(otp, col[3]) == 0 &&
	    strtoull(col[2], NULL, 16) == (unsigned long long)t / TOTP_STEP;
	tap_ok(ok, "totp row %d (t=%lld %s): %s", idx, t, col[4], otp);
	if (!ok)
		return 0;
	tap_ok(totp_verify(seed, (size_t)sl, alg, t, col[3]) == 0 &&
	    totp_verify(seed, (size_t)sl, alg, t + TOTP_STEP, col[3]) == 0,
	    "row %d: accepted now and one step later", idx);
	tap_ok(totp_verify(seed, (size_t)sl, alg, t + 2 * TOTP_STEP,
	    col[3]) != 0, "row %d: refused two steps later", idx);
	tap_ok(totp_verify(seed, (size_t)sl, alg, t - TOTP_STEP, col[3]) != 0,
	    "row %d: refused one step early (future code)", idx);
	return 1;
}

int
main(void)
{
	char *text = vec_read_text(f, NULL), *line, *nl;
	int n = 0, idx = 0;

	if (text == NULL) {
		tap_ok(0, "load %s", f);
		return tap_done();
	}
	line = strchr(text, '\n');	/* skip the header */
	while (line != NULL) {
		line++;
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';	/* the last row has no newline */
		if (*trim(line) != '\0')
			n += row(line, idx++);
		line = nl;
	}
	free(text);
	tap_ok(n == 12, "%s: 12 rows", f);
	vec_report(f, n, 0);
	tap_ok(totp_verify((const uint8_t *)"k", 1, TOTP_SHA256, 100,
	    "1234567") != 0, "7-digit OTP refused");
	return tap_done();
}
