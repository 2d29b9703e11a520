-- 003_key_exchange.sql - what the mobile key exchange and its follow-ups
-- need: per-activation secrets derived at key exchange, temporary ECIES keys
-- (protocol 3.3), the ECIES replay store, and leases for background jobs.
-- Every statement can be re-run (IF NOT EXISTS).

-- activation.master_secret_enc: KEY_MASTER_SECRET (16 bytes, from the ECDH
-- at key exchange) as crypto/dbenc output bound to {"secret", user_id, id};
-- every activation key (factor keys, transport) is derived from it, so a
-- signature check needs no ECDH. fingerprint: the 8 digits both sides show
-- after the key exchange. committed_by: externalUserId given at commit.
ALTER TABLE activation
	ADD COLUMN IF NOT EXISTS master_secret_enc TEXT NULL,
	ADD COLUMN IF NOT EXISTS fingerprint CHAR(8) NULL,
	ADD COLUMN IF NOT EXISTS committed_by VARCHAR(255) NULL;

-- Temporary ECIES key pairs of protocol 3.3 (/pa/v3/keystore/create).
-- activation_id NULL: application scope. private_key_enc is crypto/dbenc
-- output bound to {"temporary_key", id}. Rows past expires_at are unusable
-- and purged by the housekeeping job.
CREATE TABLE IF NOT EXISTS temporary_key (
	id			CHAR(36) NOT NULL,
	app_key			CHAR(24) NOT NULL,
	activation_id		CHAR(36) NULL,
	private_key_enc		TEXT NOT NULL,
	public_key		VARBINARY(65) NOT NULL,
	created_at		DATETIME(3) NOT NULL,
	expires_at		DATETIME(3) NOT NULL,
	PRIMARY KEY (id),
	KEY temporary_key_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- ECIES replay store: SHA-256 of (ephemeral key || nonce || scope
-- identifier) for every accepted request envelope, kept until expires_at
-- (longer than the accepted timestamp window), then purged.
-- scope: 1 application, 2 activation. (Renamed replay_value by 004.)
CREATE TABLE IF NOT EXISTS ecies_replay (
	scope			TINYINT NOT NULL,
	value_hash		BINARY(32) NOT NULL,
	expires_at		DATETIME(3) NOT NULL,
	PRIMARY KEY (scope, value_hash),
	KEY ecies_replay_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Leases of background jobs that must run on one host at a time even when
-- every host runs them: a host holds the job while expires_at is in the
-- future (a plain row, so it also works on Galera, unlike GET_LOCK).
CREATE TABLE IF NOT EXISTS job_lease (
	name			VARCHAR(64) NOT NULL,
	holder			VARCHAR(128) NOT NULL,
	expires_at		DATETIME(3) NOT NULL,
	PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
