# crypto unit tests (vector-driven)

check_PROGRAMS += t/unit/crypto_primitives.t
t_unit_crypto_primitives_t_SOURCES = t/unit/crypto_primitives.c
t_unit_crypto_primitives_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_primitives.t

check_PROGRAMS += t/unit/crypto_keys.t
t_unit_crypto_keys_t_SOURCES = t/unit/crypto_keys.c
t_unit_crypto_keys_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_keys.t

check_PROGRAMS += t/unit/crypto_signature.t
t_unit_crypto_signature_t_SOURCES = t/unit/crypto_signature.c
t_unit_crypto_signature_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_signature.t

check_PROGRAMS += t/unit/crypto_fingerprint.t
t_unit_crypto_fingerprint_t_SOURCES = t/unit/crypto_fingerprint.c
t_unit_crypto_fingerprint_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_fingerprint.t

check_PROGRAMS += t/unit/crypto_activation_code.t
t_unit_crypto_activation_code_t_SOURCES = t/unit/crypto_activation_code.c
t_unit_crypto_activation_code_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_activation_code.t

check_PROGRAMS += t/unit/crypto_ec.t
t_unit_crypto_ec_t_SOURCES = t/unit/crypto_ec.c
t_unit_crypto_ec_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_ec.t

check_PROGRAMS += t/unit/crypto_dbenc.t
t_unit_crypto_dbenc_t_SOURCES = t/unit/crypto_dbenc.c
t_unit_crypto_dbenc_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_dbenc.t

check_PROGRAMS += t/unit/crypto_token.t
t_unit_crypto_token_t_SOURCES = t/unit/crypto_token.c
t_unit_crypto_token_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_token.t

check_PROGRAMS += t/unit/crypto_totp.t
t_unit_crypto_totp_t_SOURCES = t/unit/crypto_totp.c
t_unit_crypto_totp_t_LDADD = $(UNIT_LDADD)
TESTS += t/unit/crypto_totp.t
