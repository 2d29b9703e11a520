# crypto: keys, codes, fingerprints, signatures, tokens, vault, at-rest encryption
src_crypto_libpacrypto_a_SOURCES += \
	src/crypto/ec.c src/crypto/ec.h \
	src/crypto/dbenc.c src/crypto/dbenc.h \
	src/crypto/keys.c src/crypto/keys.h \
	src/crypto/activation_code.c src/crypto/activation_code.h \
	src/crypto/fingerprint.c src/crypto/fingerprint.h \
	src/crypto/signature.c src/crypto/signature.h \
	src/crypto/token.c src/crypto/token.h \
	src/crypto/vault.c src/crypto/vault.h \
	src/crypto/totp.c src/crypto/totp.h
