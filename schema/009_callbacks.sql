-- 009_callbacks.sql - webhooks: the callbacks an application registers and
-- one delivery row per (callback, event), for the dispatcher
-- (paserv-dispatch). Every statement can be re-run.

-- A callback: where the events of one kind of an application go.
-- type: REGISTRATION_STATUS_CHANGE or OPERATION_STATUS_CHANGE (what the
-- API calls it); event_type: the event_outbox.type it takes.
-- attributes: JSON array of the payload attributes sent besides type + id.
-- auth_enc: the authentication toward the receiver (JSON, encrypted with
-- the master key bound to {"callback", "auth", id}); NULL: none.
-- secret_enc: the HMAC-SHA256 key of the signature header, encrypted
-- bound to {"callback", "hmac", id}.
-- Retry policy: max_attempts, initial_backoff_ms, backoff_multiplier_pct
-- (150 = x1.5), max_backoff_ms; retention_s: how long finished deliveries
-- are kept. failures_in_row / breaker_until: the circuit breaker, shared
-- by every dispatcher.
CREATE TABLE IF NOT EXISTS callback (
	id			CHAR(36) NOT NULL,
	app_id			VARCHAR(255) NOT NULL,
	name			VARCHAR(255) NOT NULL,
	type			VARCHAR(32) NOT NULL,
	event_type		VARCHAR(16) AS (IF(type =
	    'OPERATION_STATUS_CHANGE', 'OPERATION', 'ACTIVATION')) PERSISTENT,
	url			VARCHAR(2048) NOT NULL,
	attributes		TEXT NOT NULL,
	auth_enc		TEXT NULL,
	secret_enc		VARCHAR(255) NOT NULL,
	max_attempts		INT NOT NULL,
	initial_backoff_ms	INT NOT NULL,
	backoff_multiplier_pct	INT NOT NULL,
	max_backoff_ms		INT NOT NULL,
	retention_s		INT NOT NULL,
	failures_in_row		INT NOT NULL DEFAULT 0,
	breaker_until		DATETIME(3) NULL,
	created_at		DATETIME(3) NOT NULL,
	updated_at		DATETIME(3) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY callback_name (app_id, name),
	KEY callback_app_event (app_id, event_type),
	CONSTRAINT callback_app_fk FOREIGN KEY (app_id) REFERENCES app (id),
	CONSTRAINT callback_type CHECK (type IN ('REGISTRATION_STATUS_CHANGE',
	    'OPERATION_STATUS_CHANGE'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One delivery of one event to one callback. status: 1 PENDING,
-- 2 DELIVERED, 3 FAILED (attempts exhausted; kept for retention_s).
-- A dispatcher claims a due PENDING row by writing lease_holder and
-- lease_until; a claim that lapses (the dispatcher died) is due again.
-- last_status: the receiver's HTTP status of the last attempt (0: no
-- answer); last_error: why the last attempt failed.
CREATE TABLE IF NOT EXISTS callback_delivery (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	callback_id		CHAR(36) NOT NULL,
	event_id		BIGINT NOT NULL,
	object_id		CHAR(36) NOT NULL,
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
	UNIQUE KEY callback_delivery_event (callback_id, event_id),
	KEY callback_delivery_due (status, next_attempt_at),
	KEY callback_delivery_order (callback_id, object_id, status, id),
	KEY callback_delivery_finished (status, finished_at),
	CONSTRAINT callback_delivery_callback_fk FOREIGN KEY (callback_id)
	    REFERENCES callback (id) ON DELETE CASCADE,
	CONSTRAINT callback_delivery_event_fk FOREIGN KEY (event_id)
	    REFERENCES event_outbox (id) ON DELETE CASCADE,
	CONSTRAINT callback_delivery_status CHECK (status BETWEEN 1 AND 3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The housekeeping job deletes old events by age: an index keeps that a
-- range scan of the old rows only.
ALTER TABLE event_outbox ADD KEY IF NOT EXISTS event_outbox_created
    (created_at);

-- Fan-out: an event gets a delivery row for every callback of its
-- application and kind, in the transaction that wrote the event (which is
-- the transaction of the status change).
CREATE TRIGGER IF NOT EXISTS event_outbox_fanout
AFTER INSERT ON event_outbox FOR EACH ROW
INSERT INTO callback_delivery (callback_id, event_id, object_id,
    next_attempt_at, created_at)
SELECT c.id, NEW.id, NEW.object_id, NEW.created_at, NEW.created_at
FROM callback c WHERE c.app_id = NEW.app_id AND c.event_type = NEW.type;

-- What each dispatcher (holder = host:pid:random) reports every few
-- seconds: attempts in flight, totals since its start, and the latency of
-- the attempts of its last report period. Rows of stopped dispatchers are
-- left (updated_at tells); the housekeeping job purges old ones.
CREATE TABLE IF NOT EXISTS dispatcher_status (
	holder			VARCHAR(128) NOT NULL,
	started_at		DATETIME(3) NOT NULL,
	updated_at		DATETIME(3) NOT NULL,
	in_flight		INT NOT NULL,
	delivered		BIGINT NOT NULL,
	failed_attempts		BIGINT NOT NULL,
	gave_up			BIGINT NOT NULL,
	latency_p50_ms		INT NOT NULL,
	latency_p99_ms		INT NOT NULL,
	PRIMARY KEY (holder)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
