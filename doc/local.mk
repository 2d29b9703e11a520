# doc: prose documentation shipped in the tarball. (doc/configuration.md is
# listed by src/bin/local.mk together with the man pages.)
EXTRA_DIST += doc/architecture.md doc/registrations.md doc/mobile-api.md \
	doc/authentication.md doc/operations.md doc/webhooks.md \
	doc/operator-guide.md doc/inbox.md doc/push.md doc/security.md \
	doc/fault-tolerance.md doc/fuzzing.md doc/scale-out.md
# OpenAPI 3.0 descriptions of both HTTP APIs (checked by t/e2e/130_openapi.py).
EXTRA_DIST += doc/openapi/powerauth-cloud.yaml \
	doc/openapi/enrollment-server.yaml
