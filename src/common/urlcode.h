/*
 * urlcode.h - percent-decoding of URL paths and form-encoded query strings.
 *
 * Owns: the byte-exact decoding only. What a caller then accepts (control
 * characters in a path, say) is the caller's rule.
 */
#ifndef PASERV_COMMON_URLCODE_H
#define PASERV_COMMON_URLCODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes n characters of in (`%XX`, and `+` as a space when plus_space)
 * into out, which must have room for n bytes; *outlen gets the decoded
 * length. Returns -1 on a malformed escape.
 */
int	url_unescape(const char *in, size_t n, int plus_space, uint8_t *out,
	    size_t *outlen);

#endif
