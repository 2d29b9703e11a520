/* tap.c - minimal TAP producer (see tap.h). */
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int n_run, n_fail;

static void
result(int cond, const char *fmt, va_list ap)
{
	n_run++;
	if (!cond)
		n_fail++;
	printf("%sok %d - ", cond ? "" : "not ", n_run);
	vprintf(fmt, ap);
	putchar('\n');
}

int
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	result(cond, fmt, ap);
	va_end(ap);
	return cond;
}

static void
hexline(const char *label, const void *p, size_t n)
{
	const unsigned char *b = p;

	printf("#   %s (%zu): ", label, n);
	for (size_t i = 0; i < n && i < 96; i++)
		printf("%02x", b[i]);
	printf("%s\n", n > 96 ? "..." : "");
}

int
tap_mem(const void *got, size_t gotlen, const void *want, size_t wantlen,
    const char *fmt, ...)
{
	va_list ap;
	int cond = gotlen == wantlen && (gotlen == 0 ||
	    memcmp(got, want, gotlen) == 0);

	va_start(ap, fmt);
	result(cond, fmt, ap);
	va_end(ap);
	if (!cond) {
		hexline("got ", got, gotlen);
		hexline("want", want, wantlen);
	}
	return cond;
}

int
tap_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int cond = got != NULL && want != NULL && strcmp(got, want) == 0;

	va_start(ap, fmt);
	result(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   got  '%s'\n#   want '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
	return cond;
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int
tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	return 0;
}

int
tap_done(void)
{
	printf("1..%d\n", n_run);
	fflush(stdout);
	return n_fail == 0 ? 0 : 1;
}

int
tap_failures(void)
{
	return n_fail;
}
