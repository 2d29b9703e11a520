# schema: numbered migrations NNN_name.sql (NNN = version), applied in order
# by scripts/migrate, which records them in schema_version.
schemadir = $(pkgdatadir)/schema
dist_schema_DATA = schema/001_foundation.sql schema/002_registrations.sql \
	schema/003_key_exchange.sql schema/004_tokens.sql \
	schema/005_possession_limit.sql schema/006_events.sql \
	schema/007_operations.sql schema/008_operation_display.sql \
	schema/009_callbacks.sql schema/010_inbox.sql \
	schema/011_push.sql schema/012_audit_abuse.sql \
	schema/013_trigger_guards.sql
