-- 007_operations.sql - operations (out-of-band approvals, api.md §2.4) and
-- their server-side templates (api.md §1.3).
-- Every statement can be re-run.

-- Server-side templates: how an operation of a given name is built.
-- data_template: the string the phone signs, with ${param} placeholders.
-- signature_types: JSON array of the factor types allowed to approve.
-- risk_flags: upper-case letters (X, F, C) passed to the phone.
CREATE TABLE IF NOT EXISTS operation_template (
	name			VARCHAR(64) NOT NULL,
	operation_type		VARCHAR(64) NOT NULL,
	data_template		VARCHAR(1024) NOT NULL,
	signature_types		VARCHAR(255) NOT NULL,
	expiration_s		INT NOT NULL,
	max_failures		INT NOT NULL,
	risk_flags		VARCHAR(16) NULL,
	proximity_check		TINYINT NOT NULL DEFAULT 0,
	created_at		DATETIME(3) NOT NULL,
	PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO operation_template (name, operation_type, data_template,
    signature_types, expiration_s, max_failures, risk_flags,
    proximity_check, created_at) VALUES
    ('default.login', 'login', 'A2',
     '["possession_knowledge","possession_biometry"]', 300, 5, NULL, 0,
     UTC_TIMESTAMP(3)),
    ('default.payment', 'payment', 'A1*A${amount}${currency}*I${account}',
     '["possession_knowledge","possession_biometry"]', 300, 5, NULL, 0,
     UTC_TIMESTAMP(3));

-- Operations. status: 1 PENDING, 2 APPROVED, 3 REJECTED, 4 CANCELED,
-- 5 EXPIRED, 6 FAILED. parameters and additional_data are JSON objects of
-- strings. registration_id binds the operation to one device (optional).
CREATE TABLE IF NOT EXISTS operation (
	id			CHAR(36) NOT NULL,
	app_id			VARCHAR(255) NOT NULL,
	user_id			VARCHAR(255) NOT NULL,
	template_name		VARCHAR(64) NOT NULL,
	operation_type		VARCHAR(64) NOT NULL,
	data			VARCHAR(2048) NOT NULL,
	parameters		TEXT NOT NULL,
	additional_data		TEXT NOT NULL,
	status			TINYINT NOT NULL,
	status_reason		VARCHAR(32) NULL,
	signature_types		VARCHAR(255) NOT NULL,
	failure_count		INT NOT NULL DEFAULT 0,
	max_failures		INT NOT NULL,
	external_id		VARCHAR(255) NULL,
	activation_flag		VARCHAR(64) NULL,
	registration_id		CHAR(36) NULL,
	language		VARCHAR(8) NOT NULL,
	risk_flags		VARCHAR(16) NULL,
	silent			TINYINT NOT NULL DEFAULT 0,
	totp_seed_enc		VARCHAR(255) NULL,
	created_at		DATETIME(3) NOT NULL,
	expires_at		DATETIME(3) NOT NULL,
	finalized_at		DATETIME(3) NULL,
	PRIMARY KEY (id),
	KEY operation_user (user_id, app_id, status, created_at),
	KEY operation_status_expires (status, expires_at),
	KEY operation_external (external_id),
	CONSTRAINT operation_app_fk FOREIGN KEY (app_id) REFERENCES app (id),
	CONSTRAINT operation_status CHECK (status BETWEEN 1 AND 6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Operation events for the webhook outbox (see 006_events.sql): on
-- creation and whenever the status or the failure count changes.
CREATE TRIGGER IF NOT EXISTS operation_created_event
AFTER INSERT ON operation FOR EACH ROW
INSERT INTO event_outbox (event_id, type, app_id, object_id, payload,
    created_at)
VALUES (UUID(), 'OPERATION', NEW.app_id, NEW.id, JSON_OBJECT(
    'type', 'OPERATION',
    'operationId', NEW.id,
    'userId', NEW.user_id,
    'applications', JSON_ARRAY(NEW.app_id),
    'operationType', NEW.operation_type,
    'parameters', JSON_EXTRACT(NEW.parameters, '$'),
    'additionalData', JSON_EXTRACT(NEW.additional_data, '$'),
    'activationFlag', NEW.activation_flag,
    'status', ELT(NEW.status, 'PENDING', 'APPROVED', 'REJECTED',
        'CANCELED', 'EXPIRED', 'FAILED'),
    'data', NEW.data,
    'failureCount', NEW.failure_count,
    'maxFailureCount', NEW.max_failures,
    'signatureType', JSON_EXTRACT(UPPER(NEW.signature_types), '$'),
    'externalId', NEW.external_id,
    'timestampCreated', CAST(ROUND(UNIX_TIMESTAMP(NEW.created_at) * 1000)
        AS SIGNED),
    'timestampExpires', CAST(ROUND(UNIX_TIMESTAMP(NEW.expires_at) * 1000)
        AS SIGNED),
    'timestampFinalized', CAST(ROUND(UNIX_TIMESTAMP(NEW.finalized_at) *
        1000) AS SIGNED)), UTC_TIMESTAMP(3));

CREATE TRIGGER IF NOT EXISTS operation_status_event
AFTER UPDATE ON operation FOR EACH ROW
INSERT INTO event_outbox (event_id, type, app_id, object_id, payload,
    created_at)
SELECT UUID(), 'OPERATION', NEW.app_id, NEW.id, JSON_OBJECT(
    'type', 'OPERATION',
    'operationId', NEW.id,
    'userId', NEW.user_id,
    'applications', JSON_ARRAY(NEW.app_id),
    'operationType', NEW.operation_type,
    'parameters', JSON_EXTRACT(NEW.parameters, '$'),
    'additionalData', JSON_EXTRACT(NEW.additional_data, '$'),
    'activationFlag', NEW.activation_flag,
    'status', ELT(NEW.status, 'PENDING', 'APPROVED', 'REJECTED',
        'CANCELED', 'EXPIRED', 'FAILED'),
    'data', NEW.data,
    'failureCount', NEW.failure_count,
    'maxFailureCount', NEW.max_failures,
    'signatureType', JSON_EXTRACT(UPPER(NEW.signature_types), '$'),
    'externalId', NEW.external_id,
    'timestampCreated', CAST(ROUND(UNIX_TIMESTAMP(NEW.created_at) * 1000)
        AS SIGNED),
    'timestampExpires', CAST(ROUND(UNIX_TIMESTAMP(NEW.expires_at) * 1000)
        AS SIGNED),
    'timestampFinalized', CAST(ROUND(UNIX_TIMESTAMP(NEW.finalized_at) *
        1000) AS SIGNED)), UTC_TIMESTAMP(3)
FROM DUAL WHERE NEW.status <> OLD.status
    OR NEW.failure_count <> OLD.failure_count;
