-- 004_tokens.sql - MAC tokens (protocol.md §7) and one replay store for
-- every single-use value.
-- Every statement can be re-run.

-- Tokens created by /pa/v3/token/create. secret_enc is the 16-byte token
-- secret as crypto/dbenc output bound to {"token", id}. signature_type is
-- the factor type of the signature that created it. A token ends with its
-- activation (removed by the device, or when the activation leaves ACTIVE
-- it is unusable: verification requires ACTIVE).
CREATE TABLE IF NOT EXISTS token (
	id			CHAR(36) NOT NULL,
	activation_id		CHAR(36) NOT NULL,
	secret_enc		VARCHAR(255) NOT NULL,
	signature_type		VARCHAR(40) NOT NULL,
	created_at		DATETIME(3) NOT NULL,
	PRIMARY KEY (id),
	KEY token_activation (activation_id),
	CONSTRAINT token_activation_fk FOREIGN KEY (activation_id)
	    REFERENCES activation (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The replay store now also keeps token nonces, so it gets a general name.
-- scope: 1 ECIES application scope, 2 ECIES activation scope, 3 MAC token
-- (SHA-256 of nonce || token id). Rows live until expires_at, then the
-- housekeeping job purges them.
RENAME TABLE IF EXISTS ecies_replay TO replay_value;
ALTER TABLE replay_value RENAME INDEX IF EXISTS ecies_replay_expires
    TO replay_value_expires;
