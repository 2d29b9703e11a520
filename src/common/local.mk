# src/common: configuration, logging, buffers, Base64, UUIDs, time.
noinst_LIBRARIES += src/common/libpacommon.a
src_common_libpacommon_a_SOURCES = \
	src/common/base64.c src/common/base64.h \
	src/common/buf.c src/common/buf.h
