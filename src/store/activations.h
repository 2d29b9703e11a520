/*
 * activations.h - table activation as the mobile protocol sees it.
 *
 * Owns: the SQL of the key exchange and of everything that later reads or
 * advances an activation's secrets and counters: reading one row with its
 * protected secrets (by id, or locked FOR UPDATE by id or by application +
 * activation code), storing the key exchange result, counting OTP
 * failures, storing a signature verification's counter / failed-attempt /
 * block decision. Callers hold the transaction (db_begin .. db_commit)
 * around a locked read and its update.
 * Must not: decide states, verify anything, decrypt (the secrets stay as
 * stored: crypto/dbenc text).
 * The integration API's view of the same table, including the state
 * changes both sides share (removal), is store/registrations.h.
 */
#ifndef PASERV_STORE_ACTIVATIONS_H
#define PASERV_STORE_ACTIVATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "store/registrations.h"

#define ACT_SECRET_ENC_MAX	255
#define ACT_EXTRAS_MAX		4096

/* One activation with what the protocol needs (secrets still encrypted). */
struct act_row {
	char	 id[REG_ID_LEN + 1];
	char	 app_id[APP_ID_MAX + 1];
	char	 user_id[REG_USER_MAX + 1];
	int	 status;			/* enum reg_status, as stored */
	char	 server_private_key_enc[REG_PRIV_ENC_MAX + 1];
	uint8_t	 server_public_key[65];
	size_t	 server_public_key_len;
	uint8_t	 device_public_key[65];
	size_t	 device_public_key_len;		/* 0: no key exchange yet */
	int64_t	 ctr;
	uint8_t	 ctr_data[16];
	int	 has_ctr_data;
	int	 failed_attempts;
	int	 max_failed_attempts;
	char	 otp_hash[REG_HASH_MAX + 1];	/* "" when none */
	char	 commit_phase[REG_PHASE_MAX + 1];
	char	 master_secret_enc[ACT_SECRET_ENC_MAX + 1];	/* "" when none */
	int	 protocol_version;		/* 0 until the key exchange */
	int64_t	 expires_ms;
	char	 flags[REG_FLAGS_TEXT_MAX + 1];	/* JSON array text */
	int	 possession_failures;
	int64_t	 possession_window_ms;		/* 0: no window yet */
};

/* What the key exchange stores. */
struct act_exchange {
	const char	*id;
	int		 status;		/* PENDING_COMMIT or ACTIVE */
	const uint8_t	*device_public_key;	/* uncompressed, 65 bytes */
	size_t		 device_public_key_len;
	const uint8_t	*ctr_data;		/* 16 bytes */
	const char	*master_secret_enc;
	const char	*fingerprint;		/* 8 digits */
	const char	*name;			/* each may be NULL */
	const char	*platform;
	const char	*device_info;
	const char	*extras;
	int		 protocol_version;
};

/* What a signature verification stores. */
struct act_counter {
	const char	*id;
	int64_t		 ctr;
	const uint8_t	*ctr_data;	/* 16 bytes */
	int		 failed_attempts;
	int		 block;		/* 1: status BLOCKED with reason */
	const char	*blocked_reason;
	int		 used;		/* 1: a valid signature, touch last_used */
	int		 possession_failures;
	int64_t		 possession_window_ms;	/* 0: none */
};

/* DB_OK, DB_NOT_FOUND, DB_ERROR, DB_DOWN. No lock. */
int	act_get(struct db *db, const char *id, struct act_row *out);
/* The same FOR UPDATE (inside the caller's transaction). */
int	act_lock(struct db *db, const char *id, struct act_row *out);
/* The registration holding a live activation code of an application,
 * FOR UPDATE (inside the caller's transaction). */
int	act_lock_by_code(struct db *db, const char *app_id, const char *code,
	    struct act_row *out);
/* Stores the key exchange and clears the activation code. */
int	act_store_exchange(struct db *db, const struct act_exchange *x);
/* Stores a new failed OTP count; remove = 1 also ends the registration
 * (REMOVED, code cleared). A right OTP stores 0. */
int	act_store_otp_failures(struct db *db, const char *id, int failed,
	    int remove);
/* Stores a signature verification's outcome. */
int	act_store_counter(struct db *db, const struct act_counter *c);

#endif
