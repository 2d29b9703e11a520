-- 006_events.sql - the event outbox: one row per status change, written in
-- the same transaction as the change, for the webhook dispatcher.
--
-- type: ACTIVATION (registration status changes) or OPERATION. payload is
-- the full snapshot as JSON (every attribute a callback may select;
-- timestamps as epoch milliseconds); event_id lets receivers deduplicate.
-- Rows are written by the triggers below, so no code path that changes a
-- status (API, key exchange, signature blocking, housekeeping) can forget
-- its event, and a rolled-back change leaves none.
CREATE TABLE IF NOT EXISTS event_outbox (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	event_id		CHAR(36) NOT NULL,
	type			VARCHAR(16) NOT NULL,
	app_id			VARCHAR(255) NOT NULL,
	object_id		CHAR(36) NOT NULL,
	payload			TEXT NOT NULL,
	created_at		DATETIME(3) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY event_outbox_event (event_id),
	KEY event_outbox_object (object_id, id),
	KEY event_outbox_app (app_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TRIGGER IF NOT EXISTS activation_created_event
AFTER INSERT ON activation FOR EACH ROW
INSERT INTO event_outbox (event_id, type, app_id, object_id, payload,
    created_at)
VALUES (UUID(), 'ACTIVATION', NEW.app_id, NEW.id, JSON_OBJECT(
    'type', 'ACTIVATION',
    'activationId', NEW.id,
    'userId', NEW.user_id,
    'activationName', NEW.name,
    'deviceInfo', NEW.device_info,
    'platform', NEW.platform,
    'protocol', 'powerauth',
    'activationFlags', JSON_EXTRACT(NEW.flags, '$'),
    'activationStatus', ELT(NEW.status, 'CREATED', 'PENDING_COMMIT',
        'ACTIVE', 'BLOCKED', 'REMOVED'),
    'blockedReason', NEW.blocked_reason,
    'applicationId', NEW.app_id,
    'timestamp', CAST(ROUND(UNIX_TIMESTAMP(UTC_TIMESTAMP(3)) * 1000)
        AS SIGNED)), UTC_TIMESTAMP(3));

CREATE TRIGGER IF NOT EXISTS activation_status_event
AFTER UPDATE ON activation FOR EACH ROW
INSERT INTO event_outbox (event_id, type, app_id, object_id, payload,
    created_at)
SELECT UUID(), 'ACTIVATION', NEW.app_id, NEW.id, JSON_OBJECT(
    'type', 'ACTIVATION',
    'activationId', NEW.id,
    'userId', NEW.user_id,
    'activationName', NEW.name,
    'deviceInfo', NEW.device_info,
    'platform', NEW.platform,
    'protocol', 'powerauth',
    'activationFlags', JSON_EXTRACT(NEW.flags, '$'),
    'activationStatus', ELT(NEW.status, 'CREATED', 'PENDING_COMMIT',
        'ACTIVE', 'BLOCKED', 'REMOVED'),
    'blockedReason', NEW.blocked_reason,
    'applicationId', NEW.app_id,
    'timestamp', CAST(ROUND(UNIX_TIMESTAMP(UTC_TIMESTAMP(3)) * 1000)
        AS SIGNED)), UTC_TIMESTAMP(3)
FROM DUAL WHERE NEW.status <> OLD.status;
