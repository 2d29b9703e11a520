/* admin_cmds.c - application and schema commands (see admin_cmds.h). */
#include <config.h>

#include "bin/admin_cmds.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "common/uuid.h"
#include "service/applications.h"
#include "service/key_rotation.h"
#include "service/operations.h"
#include "service/registrations.h"
#include "store/schema.h"

#define PROG		"paserv-admin"
#define ROLES_MAX	APPLICATION_ROLES_MAX

static const char *
failure(enum svc_rc rc)
{
	switch (rc) {
	case SVC_INVALID:
		return "invalid id or role ([A-Za-z0-9._-], id up to 255, "
		    "role up to 64 characters)";
	case SVC_EXISTS:
		return "application already exists";
	case SVC_APP_NOT_FOUND:
		return "no such application";
	case SVC_REG_NOT_FOUND:
		return "no such registration";
	case SVC_OP_NOT_FOUND:
		return "no such operation";
	case SVC_DB_DOWN:
		return "database unavailable";
	case SVC_RETRY:
		return "lock conflicts every time (the database is busy)";
	default:
		return "internal error";
	}
}

static void
print_app(const struct application *a)
{
	size_t i;

	printf("id: %s\nappKey: %s\nappSecret: %s\nmasterServerPublicKey: %s\n"
	    "mobileSdkConfig: %s\nroles:", a->id, a->app_key, a->app_secret,
	    a->master_public_key, a->mobile_sdk_config != NULL ?
	    a->mobile_sdk_config : "");
	for (i = 0; i < a->nroles; i++)
		printf(" %s", a->roles[i]);
	printf("\n");
}

/*
 * text as a QR code drawn with half blocks (two modules per character
 * row) and a quiet zone of two modules. The light modules are the drawn
 * ones, so the code reads right on the usual light-on-dark terminal.
 */
static int
print_qr(const char *text)
{
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	int x, y, w, top, bottom;

	if (q == NULL)
		return -1;
	w = q->width;
	for (y = -2; y < w + 2; y += 2) {
		for (x = -2; x < w + 2; x++) {
			top = x >= 0 && x < w && y >= 0 && y < w &&
			    (q->data[y * w + x] & 1);
			bottom = x >= 0 && x < w && y + 1 >= 0 && y + 1 < w &&
			    (q->data[(y + 1) * w + x] & 1);
			/* light modules are drawn, dark ones left blank */
			fputs(top ? (bottom ? " " : "\u2584") :
			    (bottom ? "\u2580" : "\u2588"), stdout);
		}
		fputs("\n", stdout);
	}
	QRcode_free(q);
	return 0;
}

int
admin_app_create(const struct config *cfg, struct db *db, int argc,
    char **argv)
{
	const char *roles[ROLES_MAX];
	struct application app;
	size_t nroles = 0;
	enum svc_rc rc;
	int i;

	for (i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "--role") != 0 || i + 1 >= argc ||
		    nroles >= ROLES_MAX) {
			fprintf(stderr, PROG ": app-create ID [--role ROLE]...\n");
			return 2;
		}
		roles[nroles++] = argv[i + 1];
	}
	memset(&app, 0, sizeof(app));
	rc = application_create(db, cfg, argv[0], roles, nroles, &app);
	if (rc != SVC_OK) {
		fprintf(stderr, PROG ": %s: %s\n", argv[0], failure(rc));
		application_clear(&app);
		return 1;
	}
	print_app(&app);
	application_clear(&app);
	return 0;
}

static int
list_one(const struct application *a, void *arg)
{
	(void)arg;
	printf("%s\t%s\n", a->id, a->app_key);
	return 0;
}

int
admin_app_list(struct db *db)
{
	enum svc_rc rc = application_list(db, list_one, NULL);

	if (rc != SVC_OK) {
		fprintf(stderr, PROG ": %s\n", failure(rc));
		return 1;
	}
	return 0;
}

int
admin_app_show(struct db *db, int argc, char **argv)
{
	struct application app;
	enum svc_rc rc;
	int qr = argc == 2 && strcmp(argv[1], "--qr") == 0, status = 0;

	if (argc != 1 && !qr) {
		fprintf(stderr, PROG ": app-show ID [--qr]\n");
		return 2;
	}
	memset(&app, 0, sizeof(app));
	if ((rc = application_get(db, argv[0], &app)) != SVC_OK) {
		fprintf(stderr, PROG ": %s: %s\n", argv[0], failure(rc));
		application_clear(&app);
		return 1;
	}
	print_app(&app);
	if (qr && (app.mobile_sdk_config == NULL ||
	    print_qr(app.mobile_sdk_config) != 0)) {
		fprintf(stderr, PROG ": cannot draw the QR code\n");
		status = 1;
	}
	application_clear(&app);
	return status;
}

