# src/bin: thin main() of the installed binaries, and their man pages.
PASERV_SERVER_LDADD = src/http/libpahttp.a src/service/libpaservice.a \
	src/store/libpastore.a $(PASERV_CORE_LDADD) \
	$(FCGI_LIBS) $(MARIADB_LIBS) $(XCRYPT_LIBS)

sbin_PROGRAMS += src/bin/paserv-cloud src/bin/paserv-enroll src/bin/paserv-admin \
	src/bin/paserv-dispatch

src_bin_paserv_cloud_SOURCES = src/bin/paserv-cloud.c \
	src/bin/worker_main.c src/bin/worker_main.h \
	src/bin/audit_hook.c src/bin/audit_hook.h \
	src/bin/housekeeper.c src/bin/housekeeper.h
src_bin_paserv_cloud_LDADD = src/cloud/libpacloud.a $(PASERV_SERVER_LDADD)

src_bin_paserv_enroll_SOURCES = src/bin/paserv-enroll.c \
	src/bin/worker_main.c src/bin/worker_main.h \
	src/bin/audit_hook.c src/bin/audit_hook.h
src_bin_paserv_enroll_LDADD = src/enroll/libpaenroll.a $(PASERV_SERVER_LDADD)

src_bin_paserv_dispatch_SOURCES = src/bin/paserv-dispatch.c \
	src/bin/dispatcher.c src/bin/dispatcher.h \
	src/bin/dispatch_push.c src/bin/dispatch_int.h
src_bin_paserv_dispatch_LDADD = $(PASERV_SERVER_LDADD) $(CURL_LIBS)

src_bin_paserv_admin_SOURCES = src/bin/paserv-admin.c \
	src/bin/admin_cmds.c src/bin/admin_cmds.h
src_bin_paserv_admin_LDADD = $(PASERV_SERVER_LDADD) $(QRENCODE_LIBS)

dist_man_MANS += doc/man/paserv-cloud.8 doc/man/paserv-enroll.8 \
	doc/man/paserv-admin.8 doc/man/paserv-dispatch.8 \
	doc/man/paserv-migrate.8 \
	doc/man/paserv.conf.5
EXTRA_DIST += doc/configuration.md

# The commented example configuration, installed next to where the real one
# goes (never over it).
examplesdir = $(sysconfdir)/paserv
dist_examples_DATA = etc/paserv.conf.example etc/mariadb-paserv.cnf

