-- 005_possession_limit.sql - a rate limit for possession-only signature
-- failures, which (as in the reference server) do not count toward
-- blocking. possession_failures counts them within the window that began
-- at possession_window_start; see doc/authentication.md.
ALTER TABLE activation
	ADD COLUMN IF NOT EXISTS possession_failures INT NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS possession_window_start DATETIME(3) NULL;