/* The highest NNN of NNN_name.sql files in dir; -1 if unreadable. */
static long
latest_migration(const char *dir)
{
	struct dirent *de;
	DIR *d;
	long v, best = 0;
	char *end;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) < 9 || de->d_name[3] != '_' ||
		    strcmp(de->d_name + strlen(de->d_name) - 4, ".sql") != 0)
			continue;
		v = strtol(de->d_name, &end, 10);
		if (end == de->d_name + 3 && v > best)
			best = v;
	}
	closedir(d);
	return best;
}

int
admin_schema_version(struct db *db, int argc, char **argv)
{
	const char *dir = getenv("PASERV_SCHEMA");
	int64_t version, count;
	long latest;
	int rc;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, PROG ": schema-version takes no arguments\n");
		return 2;
	}
	if (dir == NULL)
		dir = PASERV_DATADIR "/schema";
	if ((rc = schema_applied(db, &version, &count)) != DB_OK) {
		fprintf(stderr, PROG ": cannot read schema_version (%s); run "
		    "paserv-migrate\n", db_last_error(db));
		return 1;
	}
	latest = latest_migration(dir);
	printf("schema: %lld\napplied: %lld\n", (long long)version,
	    (long long)count);
	if (latest < 0) {
		printf("shipped: unknown (cannot read %s)\n", dir);
		return 0;
	}
	printf("shipped: %ld\n", latest);
	if (latest > version) {
		printf("state: behind (run paserv-migrate)\n");
		return 1;
	}
	printf("state: %s\n", latest == version ? "current" :
	    "ahead (binaries older than the database)");
	return 0;
}

/* "key: value" when value is not empty. */
static void
line(const char *key, const char *value)
{
	if (value != NULL && value[0] != '\0')
		printf("%s: %s\n", key, value);
}

static void
line_ms(const char *key, int64_t ms)
{
	if (ms != 0)
		printf("%s: %lld\n", key, (long long)ms);
}

int
admin_registration_show(struct db *db, int argc, char **argv)
{
	struct reg_scope admin = { 0, 1 };
	struct registration r;
	enum svc_rc rc;

	if (argc != 1) {
		fprintf(stderr, PROG ": registration-show ID\n");
		return 2;
	}
	memset(&r, 0, sizeof(r));
	rc = uuid_is_valid(argv[0]) ? registration_get(db, &admin, argv[0],
	    &r) : SVC_REG_NOT_FOUND;
	if (rc != SVC_OK) {
		fprintf(stderr, PROG ": %s: %s\n", argv[0], failure(rc));
		registration_clear(&r);
		return 1;
	}
	line("registrationId", r.row.id);
	line("applicationId", r.row.app_id);
	line("userId", r.row.user_id);
	line("registrationStatus", registration_status_name(r.status));
	line("blockedReason", r.row.blocked_reason);
	line("activationName", r.row.name);
	line("platform", r.row.platform);
	line("deviceInfo", r.row.device_info);
	line("activationFingerprint", r.row.fingerprint);
	line("flags", r.row.flags);
	line_ms("timestampCreated", r.row.created_ms);
	line_ms("timestampLastUsed", r.row.last_used_ms);
	line_ms("timestampExpires", r.status <= REG_PENDING_COMMIT ?
	    r.row.expires_ms : 0);
	registration_clear(&r);
	return 0;
}

