# src/device: the device simulator (pa-device), the mobile side in C.
noinst_LIBRARIES += src/device/libpadevice.a
src_device_libpadevice_a_SOURCES = \
	src/device/device.c src/device/device.h \
	src/device/state.c src/device/state.h \
	src/device/http_client.c src/device/http_client.h \
	src/device/keystore.c src/device/keystore.h \
	src/device/session.c src/device/session.h \
	src/device/activation.c src/device/operations.c \
	src/device/requests.c

bin_PROGRAMS += src/device/pa-device
src_device_pa_device_SOURCES = src/device/pa-device.c
src_device_pa_device_LDADD = src/device/libpadevice.a $(PASERV_CORE_LDADD) \
	$(CURL_LIBS)
dist_man_MANS += doc/man/pa-device.1
EXTRA_DIST += doc/pa-device.md
