/*
 * paserv-admin - operator command line: users and configuration checks.
 *
 *   paserv-admin [-c FILE] create-user USERNAME [--role ROLE_ADMIN|ROLE_USER]
 *   paserv-admin [-c FILE] ensure-admin USERNAME --password-file FILE
 *   paserv-admin [-c FILE] check-config [--connect]
 *   paserv-admin [-c FILE] housekeeping
 *   paserv-admin [-c FILE] rotate-master-key [--dry-run] [--batch N]
 *       [--limit N]
 *
 * Generated passwords go to stdout (create-user) or to a 0600 file
 * (ensure-admin), exactly once; they are never logged.
 */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bin/admin_cmds.h"
#include "common/config.h"
#include "crypto/primitives.h"
#include "service/auth.h"
#include "service/housekeeping.h"
#include "service/users.h"
#include "store/db.h"

#define PROG	"paserv-admin"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: " PROG " [-c FILE] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  create-user USERNAME [--role ROLE_ADMIN|ROLE_USER]\n"
	    "      create a user; prints its generated password once\n"
	    "  ensure-admin USERNAME --password-file FILE\n"
	    "      create an admin unless USERNAME exists; the password is\n"
	    "      written to FILE (mode 0600)\n"
	    "  check-config [--connect]\n"
	    "      validate the configuration (and reach the database)\n"
	    "  housekeeping\n"
	    "      one housekeeping pass (expire registrations and\n"
	    "      operations, purge expired temporary keys, replay entries,\n"
	    "      finished webhook and push deliveries and old events)\n"
	    "      unless another host holds the lease; prints what it did\n"
	    "  app-create ID [--role ROLE]...\n"
	    "      create an application; prints its keys and mobile SDK\n"
	    "      configuration\n"
	    "  app-list\n"
	    "      one line per application: id, appKey\n"
	    "  app-show ID [--qr]\n"
	    "      an application's keys and mobile SDK configuration (--qr:\n"
	    "      also as a QR code on the terminal)\n"
	    "  schema-version\n"
	    "      the applied and the shipped schema version\n"
	    "  registration-show ID, operation-show ID\n"
	    "      one registration or operation, key: value lines\n"
	    "  rotate-master-key [--dry-run] [--batch N] [--limit N]\n"
	    "      re-encrypt every stored secret that opens with\n"
	    "      security.previous_master_key under security.master_key,\n"
	    "      N rows per transaction (500); restartable. --dry-run only\n"
	    "      counts; --limit stops after N rows (exit 3)\n"
	    "options:\n"
	    "  -c, --config FILE   configuration file\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       print the version\n");
}

static const char *
svc_text(enum svc_rc rc)
{
	switch (rc) {
	case SVC_INVALID:
		return "invalid user name (1..64 of A-Z a-z 0-9 . _ @ -)";
	case SVC_EXISTS:
		return "user already exists";
	case SVC_DB_DOWN:
		return "database unavailable";
	default:
		return "internal error";
	}
}

static int
cmd_create_user(struct db *db, int argc, char **argv)
{
	char pw[PASSWORD_GEN_LEN + 1];
	int role = AUTH_ROLE_USER;
	enum svc_rc rc;

	if (argc == 3 && strcmp(argv[1], "--role") == 0)
		role = auth_role_parse(argv[2]);
	else if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if (role == AUTH_ROLE_NONE) {
		fprintf(stderr, PROG ": role must be ROLE_ADMIN or ROLE_USER\n");
		return 2;
	}
	if ((rc = user_create(db, argv[0], role, pw)) != SVC_OK) {
		fprintf(stderr, PROG ": %s: %s (%s)\n", argv[0], svc_text(rc),
		    db_last_error(db));
		return 1;
	}
	printf("%s\n", pw);
	OPENSSL_cleanse(pw, sizeof(pw));
	return 0;
}

static int
write_secret(int fd, const char *pw)
{
	size_t n = strlen(pw);

	if (write(fd, pw, n) != (ssize_t)n || write(fd, "\n", 1) != 1 ||
	    fsync(fd) != 0)
		return -1;
	return 0;
}

static int
cmd_ensure_admin(struct db *db, int argc, char **argv)
{
	char pw[PASSWORD_GEN_LEN + 1];
	const char *file;
	enum svc_rc rc;
	int fd, ret = 1;

	if (argc != 3 || strcmp(argv[1], "--password-file") != 0) {
		usage(stderr);
		return 2;
	}
	file = argv[2];
	if ((rc = user_exists(db, argv[0])) == SVC_OK)
		return 0;
	if (rc != SVC_USER_NOT_FOUND) {
		fprintf(stderr, PROG ": %s: %s\n", argv[0], svc_text(rc));
		return 1;
	}
	/* Open first: never create an admin whose password we cannot keep. */
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0 || fchmod(fd, 0600) != 0) {
		fprintf(stderr, PROG ": %s: %s\n", file, strerror(errno));
		goto done;
	}
	if ((rc = user_create(db, argv[0], AUTH_ROLE_ADMIN, pw)) != SVC_OK) {
		fprintf(stderr, PROG ": %s: %s\n", argv[0], svc_text(rc));
		goto done;
	}
	if (write_secret(fd, pw) != 0) {
		fprintf(stderr, PROG ": %s: %s (admin '%s' was created; reset "
		    "it by deleting the user)\n", file, strerror(errno),
		    argv[0]);
		goto done;
	}
	fprintf(stderr, PROG ": created admin user '%s', password in %s\n",
	    argv[0], file);
	ret = 0;
