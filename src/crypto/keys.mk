# crypto: keys, codes, fingerprints, signatures, tokens, vault, at-rest encryption
src_crypto_libpacrypto_a_SOURCES += \
	src/crypto/ec.c src/crypto/ec.h \
	src/crypto/dbenc.c src/crypto/dbenc.h
