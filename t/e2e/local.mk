# t/e2e: end-to-end tests against a running stack (nginx + workers +
# MariaDB). Python 3 standard library only (131 also parses with Debian's
# python3-prometheus-client); each prints TAP and skips when
# PASERV_E2E_URL is unset. scripts/test starts the stack and sets it.
# 075/076 run nginx (the local template, the example site) in front of
# FastCGI echo responders from paserv_e2e.py. 130 checks doc/openapi with
# scripts/openapi-check (Perl: JSON::Validator, YAML::XS). 140 and 142 run
# a database, workers and nginx of their own next to the shared stack; 160
# and 161 each run a private stack of their own (paserv_stack.py: its own
# MariaDB server, workers and nginx, built with scripts/lib.sh). 151 runs
# mock push services (push_mocks.py; HTTP/2 with Debian's python3-h2) on
# the ports scripts/test configures.
E2E_TESTS = t/e2e/010_health.py t/e2e/020_auth.py t/e2e/030_applications.py \
	t/e2e/040_errors.py t/e2e/050_status.py t/e2e/060_malformed.py \
	t/e2e/065_fcgi_get_values.py t/e2e/070_nginx_example.py \
	t/e2e/075_nginx_local.py t/e2e/076_nginx_example_run.py \
	t/e2e/080_registrations.py t/e2e/081_registration_lifecycle.py \
	t/e2e/090_activation.py t/e2e/091_activation_errors.py \
	t/e2e/092_keystore.py t/e2e/093_activation_retry.py \
	t/e2e/094_lone_deadlock.py \
	t/e2e/095_seed_tutorial.py \
	t/e2e/096_registration_events.py \
	t/e2e/100_signatures.py t/e2e/101_tokens_vault.py \
	t/e2e/102_signature_concurrency.py t/e2e/110_operations.py \
	t/e2e/111_operation_approval.py t/e2e/112_mtoken_list.py \
	t/e2e/113_offline_approval.py \
	t/e2e/114_templates.py t/e2e/120_callbacks_api.py \
	t/e2e/121_webhook_delivery.py t/e2e/130_openapi.py \
	t/e2e/131_metrics.py t/e2e/140_install.py t/e2e/141_admin_cli.py \
	t/e2e/142_key_rotation.py \
	t/e2e/150_inbox.py \
	t/e2e/151_push.py \
	t/e2e/160_malformed_catalogue.py t/e2e/161_fault_injection.py \
	t/e2e/162_audit_abuse.py
TESTS += $(E2E_TESTS)
EXTRA_DIST += t/e2e/paserv_e2e.py t/e2e/paserv_stack.py t/e2e/push_mocks.py \
	$(E2E_TESTS)
