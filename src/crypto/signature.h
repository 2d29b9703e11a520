/*
 * signature.h - PowerAuth request signatures (protocol.md §5.2, §5.3, §5.5,
 * §5.6): factor-key components over counter data and DATA, the decimal and
 * Base64 output formats, and the server's look-ahead verification as a PURE
 * function: it takes the activation's counter state and returns the new
 * state; persisting it (in one transaction with the row lock) is the
 * caller's job.
 *
 * Owns: component computation, formats, the look-ahead window and the
 * counter / failed-attempt / block decision.
 * Must not: touch the database, parse headers (headers.c) or build DATA
 * (sigdata.c), log.
 *
 * Failed-attempt accounting follows the reference server, not the prose spec
 * (protocol.md §14 item 2): a `possession`-only signature never changes
 * failed_attempts -- a failure does not increment it and a success does not
 * reset it. Every other type increments on failure and resets to 0 on
 * success; when max_failed - failed_attempts <= 0 the activation must be
 * blocked (reason MAX_FAILED_ATTEMPTS).
 */
#ifndef PASERV_CRYPTO_SIGNATURE_H
#define PASERV_CRYPTO_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/headers.h"	/* enum hdr_sig_type */
#include "crypto/primitives.h"

#define SIGNATURE_MAX_LEN	64	/* 3 x 16 bytes Base64 */
#define SIGNATURE_DIGITS_MIN	4
#define SIGNATURE_DIGITS_MAX	8
#define SIGNATURE_DIGITS_DEFAULT 8
#define SIGNATURE_LOOKAHEAD_DEFAULT 20
#define SIGNATURE_MAX_FAILED_DEFAULT 5
#define SIGNATURE_CTR_LEN	16

enum sig_format {
	SIG_FORMAT_DECIMAL = 1,	/* 3.0 online, all offline */
	SIG_FORMAT_BASE64	/* 3.1+ online */
};

enum sig_block_reason {
	SIG_BLOCK_NONE = 0,
	SIG_BLOCK_MAX_FAILED_ATTEMPTS
};

/* Factor keys (16 bytes each); a key a type does not use may be NULL. */
struct sig_keys {
	const uint8_t	*possession;
	const uint8_t	*knowledge;
	const uint8_t	*biometry;
};

/* Decimal for 3.0, Base64 for 3.1..3.3 (§5.3). */
enum sig_format signature_format_for_version(enum pa_proto_version v);
/* Protocol 2 counter data: 0x00*8 || BE64(ctr). */
void	signature_ctr_data_v2(int64_t ctr, uint8_t out[SIGNATURE_CTR_LEN]);

/*
 * Computes the signature string for type t over counter data ctr and data.
 * digits: decimal component length 4..8 (ignored for Base64). out needs
 * SIGNATURE_MAX_LEN + 1 bytes. 0 ok, -1 bad input / missing key / error.
 */
int	signature_compute(const struct sig_keys *k, enum hdr_sig_type t,
	    const uint8_t ctr[SIGNATURE_CTR_LEN], const uint8_t *data,
	    size_t n, enum sig_format fmt, int digits,
	    char out[SIGNATURE_MAX_LEN + 1]);

/* The activation's counter state (read under the row lock). */
struct sig_state {
	int64_t		ctr;
	uint8_t		ctr_data[SIGNATURE_CTR_LEN];
	int		failed_attempts;
	int		max_failed;
	int		is_active;	/* status == ACTIVE */
	int		legacy_v2;	/* 1: protocol 2 numeric counter */
};

struct sig_verify_req {
	const struct sig_keys *keys;
	enum hdr_sig_type type;		/* ignored by the offline variant */
	const uint8_t	*data;		/* DATA of §5.1 */
	size_t		 datalen;
	const char	*signature;	/* as received */
	enum sig_format	 format;
	int		 digits;	/* decimal length; 0 = 8 */
	int		 lookahead;	/* candidates; 0 = 20 */
	int		 allow_biometry; /* offline: also possession_biometry */
};

struct sig_result {
	int		valid;
	int64_t		matched_ctr;	/* counter that matched, -1 if none */
	enum hdr_sig_type matched_type;	/* type that matched (offline) */
	int64_t		ctr_next;	/* new CTR (unchanged on failure) */
	uint8_t		ctr_data_next[SIGNATURE_CTR_LEN];
	int		failed_attempts;	/* new value to store */
	int		block;		/* set status BLOCKED */
	enum sig_block_reason reason;
	int		remaining_attempts;	/* max_failed - failed, >= 0 */
	int		state_changed;	/* counter or attempts differ */
};

/*
 * Online verification (§5.5 steps 4-8). Returns 0 when the decision in *res
 * is meaningful (valid or not), -1 on bad arguments or an internal error
 * (then nothing may be persisted).
 */
int	signature_verify(const struct sig_verify_req *req,
	    const struct sig_state *st, struct sig_result *res);
/*
 * Offline verification (§5.6): per counter step tries possession_knowledge
 * and, if req->allow_biometry, possession_biometry. Same accounting.
 */
int	signature_verify_offline(const struct sig_verify_req *req,
	    const struct sig_state *st, struct sig_result *res);

#endif
