# crypto: ECIES, PowerAuth headers, signature data, status blob, temporary-key JWTs, offline QR, mobileSdkConfig
