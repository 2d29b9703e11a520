# t/unit: C unit tests (TAP). The support library is shared by all of them.
check_LIBRARIES = t/unit/libtaptest.a
t_unit_libtaptest_a_SOURCES = t/unit/tap.c t/unit/tap.h \
	t/unit/vectors.c t/unit/vectors.h
UNIT_LDADD = t/unit/libtaptest.a $(PASERV_CORE_LDADD)

check_PROGRAMS += t/unit/common_base64.t
t_unit_common_base64_t_SOURCES = t/unit/common_base64.c
t_unit_common_base64_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/common_base64.t

