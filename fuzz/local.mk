# fuzz: libFuzzer targets (doc/fuzzing.md). Built only in a tree configured
# with CC=clang --enable-fuzzing, which scripts/fuzz makes for itself; a
# plain build never compiles them. `make fuzz` runs scripts/fuzz (pass its
# options in FUZZ_ARGS, e.g. make fuzz FUZZ_ARGS='--seconds 60 json').
#
# The stand-in database (stub_db.c) is linked as an object ahead of
# libpastore.a, so src/store/db.c (and MariaDB) never enter a target.
FUZZ_TARGETS = \
	fuzz/fuzz-json \
	fuzz/fuzz-headers \
	fuzz/fuzz-basic_auth \
	fuzz/fuzz-codes \
	fuzz/fuzz-jwt \
	fuzz/fuzz-ecies \
	fuzz/fuzz-status \
	fuzz/fuzz-webhook \
	fuzz/fuzz-fcgi_enroll \
	fuzz/fuzz-fcgi_cloud \
	fuzz/fuzz-cloud_bodies

FUZZ_SUPPORT = fuzz/fuzz.h fuzz/fuzz_common.c fuzz/fuzz_apps.c fuzz/stub_db.c
FUZZ_LDADD = src/cloud/libpacloud.a src/enroll/libpaenroll.a \
	src/http/libpahttp.a src/service/libpaservice.a src/store/libpastore.a \
	$(PASERV_CORE_LDADD) $(FCGI_LIBS) $(XCRYPT_LIBS)

if FUZZING
noinst_PROGRAMS += $(FUZZ_TARGETS)
fuzz-targets: $(FUZZ_TARGETS)
else
fuzz-targets:
	@echo "the fuzz targets need a tree configured with CC=clang" \
	    "--enable-fuzzing (scripts/fuzz makes one)" >&2; exit 1
endif

.PHONY: fuzz fuzz-targets
fuzz:
	$(top_srcdir)/scripts/fuzz $(FUZZ_ARGS)

fuzz_fuzz_json_SOURCES = fuzz/json.c $(FUZZ_SUPPORT)
fuzz_fuzz_json_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_json_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_headers_SOURCES = fuzz/headers.c $(FUZZ_SUPPORT)
fuzz_fuzz_headers_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_headers_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_basic_auth_SOURCES = fuzz/basic_auth.c $(FUZZ_SUPPORT)
fuzz_fuzz_basic_auth_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_basic_auth_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_codes_SOURCES = fuzz/codes.c $(FUZZ_SUPPORT)
fuzz_fuzz_codes_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_codes_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_jwt_SOURCES = fuzz/jwt.c $(FUZZ_SUPPORT)
fuzz_fuzz_jwt_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_jwt_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_ecies_SOURCES = fuzz/ecies.c $(FUZZ_SUPPORT)
fuzz_fuzz_ecies_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_ecies_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_status_SOURCES = fuzz/status.c $(FUZZ_SUPPORT)
fuzz_fuzz_status_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_status_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_webhook_SOURCES = fuzz/webhook.c $(FUZZ_SUPPORT)
fuzz_fuzz_webhook_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_webhook_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_fcgi_enroll_SOURCES = fuzz/fcgi_enroll.c $(FUZZ_SUPPORT)
fuzz_fuzz_fcgi_enroll_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_fcgi_enroll_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_fcgi_cloud_SOURCES = fuzz/fcgi_cloud.c $(FUZZ_SUPPORT)
fuzz_fuzz_fcgi_cloud_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_fcgi_cloud_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_cloud_bodies_SOURCES = fuzz/cloud_bodies.c $(FUZZ_SUPPORT)
fuzz_fuzz_cloud_bodies_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_cloud_bodies_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

# Seed corpora (one directory per target), dictionaries and the script
# that makes both.
EXTRA_DIST += fuzz/corpus fuzz/dict fuzz/gen-corpus