int
admin_operation_show(const struct config *cfg, struct db *db, int argc,
    char **argv)
{
	struct reg_scope admin = { 0, 1 };
	struct operation *op;
	enum svc_rc rc;
	char n[48];

	if (argc != 1) {
		fprintf(stderr, PROG ": operation-show ID\n");
		return 2;
	}
	if ((op = calloc(1, sizeof(*op))) == NULL)
		return 1;
	rc = uuid_is_valid(argv[0]) ? operation_get(db, cfg, &admin, argv[0],
	    op) : SVC_OP_NOT_FOUND;
	if (rc != SVC_OK) {
		fprintf(stderr, PROG ": %s: %s\n", argv[0], failure(rc));
		free(op);
		return 1;
	}
	line("operationId", op->row.id);
	line("applicationId", op->row.app_id);
	line("userId", op->row.user_id);
	line("template", op->row.template_name);
	line("operationType", op->row.operation_type);
	line("status", operation_status_name(op->status));
	line("statusReason", op->row.status_reason);
	line("data", op->row.data);
	line("parameters", op->row.parameters);
	line("additionalData", op->row.additional_data);
	snprintf(n, sizeof(n), "%lld of %lld",
	    (long long)op->row.failure_count, (long long)op->row.max_failures);
	line("failures", n);
	line("externalId", op->row.external_id);
	line("registrationId", op->row.registration_id);
	line_ms("timestampCreated", op->row.created_ms);
	line_ms("timestampExpires", op->row.expires_ms);
	line_ms("timestampFinalized", op->row.finalized_ms);
	free(op);
	return 0;
}

/* A failed row: its column and primary key, never its value. */
static void
rotation_failed(enum secret_kind kind, const char *id, enum secret_key why,
    void *arg)
{
	const struct secret_spec *s = secret_spec(kind);

	(void)arg;
	fprintf(stderr, PROG ": %s.%s id %s: %s\n", s->table, s->column, id,
	    why == SECRET_KEY_ERROR ? "cannot be encrypted again" :
	    "opens with neither key");
}

/* A decimal 1..max. */
static int
count_arg(const char *v, long max, long *out)
{
	char *end;
	long n;

	if (v == NULL || v[0] < '0' || v[0] > '9')
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
rotation_opts(int argc, char **argv, struct key_rotation_opts *o)
{
	int i;

	o->dry_run = 0;
	o->batch = KEY_ROTATION_BATCH;
	o->limit = 0;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			o->dry_run = 1;
		else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc &&
		    count_arg(argv[i + 1], KEY_ROTATION_BATCH_MAX,
		    &o->batch) == 0)
			i++;
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc &&
		    count_arg(argv[i + 1], LONG_MAX, &o->limit) == 0)
			i++;
		else {
			fprintf(stderr, PROG ": rotate-master-key [--dry-run] "
			    "[--batch 1..%d] [--limit N]\n",
			    KEY_ROTATION_BATCH_MAX);
			return -1;
		}
	}
	return 0;
}

static void
rotation_line(const char *name, const char *verb,
    const struct key_rotation_count *c)
{
	printf("%s: %s %llu, current %llu, failed %llu\n", name, verb,
	    (unsigned long long)c->rotated, (unsigned long long)c->current,
	    (unsigned long long)c->failed);
}

int
admin_rotate_master_key(const struct config *cfg, struct db *db, int argc,
    char **argv)
{
	struct key_rotation_report rep;
	struct key_rotation_opts o;
	const struct secret_spec *s;
	const char *why, *verb;
	char name[160];
	enum svc_rc rc;
	int k;

	if (rotation_opts(argc, argv, &o) != 0)
		return 2;
	rc = key_rotation_run(db, cfg, &o, &rep, rotation_failed, NULL, &why);
	if (rc == SVC_INVALID) {
		fprintf(stderr, PROG ": rotate-master-key: %s\n", why);
		return 2;
	}
	verb = o.dry_run ? "to rotate" : "rotated";
	printf("mode: %s\n", o.dry_run ? "dry-run" : "rotate");
	for (k = 0; k < SECRET_KINDS; k++) {
		s = secret_spec((enum secret_kind)k);
		snprintf(name, sizeof(name), "%s.%s", s->table, s->column);
		rotation_line(name, verb, &rep.per[k]);
	}
	rotation_line("total", verb, &rep.total);
	if (rc != SVC_OK) {
		printf("state: interrupted\n");
		fprintf(stderr, PROG ": rotate-master-key: %s (%s); the "
		    "batches done stay done: run it again\n", failure(rc),
		    db_last_error(db));
		return 1;
	}
	if (rep.total.failed > 0) {
		printf("state: failed (rows that open with neither key)\n");
		return 1;
	}
	if (rep.incomplete) {
		printf("state: incomplete (--limit reached: run it again)\n");
		return 3;
	}
	printf("state: complete\n");
	return 0;
}
