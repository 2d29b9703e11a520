-- 012_audit_abuse.sql - the audit log of security events, and the abuse
-- counters the whole fleet shares.
--
-- audit_event: one row per security-relevant request (registration
-- lifecycle, signature/token verification results, operation decisions,
-- admin actions, failed authentication), written by the workers in
-- batches shortly after the request. Append-only: no UPDATE ever, and a
-- row can be deleted only once it is older than a day (the retention job
-- deletes old rows in bounded batches); the triggers below refuse the rest.
CREATE TABLE IF NOT EXISTS audit_event (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	created_at		DATETIME(3) NOT NULL,
	category		VARCHAR(16) NOT NULL,
	action			VARCHAR(96) NOT NULL,
	outcome			VARCHAR(16) NOT NULL,
	http_status		SMALLINT NOT NULL,
	actor			VARCHAR(128) NULL,
	app_id			VARCHAR(255) NULL,
	user_id			VARCHAR(255) NULL,
	object_id		VARCHAR(64) NULL,
	remote_addr		VARCHAR(64) NULL,
	request_id		VARCHAR(64) NULL,
	detail			VARCHAR(255) NULL,
	PRIMARY KEY (id),
	KEY audit_event_created (created_at),
	KEY audit_event_object (object_id, id),
	KEY audit_event_user (user_id, id),
	KEY audit_event_actor (actor, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TRIGGER IF NOT EXISTS audit_event_no_update
BEFORE UPDATE ON audit_event FOR EACH ROW
SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_event is append-only';

DELIMITER //
CREATE TRIGGER IF NOT EXISTS audit_event_no_early_delete
BEFORE DELETE ON audit_event FOR EACH ROW
BEGIN
	IF OLD.created_at > UTC_TIMESTAMP(3) - INTERVAL 1 DAY THEN
		SIGNAL SQLSTATE '45000'
		    SET MESSAGE_TEXT = 'audit_event rows are kept a day at least';
	END IF;
END//
DELIMITER ;

-- abuse_counter: failures per (scope, subject) in fixed windows, e.g.
-- unknown activation codes per client address. Shared through the
-- database, so a limit holds for the whole fleet whichever worker host a
-- request reaches.
CREATE TABLE IF NOT EXISTS abuse_counter (
	scope			VARCHAR(16) NOT NULL,
	subject			VARCHAR(64) NOT NULL,
	window_start		BIGINT NOT NULL,
	hits			INT NOT NULL,
	PRIMARY KEY (scope, subject, window_start),
	KEY abuse_counter_window (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
