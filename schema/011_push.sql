-- 011_push.sql - push notifications (doc/push.md): the credentials an
-- application has toward APNs and FCM, the push device of each
-- registration, and one delivery row per (event, device) for the
-- dispatcher (paserv-dispatch). Every statement can be re-run.

-- The credentials of an application toward one push service.
-- platform apns (token-based .p8 key): key_id, team_id, topic (the bundle
-- id), environment (development | production: which APNs host, unless the
-- device says otherwise). platform fcm (HTTP v1 service account):
-- project_id, client_email, token_uri, key_id (its private_key_id).
-- private_key_enc: the private key (PEM text), encrypted with the master
-- key bound to {"push", platform, app_id} (service/secrets.h).
CREATE TABLE IF NOT EXISTS push_credential (
	app_id			VARCHAR(255) NOT NULL,
	platform		VARCHAR(8) NOT NULL,
	key_id			VARCHAR(64) NULL,
	team_id			VARCHAR(64) NULL,
	topic			VARCHAR(255) NULL,
	environment		VARCHAR(16) NULL,
	project_id		VARCHAR(255) NULL,
	client_email		VARCHAR(255) NULL,
	token_uri		VARCHAR(1024) NULL,
	private_key_enc		TEXT NOT NULL,
	created_at		DATETIME(3) NOT NULL,
	updated_at		DATETIME(3) NOT NULL,
	PRIMARY KEY (app_id, platform),
	CONSTRAINT push_credential_app_fk FOREIGN KEY (app_id)
	    REFERENCES app (id),
	CONSTRAINT push_credential_platform CHECK (platform IN ('apns', 'fcm')),
	CONSTRAINT push_credential_environment CHECK (environment IS NULL OR
	    environment IN ('development', 'production'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The push device of a registration (one per activation): the token the
-- phone registered (POST /api/push/device/register), its platform (apns,
-- fcm or hms) and APNs environment (NULL: the credential's). active 0:
-- no pushes any more; inactive_reason says why (REMOVED: the registration
-- was removed; UNREGISTERED / BAD_TOKEN: the push service refused the
-- token; MOVED: another registration of the application took the token).
CREATE TABLE IF NOT EXISTS push_device (
	activation_id		CHAR(36) NOT NULL,
	app_id			VARCHAR(255) NOT NULL,
	platform		VARCHAR(8) NOT NULL,
	token			VARCHAR(512) CHARACTER SET ascii
				    COLLATE ascii_bin NOT NULL,
	environment		VARCHAR(16) NULL,
	active			TINYINT NOT NULL DEFAULT 1,
	inactive_reason		VARCHAR(32) NULL,
	created_at		DATETIME(3) NOT NULL,
	updated_at		DATETIME(3) NOT NULL,
	PRIMARY KEY (activation_id),
	KEY push_device_token (app_id, token),
	CONSTRAINT push_device_activation_fk FOREIGN KEY (activation_id)
	    REFERENCES activation (id) ON DELETE CASCADE,
	CONSTRAINT push_device_platform CHECK (platform IN ('apns', 'fcm',
	    'hms'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One push of one event to one device. message_type: the messageType the
-- push carries (mtoken.operationInit, ...; MESSAGE for POST
-- /v2/messages/send). platform: the device's at fan-out (the dispatcher
-- keeps separate in-flight limits per platform). status: 1 PENDING,
-- 2 DELIVERED, 3 FAILED (refused or attempts used up), 4 SKIPPED (the
-- device was deactivated or the operation finished before it went out).
-- Claims, leases and attempts work as for callback_delivery (009).
CREATE TABLE IF NOT EXISTS push_delivery (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	event_id		BIGINT NOT NULL,
	activation_id		CHAR(36) NOT NULL,
	object_id		CHAR(36) NOT NULL,
	message_type		VARCHAR(48) NOT NULL,
	platform		VARCHAR(8) NOT NULL,
	status			TINYINT NOT NULL DEFAULT 1,
	attempts		INT NOT NULL DEFAULT 0,
	next_attempt_at		DATETIME(3) NOT NULL,
	lease_holder		VARCHAR(128) NULL,
	lease_until		DATETIME(3) NULL,
	last_status		INT NULL,
	last_error		VARCHAR(255) NULL,
	created_at		DATETIME(3) NOT NULL,
	finished_at		DATETIME(3) NULL,
	PRIMARY KEY (id),
	UNIQUE KEY push_delivery_event (event_id, activation_id),
	KEY push_delivery_due (status, next_attempt_at),
	KEY push_delivery_order (activation_id, object_id, status, id),
	KEY push_delivery_finished (status, finished_at),
	CONSTRAINT push_delivery_event_fk FOREIGN KEY (event_id)
	    REFERENCES event_outbox (id) ON DELETE CASCADE,
	CONSTRAINT push_delivery_device_fk FOREIGN KEY (activation_id)
	    REFERENCES push_device (activation_id) ON DELETE CASCADE,
	CONSTRAINT push_delivery_status CHECK (status BETWEEN 1 AND 4)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Fan-out, in the transaction that wrote the event (like the callbacks'
-- in 009): a push for every active device of an ACTIVE registration the
-- event concerns, when the application has credentials for the device's
-- platform. One trigger per event type.

-- Operations: mtoken.operationInit when one is created (PENDING with no
-- failures yet), mtoken.operationFinished when it leaves PENDING; to the
-- registration it is bound to, or to every registration of its user;
-- nothing for a silent operation.
CREATE TRIGGER IF NOT EXISTS push_operation_fanout
AFTER INSERT ON event_outbox FOR EACH ROW
INSERT INTO push_delivery (event_id, activation_id, object_id,
    message_type, platform, next_attempt_at, created_at)
SELECT NEW.id, d.activation_id, NEW.object_id,
    IF(JSON_VALUE(NEW.payload, '$.status') = 'PENDING',
    'mtoken.operationInit', 'mtoken.operationFinished'), d.platform,
    NEW.created_at, NEW.created_at
FROM operation o
JOIN activation a ON a.user_id = o.user_id AND a.app_id = o.app_id
    AND a.status = 3
JOIN push_device d ON d.activation_id = a.id AND d.active = 1
JOIN push_credential c ON c.app_id = d.app_id AND c.platform = d.platform
WHERE NEW.type = 'OPERATION' AND o.id = NEW.object_id AND o.silent = 0
    AND o.user_id <> ''
    AND (o.registration_id IS NULL OR o.registration_id = a.id)
    AND (JSON_VALUE(NEW.payload, '$.status') <> 'PENDING' OR
    JSON_VALUE(NEW.payload, '$.failureCount') = '0');

-- Registrations: a silent mtoken.activationBlocked / activationRemoved
-- to the registration's own device when it is blocked or removed.
CREATE TRIGGER IF NOT EXISTS push_activation_fanout
AFTER INSERT ON event_outbox FOR EACH ROW
INSERT INTO push_delivery (event_id, activation_id, object_id,
    message_type, platform, next_attempt_at, created_at)
SELECT NEW.id, d.activation_id, NEW.object_id,
    IF(JSON_VALUE(NEW.payload, '$.activationStatus') = 'BLOCKED',
    'mtoken.activationBlocked', 'mtoken.activationRemoved'), d.platform,
    NEW.created_at, NEW.created_at
FROM push_device d
JOIN push_credential c ON c.app_id = d.app_id AND c.platform = d.platform
WHERE NEW.type = 'ACTIVATION' AND d.activation_id = NEW.object_id
    AND d.active = 1
    AND JSON_VALUE(NEW.payload, '$.activationStatus') IN ('BLOCKED',
    'REMOVED');

-- A removed registration's device gets nothing more (after the push
-- above, which the dispatcher still sends).
CREATE TRIGGER IF NOT EXISTS push_device_removed
AFTER INSERT ON event_outbox FOR EACH ROW
FOLLOWS push_activation_fanout
UPDATE push_device SET active = 0, inactive_reason = 'REMOVED',
    updated_at = NEW.created_at
WHERE NEW.type = 'ACTIVATION' AND activation_id = NEW.object_id
    AND active = 1
    AND JSON_VALUE(NEW.payload, '$.activationStatus') = 'REMOVED';

-- Inbox messages (the inbox writes an INBOX event for every message that
-- is not silent): mtoken.inboxMessage.new to each registration of the
-- user.
CREATE TRIGGER IF NOT EXISTS push_inbox_fanout
AFTER INSERT ON event_outbox FOR EACH ROW
INSERT INTO push_delivery (event_id, activation_id, object_id,
    message_type, platform, next_attempt_at, created_at)
SELECT NEW.id, d.activation_id, NEW.object_id, 'mtoken.inboxMessage.new',
    d.platform, NEW.created_at, NEW.created_at
FROM activation a
JOIN push_device d ON d.activation_id = a.id AND d.active = 1
JOIN push_credential c ON c.app_id = d.app_id AND c.platform = d.platform
WHERE NEW.type = 'INBOX' AND a.app_id = NEW.app_id AND a.status = 3
    AND a.user_id = JSON_VALUE(NEW.payload, '$.userId');

-- POST /v2/messages/send: a MESSAGE event; to every registration of the
-- user, or to the one named.
CREATE TRIGGER IF NOT EXISTS push_message_fanout
AFTER INSERT ON event_outbox FOR EACH ROW
INSERT INTO push_delivery (event_id, activation_id, object_id,
    message_type, platform, next_attempt_at, created_at)
SELECT NEW.id, d.activation_id, NEW.object_id, 'MESSAGE', d.platform,
    NEW.created_at, NEW.created_at
FROM activation a
JOIN push_device d ON d.activation_id = a.id AND d.active = 1
JOIN push_credential c ON c.app_id = d.app_id AND c.platform = d.platform
WHERE NEW.type = 'MESSAGE' AND a.app_id = NEW.app_id AND a.status = 3
    AND a.user_id = JSON_VALUE(NEW.payload, '$.userId')
    AND (JSON_VALUE(NEW.payload, '$.registrationId') IS NULL OR
    a.id = JSON_VALUE(NEW.payload, '$.registrationId'));
