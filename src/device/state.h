/*
 * state.h - the device simulator's persistent state (one JSON file).
 *
 * Owns: loading and atomically saving the file (mode 0600: it holds the
 * device private key, like a phone's keychain would), and typed access to its
 * members. Binary values are stored as Base64 strings.
 * Must not: know about protocol flows; those live in flows.c.
 */
#ifndef PASERV_DEVICE_STATE_H
#define PASERV_DEVICE_STATE_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

struct device_state {
	struct json_object	*root;
	char			*path;
};

/* Loads path; a missing file gives an empty state. 0 ok, -1 error. */
int	 device_state_load(struct device_state *st, const char *path);
/* Writes to path.tmp then renames over path. */
int	 device_state_save(const struct device_state *st);
void	 device_state_free(struct device_state *st);

const char *device_state_str(const struct device_state *st, const char *key);
int	 device_state_set_str(struct device_state *st, const char *key,
	    const char *value);
/* Decodes a Base64 member of exactly `want` bytes (want 0: any up to cap). */
int	 device_state_bytes(const struct device_state *st, const char *key,
	    uint8_t *out, size_t cap, size_t *outlen);
int	 device_state_set_bytes(struct device_state *st, const char *key,
	    const uint8_t *p, size_t n);
long long device_state_int(const struct device_state *st, const char *key,
	    long long dflt);
int	 device_state_set_int(struct device_state *st, const char *key,
	    long long v);
/* A nested object member, created when missing (for tokens, temp keys). */
struct json_object *device_state_object(struct device_state *st,
	    const char *key);
void	 device_state_remove(struct device_state *st, const char *key);

#endif