done:
	OPENSSL_cleanse(pw, sizeof(pw));
	if (fd >= 0)
		close(fd);
	return ret;
}

static int
cmd_check_config(const struct config *cfg, struct db *db, int argc,
    char **argv)
{
	config_dump(cfg, stdout);
	if (argc == 1 && strcmp(argv[0], "--connect") == 0) {
		if (db_ping(db) != DB_OK) {
			fprintf(stderr, PROG ": database: %s\n",
			    db_last_error(db));
			return 1;
		}
		printf("# database reachable\n");
	} else if (argc != 0) {
		usage(stderr);
		return 2;
	}
	return 0;
}

static int
cmd_housekeeping(const struct config *cfg, struct db *db, int argc)
{
	char holder[HK_HOLDER_MAX + 1];
	struct hk_counts c;
	enum svc_rc rc;

	if (argc != 0) {
		usage(stderr);
		return 2;
	}
	if (housekeeping_holder_id(holder, sizeof(holder)) != 0) {
		fprintf(stderr, PROG ": housekeeping: no random holder id\n");
		return 1;
	}
	rc = housekeeping_run(db, cfg, holder, NULL, &c);
	if (rc != SVC_OK) {
		fprintf(stderr, PROG ": housekeeping: %s (%s)\n", svc_text(rc),
		    db_last_error(db));
		return 1;
	}
	if (!c.ran) {
		/* Not a failure: another host is doing the same work. */
		printf("lease: busy (held by %s)\n", c.held_by);
		return 0;
	}
	printf("lease: taken by %s\n"
	    "expired registrations: %llu\n"
	    "expired operations: %llu\n"
	    "purged temporary keys: %llu\n"
	    "purged replay entries: %llu\n"
	    "purged webhook and push deliveries: %llu\n"
	    "purged events: %llu\n"
	    "purged dispatcher status rows: %llu\n"
	    "purged inbox messages: %llu\n"
	    "purged audit events: %llu\n"
	    "purged abuse counters: %llu\n"
	    "statements: %u\n", holder, (unsigned long long)c.expired,
	    (unsigned long long)c.operations,
	    (unsigned long long)c.temporary_keys,
	    (unsigned long long)c.replay_entries,
	    (unsigned long long)c.deliveries, (unsigned long long)c.events,
	    (unsigned long long)c.dispatchers,
	    (unsigned long long)c.inbox_messages,
	    (unsigned long long)c.audit_events,
	    (unsigned long long)c.abuse_counters, c.statements);
	return 0;
}

static int
run(const struct config *cfg, int argc, char **argv)
{
	struct db *db;
	int rc;

	if (crypto_init() != 0 || db_library_init() != 0 ||
	    (db = db_new(cfg)) == NULL) {
		fprintf(stderr, PROG ": initialisation failed\n");
		return 1;
	}
	if (strcmp(argv[0], "create-user") == 0 && argc >= 2)
		rc = cmd_create_user(db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "ensure-admin") == 0 && argc >= 2)
		rc = cmd_ensure_admin(db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "check-config") == 0)
		rc = cmd_check_config(cfg, db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "housekeeping") == 0)
		rc = cmd_housekeeping(cfg, db, argc - 1);
	else if (strcmp(argv[0], "app-create") == 0 && argc >= 2)
		rc = admin_app_create(cfg, db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "app-list") == 0 && argc == 1)
		rc = admin_app_list(db);
	else if (strcmp(argv[0], "app-show") == 0 && argc >= 2)
		rc = admin_app_show(db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "schema-version") == 0)
		rc = admin_schema_version(db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "registration-show") == 0)
		rc = admin_registration_show(db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "operation-show") == 0)
		rc = admin_operation_show(cfg, db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "rotate-master-key") == 0)
		rc = admin_rotate_master_key(cfg, db, argc - 1, argv + 1);
	else {
		usage(stderr);
		rc = 2;
	}
	db_free(db);
	db_library_end();
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = NULL;
	struct config cfg;
	char err[512];
	int c, rc;

	while ((c = getopt_long(argc, argv, "+c:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf(PROG " %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (config_load(&cfg, config_default_path(path), path != NULL ||
	    getenv("PASERV_CONFIG") != NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	if (config_require_master_key(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		config_free(&cfg);
		return 2;
	}
	rc = run(&cfg, argc - optind, argv + optind);
	config_free(&cfg);
	return rc;
}
