# src/cloud: the /powerauth-cloud context (internal integration API).
noinst_LIBRARIES += src/cloud/libpacloud.a
src_cloud_libpacloud_a_SOURCES = \
	src/cloud/cloud.c src/cloud/cloud.h \
	src/cloud/admin_apps.c \
	src/cloud/admin_users.c \
	src/cloud/admin_templates.c src/cloud/admin_audit.c \
	src/cloud/callbacks.c \
	src/cloud/metrics.c \
	src/cloud/registrations.c \
	src/cloud/auth_verify.c \
	src/cloud/operations.c \
	src/cloud/inbox.c
# Push credentials (admin) and POST /v2/messages/send.
src_cloud_libpacloud_a_SOURCES += src/cloud/push.c
