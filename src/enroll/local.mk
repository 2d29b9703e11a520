# src/enroll: the /enrollment-server context (public API for mobile SDKs).
noinst_LIBRARIES += src/enroll/libpaenroll.a
src_enroll_libpaenroll_a_SOURCES = \
	src/enroll/enroll.c src/enroll/enroll.h \
	src/enroll/pa_activation.c src/enroll/pa_keystore.c \
	src/enroll/pa_auth.c src/enroll/mtoken.c \
	src/enroll/inbox.c
# Push device registration.
src_enroll_libpaenroll_a_SOURCES += src/enroll/push.c
