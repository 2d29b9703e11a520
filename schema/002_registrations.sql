-- 002_registrations.sql - registrations (PowerAuth activations).
--
-- Table: activation, one row per registration (id = registrationId).
-- status: 1 CREATED, 2 PENDING_COMMIT, 3 ACTIVE, 4 BLOCKED, 5 REMOVED.
-- activation_code is set to NULL when a registration leaves CREATED /
-- PENDING_COMMIT, so the unique key (app_id, activation_code) only holds
-- among live codes (NULLs never collide).
-- server_private_key_enc is crypto/dbenc output bound to {user_id, id}
-- under security.master_key; the public keys are 65-byte uncompressed
-- P-256 points. otp_hash is crypt(3) output (yescrypt), never the OTP.
-- flags is a JSON array of strings. Timestamps are UTC.
-- Every statement can be re-run (IF NOT EXISTS).

CREATE TABLE IF NOT EXISTS activation (
	id			CHAR(36) NOT NULL,
	app_id			VARCHAR(255) NOT NULL,
	user_id			VARCHAR(255) NOT NULL,
	status			TINYINT NOT NULL,
	activation_code		CHAR(23) NULL,
	code_signature		VARCHAR(128) NULL,
	server_private_key_enc	TEXT NOT NULL,
	server_public_key	VARBINARY(65) NOT NULL,
	device_public_key	VARBINARY(65) NULL,
	ctr			BIGINT NOT NULL DEFAULT 0,
	ctr_data		BINARY(16) NULL,
	failed_attempts		INT NOT NULL DEFAULT 0,
	max_failed_attempts	INT NOT NULL,
	otp_hash		VARCHAR(255) NULL,
	commit_phase		VARCHAR(16) NOT NULL,
	name			VARCHAR(255) NULL,
	platform		VARCHAR(32) NULL,
	device_info		VARCHAR(255) NULL,
	extras			TEXT NULL,
	flags			TEXT NOT NULL,
	blocked_reason		VARCHAR(255) NULL,
	protocol_version	TINYINT NULL,
	created_at		DATETIME(3) NOT NULL,
	last_used_at		DATETIME(3) NOT NULL,
	last_change_at		DATETIME(3) NOT NULL,
	expires_at		DATETIME(3) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY activation_app_code (app_id, activation_code),
	KEY activation_user_app (user_id, app_id),
	KEY activation_status_expires (status, expires_at),
	CONSTRAINT activation_app_fk FOREIGN KEY (app_id) REFERENCES app (id),
	CONSTRAINT activation_status CHECK (status BETWEEN 1 AND 5)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
