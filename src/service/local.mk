# src/service: the rules (authentication, applications, users, health).
# No HTTP, no SQL text.
noinst_LIBRARIES += src/service/libpaservice.a
src_service_libpaservice_a_SOURCES = \
	src/service/result.c src/service/result.h \
	src/service/applications.c src/service/applications.h \
	src/service/auth.c src/service/auth.h \
	src/service/health.c src/service/health.h \
	src/service/password.c src/service/password.h \
	src/service/users.c src/service/users.h \
	src/service/registrations.c src/service/registrations.h \
	src/service/secrets.c src/service/secrets.h \
	src/service/key_cache.c src/service/key_cache.h \
	src/service/key_rotation.c src/service/key_rotation.h \
	src/service/ecies_server.c src/service/ecies_server.h \
	src/service/sigauth.c src/service/sigauth.h \
	src/service/activation.c src/service/activation.h \
	src/service/keystore.c src/service/keystore.h \
	src/service/tokens.c src/service/tokens.h \
	src/service/vault.c src/service/vault.h \
	src/service/lookup_cache.c src/service/lookup_cache.h \
	src/service/operations.c src/service/operations.h \
	src/service/templates.c src/service/templates.h \
	src/service/audit.c src/service/audit.h \
	src/service/abuse.c src/service/abuse.h \
	src/service/webhook.c src/service/webhook.h \
	src/service/callbacks.c src/service/callbacks.h \
	src/service/approval.c src/service/approval.h \
	src/service/mtoken.c src/service/mtoken.h \
	src/service/offline_approval.c src/service/offline_approval.h \
	src/service/user_agent.c src/service/user_agent.h \
	src/service/housekeeping.c src/service/housekeeping.h \
	src/service/stats.c src/service/stats.h \
	src/service/inbox.c src/service/inbox.h
# Push notifications: credentials, devices, messages, payloads.
src_service_libpaservice_a_SOURCES += src/service/push.c src/service/push.h \
	src/service/push_payload.c src/service/push_payload.h
