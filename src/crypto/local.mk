# src/crypto: PowerAuth 3.x cryptography on OpenSSL 3. Bytes in, bytes out:
# no I/O, no database, no JSON (except parsing protocol texts such as JWTs).
noinst_LIBRARIES += src/crypto/libpacrypto.a
src_crypto_libpacrypto_a_SOURCES = \
	src/crypto/primitives.c src/crypto/primitives.h
EXTRA_DIST += doc/crypto.md
# JWS made for other services (push provider tokens, OAuth assertions).
src_crypto_libpacrypto_a_SOURCES += src/crypto/jws.c src/crypto/jws.h
