# etc: what the system needs around the binaries: systemd units (one per
# worker context and the dispatcher), the paserv user (sysusers.d), the
# socket directory (tmpfiles.d), and paserv-migrate (scripts/migrate with
# the installed schema directory). Override the systemd directories with
# e.g. `make systemdsystemunitdir=/lib/systemd/system install`.
systemdsystemunitdir = $(prefix)/lib/systemd/system
sysusersdir = $(prefix)/lib/sysusers.d
tmpfilesdir = $(prefix)/lib/tmpfiles.d

PASERV_UNITS = etc/systemd/paserv-cloud.service \
	etc/systemd/paserv-enroll.service etc/systemd/paserv-dispatch.service
nodist_systemdsystemunit_DATA = $(PASERV_UNITS)
dist_sysusers_DATA = etc/sysusers.d/paserv.conf
dist_tmpfiles_DATA = etc/tmpfiles.d/paserv.conf
sbin_SCRIPTS = src/bin/paserv-migrate
EXTRA_DIST += etc/systemd/paserv-cloud.service.in \
	etc/systemd/paserv-enroll.service.in \
	etc/systemd/paserv-dispatch.service.in
CLEANFILES += $(PASERV_UNITS) src/bin/paserv-migrate

PASERV_SUBST = sed -e 's|%SBINDIR%|$(sbindir)|g' \
	-e 's|%SYSCONFDIR%|$(sysconfdir)|g' -e 's|%SCHEMADIR%|$(schemadir)|g'

etc/systemd/paserv-cloud.service: $(srcdir)/etc/systemd/paserv-cloud.service.in
etc/systemd/paserv-enroll.service: $(srcdir)/etc/systemd/paserv-enroll.service.in
etc/systemd/paserv-dispatch.service: $(srcdir)/etc/systemd/paserv-dispatch.service.in
$(PASERV_UNITS): Makefile
	$(AM_V_GEN)$(MKDIR_P) etc/systemd && \
	$(PASERV_SUBST) $(srcdir)/$@.in >$@.tmp && mv $@.tmp $@

# The installed migration tool: its default schema directory is the
# installed one, and it needs PASERV_MYSQL (no ./var next to it).
src/bin/paserv-migrate: $(srcdir)/scripts/migrate Makefile
	$(AM_V_GEN)$(MKDIR_P) src/bin && \
	sed -e 's|^schema=.*|schema=$${PASERV_SCHEMA:-$(schemadir)}|' \
	    -e 's|^var=.*|var=$${PASERV_VAR:-/nonexistent}|' \
	    $(srcdir)/scripts/migrate >$@.tmp && chmod +x $@.tmp && mv $@.tmp $@
