# t/e2e: end-to-end tests against a running stack (nginx + workers +
# MariaDB). Python 3 standard library only; each prints TAP and skips when
# PASERV_E2E_URL is unset. scripts/test starts the stack and sets it.
TESTS += t/e2e/010_health.py t/e2e/020_auth.py t/e2e/030_applications.py \
	t/e2e/040_errors.py t/e2e/050_status.py t/e2e/060_malformed.py t/e2e/065_fcgi_get_values.py \
	t/e2e/070_nginx_example.py
EXTRA_DIST += t/e2e/paserv_e2e.py t/e2e/010_health.py t/e2e/020_auth.py \
	t/e2e/030_applications.py t/e2e/040_errors.py t/e2e/050_status.py \
	t/e2e/060_malformed.py t/e2e/065_fcgi_get_values.py t/e2e/070_nginx_example.py
