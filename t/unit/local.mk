# t/unit: C unit tests (TAP). The support library is shared by all of them.
check_LIBRARIES = t/unit/libtaptest.a
t_unit_libtaptest_a_SOURCES = t/unit/tap.c t/unit/tap.h \
	t/unit/vectors.c t/unit/vectors.h
UNIT_LDADD = t/unit/libtaptest.a $(PASERV_CORE_LDADD)

check_PROGRAMS += t/unit/common_base64.t
t_unit_common_base64_t_SOURCES = t/unit/common_base64.c
t_unit_common_base64_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/common_base64.t


# Foundation unit tests (common, http, service). They need no database.
FOUNDATION_UNIT_LDADD = src/http/libpahttp.a src/service/libpaservice.a \
	src/store/libpastore.a t/unit/libtaptest.a $(PASERV_CORE_LDADD) \
	$(FCGI_LIBS) $(MARIADB_LIBS) $(XCRYPT_LIBS)

check_PROGRAMS += t/unit/common_config.t t/unit/common_uuid.t \
	t/unit/http_router.t t/unit/http_request.t t/unit/http_jsonin.t \
	t/unit/http_error.t t/unit/service_auth.t t/unit/service_user_agent.t \
	t/unit/service_templates.t t/unit/service_webhook.t \
	t/unit/service_callbacks.t t/unit/http_metrics.t \
	t/unit/service_secrets.t \
	t/unit/service_inbox.t
TESTS += t/unit/common_config.t t/unit/common_uuid.t \
	t/unit/http_router.t t/unit/http_request.t t/unit/http_jsonin.t \
	t/unit/http_error.t t/unit/service_auth.t t/unit/service_user_agent.t \
	t/unit/service_templates.t t/unit/service_webhook.t \
	t/unit/service_callbacks.t t/unit/http_metrics.t \
	t/unit/service_secrets.t \
	t/unit/service_inbox.t
t_unit_common_config_t_SOURCES = t/unit/common_config.c
t_unit_common_config_t_LDADD = $(UNIT_LDADD)
t_unit_common_uuid_t_SOURCES = t/unit/common_uuid.c
t_unit_common_uuid_t_LDADD = $(UNIT_LDADD)
t_unit_http_router_t_SOURCES = t/unit/http_router.c
t_unit_http_router_t_LDADD = $(FOUNDATION_UNIT_LDADD)
t_unit_http_request_t_SOURCES = t/unit/http_request.c
t_unit_http_request_t_LDADD = $(FOUNDATION_UNIT_LDADD)
t_unit_http_jsonin_t_SOURCES = t/unit/http_jsonin.c
t_unit_http_jsonin_t_LDADD = $(FOUNDATION_UNIT_LDADD)
t_unit_http_error_t_SOURCES = t/unit/http_error.c
t_unit_http_error_t_LDADD = $(FOUNDATION_UNIT_LDADD)
t_unit_http_metrics_t_SOURCES = t/unit/http_metrics.c
t_unit_http_metrics_t_LDADD = $(FOUNDATION_UNIT_LDADD)
t_unit_service_auth_t_SOURCES = t/unit/service_auth.c
t_unit_service_auth_t_LDADD = $(FOUNDATION_UNIT_LDADD)
t_unit_service_user_agent_t_SOURCES = t/unit/service_user_agent.c
t_unit_service_user_agent_t_LDADD = $(FOUNDATION_UNIT_LDADD)
t_unit_service_templates_t_SOURCES = t/unit/service_templates.c
t_unit_service_templates_t_LDADD = $(FOUNDATION_UNIT_LDADD)
t_unit_service_webhook_t_SOURCES = t/unit/service_webhook.c
t_unit_service_webhook_t_LDADD = $(FOUNDATION_UNIT_LDADD)
t_unit_service_callbacks_t_SOURCES = t/unit/service_callbacks.c
t_unit_service_callbacks_t_LDADD = $(FOUNDATION_UNIT_LDADD)
t_unit_service_secrets_t_SOURCES = t/unit/service_secrets.c
t_unit_service_secrets_t_LDADD = $(FOUNDATION_UNIT_LDADD)
t_unit_service_inbox_t_SOURCES = t/unit/service_inbox.c
t_unit_service_inbox_t_LDADD = $(FOUNDATION_UNIT_LDADD)

check_PROGRAMS += t/unit/device_roundtrip.t
t_unit_device_roundtrip_t_SOURCES = t/unit/device_roundtrip.c
t_unit_device_roundtrip_t_LDADD = t/unit/libtaptest.a \
	src/device/libpadevice.a $(PASERV_CORE_LDADD) $(CURL_LIBS)
TESTS += t/unit/device_roundtrip.t

# The housekeeping thread of paserv-cloud (src/bin), without a database.
check_PROGRAMS += t/unit/bin_housekeeper.t
TESTS += t/unit/bin_housekeeper.t
t_unit_bin_housekeeper_t_SOURCES = t/unit/bin_housekeeper.c \
	src/bin/housekeeper.c src/bin/housekeeper.h
t_unit_bin_housekeeper_t_LDADD = $(FOUNDATION_UNIT_LDADD)

# Push payloads, provider tokens, assertions, answers (service/push_payload,
# crypto/jws).
check_PROGRAMS += t/unit/service_push.t
TESTS += t/unit/service_push.t
t_unit_service_push_t_SOURCES = t/unit/service_push.c
t_unit_service_push_t_LDADD = $(FOUNDATION_UNIT_LDADD)
