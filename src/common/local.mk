# src/common: configuration, logging, buffers, Base64, UUIDs, time.
noinst_LIBRARIES += src/common/libpacommon.a
src_common_libpacommon_a_SOURCES = \
	src/common/base64.c src/common/base64.h \
	src/common/buf.c src/common/buf.h \
	src/common/config.c src/common/config.h \
	src/common/log.c src/common/log.h \
	src/common/timeutil.c src/common/timeutil.h \
	src/common/uuid.c src/common/uuid.h \
	src/common/urlcode.c src/common/urlcode.h
