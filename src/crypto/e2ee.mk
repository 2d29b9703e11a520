# crypto: ECIES, PowerAuth headers, signature data, status blob, temporary-key JWTs, offline QR, mobileSdkConfig
src_crypto_libpacrypto_a_SOURCES += \
	src/crypto/ecies.c src/crypto/ecies.h \
	src/crypto/headers.c src/crypto/headers.h \
	src/crypto/sigdata.c src/crypto/sigdata.h \
	src/crypto/status_blob.c src/crypto/status_blob.h \
	src/crypto/jwt.c src/crypto/jwt.h \
	src/crypto/offline_qr.c src/crypto/offline_qr.h \
	src/crypto/sdk_config.c src/crypto/sdk_config.h
