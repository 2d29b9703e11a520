# e2ee/protocol unit tests (vector-driven)

check_PROGRAMS += t/unit/crypto_ecies_vectors.t
t_unit_crypto_ecies_vectors_t_SOURCES = t/unit/crypto_ecies_vectors.c
t_unit_crypto_ecies_vectors_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_ecies_vectors.t

check_PROGRAMS += t/unit/crypto_ecies.t
t_unit_crypto_ecies_t_SOURCES = t/unit/crypto_ecies.c
t_unit_crypto_ecies_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_ecies.t

check_PROGRAMS += t/unit/crypto_headers.t
t_unit_crypto_headers_t_SOURCES = t/unit/crypto_headers.c
t_unit_crypto_headers_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_headers.t

check_PROGRAMS += t/unit/crypto_sigdata.t
t_unit_crypto_sigdata_t_SOURCES = t/unit/crypto_sigdata.c
t_unit_crypto_sigdata_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_sigdata.t

check_PROGRAMS += t/unit/crypto_status_blob.t
t_unit_crypto_status_blob_t_SOURCES = t/unit/crypto_status_blob.c
t_unit_crypto_status_blob_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_status_blob.t

check_PROGRAMS += t/unit/crypto_jwt.t
t_unit_crypto_jwt_t_SOURCES = t/unit/crypto_jwt.c
t_unit_crypto_jwt_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_jwt.t

check_PROGRAMS += t/unit/crypto_offline_qr.t
t_unit_crypto_offline_qr_t_SOURCES = t/unit/crypto_offline_qr.c
t_unit_crypto_offline_qr_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_offline_qr.t

check_PROGRAMS += t/unit/crypto_sdk_config.t
t_unit_crypto_sdk_config_t_SOURCES = t/unit/crypto_sdk_config.c
t_unit_crypto_sdk_config_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_sdk_config.t
