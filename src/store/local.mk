# src/store: MariaDB access. The only place that holds SQL text.
noinst_LIBRARIES += src/store/libpastore.a
src_store_libpastore_a_SOURCES = \
	src/store/db.c src/store/db.h src/store/db_common.c \
	src/store/apps.c src/store/apps.h \
	src/store/users.c src/store/users.h \
	src/store/registrations.c src/store/registrations.h \
	src/store/activations.c src/store/activations.h \
	src/store/temporary_keys.c src/store/temporary_keys.h \
	src/store/replay.c src/store/replay.h \
	src/store/tokens.c src/store/tokens.h \
	src/store/operations.c src/store/operations.h \
	src/store/templates.c src/store/templates.h \
	src/store/audit.c src/store/audit.h \
	src/store/deliveries.c src/store/deliveries.h \
	src/store/callbacks.c src/store/callbacks.h \
	src/store/schema.c src/store/schema.h \
	src/store/housekeeping.c src/store/housekeeping.h \
	src/store/stats.c src/store/stats.h \
	src/store/rekey.c src/store/rekey.h \
	src/store/inbox.c src/store/inbox.h
# Push notifications: credentials, devices, deliveries (schema/011).
src_store_libpastore_a_SOURCES += src/store/push.c src/store/push.h
