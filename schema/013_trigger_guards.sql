-- 013_trigger_guards.sql - the outbox triggers skip their statement when
-- it has nothing to do.
--
-- Until now each of these triggers ran one INSERT ... SELECT (or UPDATE)
-- whose WHERE clause was false for most rows: every counter update of a
-- signature verification ran activation_status_event's INSERT, which found
-- no row to write but still opened, locked and prepared event_outbox; every
-- event ran the four push fan-outs, of which at most one can match its
-- type. Each trigger now tests its condition first (IF ... END IF) and runs
-- its statement only when it holds; what they write is unchanged. This
-- made the database side of one signature verification about a fifth
-- cheaper (doc/tuning.md).
--
-- CREATE OR REPLACE swaps a trigger in one step, so no row changed during
-- the migration misses its event; FOLLOWS keeps the firing order of the
-- event_outbox triggers (a removed registration's push is queued before
-- its device is deactivated). Apply with the workers stopped on Galera
-- (doc/scale-out.md).

DELIMITER //
CREATE OR REPLACE TRIGGER activation_status_event
AFTER UPDATE ON activation FOR EACH ROW
BEGIN
	IF NEW.status <> OLD.status THEN
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
	END IF;
END//
DELIMITER ;

DELIMITER //
CREATE OR REPLACE TRIGGER operation_status_event
AFTER UPDATE ON operation FOR EACH ROW
BEGIN
	IF NEW.status <> OLD.status
	    OR NEW.failure_count <> OLD.failure_count THEN
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
	END IF;
END//
DELIMITER ;

-- The event_outbox fan-outs: each serves one event type. Replaced in
-- their order, each after the one before it; event_outbox_fanout (every
-- type, one indexed lookup of the application's callbacks) stays first
-- and unchanged.
DELIMITER //
CREATE OR REPLACE TRIGGER push_operation_fanout
AFTER INSERT ON event_outbox FOR EACH ROW
FOLLOWS event_outbox_fanout
BEGIN
	IF NEW.type = 'OPERATION' THEN
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
	END IF;
END//
DELIMITER ;

DELIMITER //
CREATE OR REPLACE TRIGGER push_activation_fanout
AFTER INSERT ON event_outbox FOR EACH ROW
FOLLOWS push_operation_fanout
BEGIN
	IF NEW.type = 'ACTIVATION' AND JSON_VALUE(NEW.payload,
	    '$.activationStatus') IN ('BLOCKED', 'REMOVED') THEN
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
	END IF;
END//
DELIMITER ;

DELIMITER //
CREATE OR REPLACE TRIGGER push_device_removed
AFTER INSERT ON event_outbox FOR EACH ROW
FOLLOWS push_activation_fanout
BEGIN
	IF NEW.type = 'ACTIVATION' AND JSON_VALUE(NEW.payload,
	    '$.activationStatus') = 'REMOVED' THEN
	UPDATE push_device SET active = 0, inactive_reason = 'REMOVED',
	    updated_at = NEW.created_at
	WHERE NEW.type = 'ACTIVATION' AND activation_id = NEW.object_id
	    AND active = 1
	    AND JSON_VALUE(NEW.payload, '$.activationStatus') = 'REMOVED';
	END IF;
END//
DELIMITER ;

DELIMITER //
CREATE OR REPLACE TRIGGER push_inbox_fanout
AFTER INSERT ON event_outbox FOR EACH ROW
FOLLOWS push_device_removed
BEGIN
	IF NEW.type = 'INBOX' THEN
	INSERT INTO push_delivery (event_id, activation_id, object_id,
	    message_type, platform, next_attempt_at, created_at)
	SELECT NEW.id, d.activation_id, NEW.object_id, 'mtoken.inboxMessage.new',
	    d.platform, NEW.created_at, NEW.created_at
	FROM activation a
	JOIN push_device d ON d.activation_id = a.id AND d.active = 1
	JOIN push_credential c ON c.app_id = d.app_id AND c.platform = d.platform
	WHERE NEW.type = 'INBOX' AND a.app_id = NEW.app_id AND a.status = 3
	    AND a.user_id = JSON_VALUE(NEW.payload, '$.userId');
	END IF;
END//
DELIMITER ;

DELIMITER //
CREATE OR REPLACE TRIGGER push_message_fanout
AFTER INSERT ON event_outbox FOR EACH ROW
FOLLOWS push_inbox_fanout
BEGIN
	IF NEW.type = 'MESSAGE' THEN
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
	END IF;
END//
DELIMITER ;
