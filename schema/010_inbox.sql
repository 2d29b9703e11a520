-- 010_inbox.sql - the message inbox (api.md §2.5, §3.8): messages a bank's
-- back end leaves for a user, read in the mobile app of each application
-- the message is addressed to. Every statement can be re-run.

-- A message. type: 'text' or 'html' (the body's format; subject and
-- summary are plain text). read_at: when the user first read it, in any of
-- its applications (NULL: unread); the flag is the message's, not an
-- application's. silent: no push notification was asked for.
CREATE TABLE IF NOT EXISTS inbox_message (
	id			CHAR(36) NOT NULL,
	user_id			VARCHAR(255) NOT NULL,
	type			VARCHAR(8) NOT NULL,
	subject			VARCHAR(255) NOT NULL,
	summary			VARCHAR(1024) NOT NULL,
	body			TEXT NOT NULL,
	silent			TINYINT NOT NULL DEFAULT 0,
	created_at		DATETIME(3) NOT NULL,
	read_at			DATETIME(3) NULL,
	PRIMARY KEY (id),
	KEY inbox_message_user (user_id, created_at),
	KEY inbox_message_created (created_at),
	CONSTRAINT inbox_message_type CHECK (type IN ('text', 'html'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The applications a message is addressed to: one row each. user_id,
-- created_at and is_read repeat the message's, so that a phone's list
-- (user, application, newest first) and its unread count are each one
-- index range without touching inbox_message; is_read is written in the
-- transaction that sets the message's read_at.
CREATE TABLE IF NOT EXISTS inbox_message_app (
	message_id		CHAR(36) NOT NULL,
	app_id			VARCHAR(255) NOT NULL,
	user_id			VARCHAR(255) NOT NULL,
	created_at		DATETIME(3) NOT NULL,
	is_read			TINYINT NOT NULL DEFAULT 0,
	PRIMARY KEY (message_id, app_id),
	KEY inbox_app_list (user_id, app_id, created_at),
	KEY inbox_app_unread (user_id, app_id, is_read, created_at),
	KEY inbox_app_app (app_id),
	CONSTRAINT inbox_app_message_fk FOREIGN KEY (message_id)
	    REFERENCES inbox_message (id) ON DELETE CASCADE,
	CONSTRAINT inbox_app_app_fk FOREIGN KEY (app_id) REFERENCES app (id)
	    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
