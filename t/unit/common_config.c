/* Configuration: defaults, file syntax, errors naming the key, env overrides. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "tap.h"

#define KEY "security.master_key = AAECAwQFBgcICQoLDA0ODw==\n"

static int
load(struct config *c, const char *text, char *err, size_t errlen)
{
	return config_load_text(c, text, strlen(text), "test.conf", err,
	    errlen);
}

static void
rejects(const char *text, const char *want, const char *what)
{
	struct config c;
	char err[256] = "";

	tap_ok(load(&c, text, err, sizeof(err)) != 0 &&
	    strstr(err, want) != NULL, "%s (%s)", what, err);
}

static void
hosts_ok(void)
{
	struct config_host h[CONFIG_HOSTS_MAX];
	const char *why;
	int n;

	n = config_hosts_parse("127.0.0.1:29201, db2 ,[::1]:3307\tdb4:1",
	    3306, h, CONFIG_HOSTS_MAX, &why);
	tap_ok(n == 4, "four entries, commas and blanks separate (%d)", n);
	if (n != 4)
		return;
	tap_ok(strcmp(h[0].host, "127.0.0.1") == 0 && h[0].port == 29201,
	    "host:port");
	tap_ok(strcmp(h[1].host, "db2") == 0 && h[1].port == 3306,
	    "no port: the default");
	tap_ok(strcmp(h[2].host, "::1") == 0 && h[2].port == 3307,
	    "[ipv6]:port");
	tap_ok(strcmp(h[3].host, "db4") == 0 && h[3].port == 1,
	    "tab separates too");
	tap_ok(config_hosts_parse("a b c", 1, h, 2, &why) < 0 &&
	    strcmp(why, "too many hosts") == 0, "more than max refused");
	tap_ok(config_hosts_parse("a:65536", 1, h, 2, &why) < 0,
	    "port above 65535 refused");
	tap_ok(config_hosts_parse("a:", 1, h, 2, &why) < 0,
	    "empty port refused");
	tap_ok(config_hosts_parse("::1", 1, h, 2, &why) < 0,
	    "bare IPv6 refused (needs brackets)");
	tap_ok(config_hosts_parse("[::1", 1, h, 2, &why) < 0,
	    "unclosed bracket refused");
	tap_ok(config_hosts_parse(":3306", 1, h, 2, &why) < 0,
	    "empty host refused");
	tap_ok(config_hosts_parse("  ", 1, h, 2, &why) < 0,
	    "blank list refused");
}

int
main(void)
{
	struct config c;
	char err[256], name[64];

	unsetenv("PASERV_DB_HOST");
	tap_ok(load(&c, "", err, sizeof(err)) == 0, "empty text loads");
	tap_str(c.db_host, "localhost", "default db.host");
	tap_ok(c.db_port == 3306 && c.workers_threads == 8 &&
	    c.workers_malloc_arenas == 2 &&
	    c.http_max_body == 1048576 && c.auth_cache_ttl == 60,
	    "default numbers");
	tap_ok(c.db_socket == NULL && !c.master_key_set, "unset defaults");
	tap_ok(config_require_master_key(&c, err, sizeof(err)) != 0 &&
	    strstr(err, "security.master_key") != NULL,
	    "missing master key is reported");
	config_free(&c);

	tap_ok(load(&c, "# comment\n\n  db.host = db1 \r\n" KEY
	    "db.port=3307\nlog.level = debug\ndb.password = a b#c\n"
	    "db.socket =\n", err, sizeof(err)) == 0, "file parses (%s)", err);
	tap_str(c.db_host, "db1", "value trimmed (CRLF too)");
	tap_ok(c.db_port == 3307, "int parsed");
	tap_ok(c.log_level == CONFIG_LOG_DEBUG, "enum parsed");
	tap_str(c.db_password, "a b#c", "inner spaces and # kept in values");
	tap_ok(c.db_socket == NULL, "empty optional value means unset");
	tap_ok(c.master_key_set && c.master_key[15] == 15, "master key decoded");
	tap_ok(config_require_master_key(&c, err, sizeof(err)) == 0,
	    "master key present");
	config_free(&c);

	rejects("db.hots = x\n", "unknown key 'db.hots'", "unknown key named");
	rejects("db.host = a\ndb.host = b\n", "test.conf:2: duplicate key",
	    "duplicate key with line");
	rejects("db.port = 70000\n", "db.port", "port out of range");
	rejects("db.port = 12x\n", "db.port", "trailing garbage in int");
	rejects("db.port = -1\n", "db.port", "negative int");
	rejects("workers.threads = 0\n", "workers.threads", "zero threads");
	rejects("log.level = loud\n", "log.level", "bad enum");
	rejects("security.master_key = AAECAwQFBgcICQoLDA0O\n",
	    "security.master_key", "15-byte master key");
	rejects("security.master_key = AAECAwQFBgcICQoLDA0ODxA=\n",
	    "security.master_key", "17-byte master key");
	rejects("security.master_key = not base64!\n", "security.master_key",
	    "non-Base64 master key");
	rejects("security.previous_master_key = AAECAwQFBgcICQoLDA0O\n",
	    "security.previous_master_key", "15-byte previous master key");
	tap_ok(load(&c, KEY "security.previous_master_key = "
	    "8PHy8/T19vf4+fr7/P3+/w==\n", err, sizeof(err)) == 0 &&
	    c.master_key_set && c.previous_master_key_set &&
	    c.master_key[0] == 0 && c.previous_master_key[0] == 0xf0 &&
	    c.previous_master_key[15] == 0xff,
	    "previous master key decoded next to the master key");
	config_free(&c);
	tap_ok(load(&c, KEY, err, sizeof(err)) == 0 &&
	    !c.previous_master_key_set, "previous master key: unset default");
	config_free(&c);
	rejects("db.host =\n", "db.host", "empty required value");
	rejects("just words\n", "expected 'key = value'", "line without =");
	tap_ok(config_load_text(&c, "db.host = a\0b\n", 13, "t", err,
	    sizeof(err)) != 0, "NUL byte rejected");

	tap_ok(config_env_name("db.password", name, sizeof(name)) == 0 &&
	    strcmp(name, "PASERV_DB_PASSWORD") == 0, "env name mapping");
	setenv("PASERV_DB_HOST", "envhost", 1);
	setenv("PASERV_WORKERS_THREADS", "3", 1);
	tap_ok(load(&c, "db.host = filehost\n", err, sizeof(err)) == 0,
	    "env overrides load");
	tap_str(c.db_host, "envhost", "env beats the file");
	tap_ok(c.workers_threads == 3, "env int");
	config_free(&c);
	setenv("PASERV_WORKERS_THREADS", "many", 1);
	rejects("", "PASERV_WORKERS_THREADS", "bad env value names the variable");
	unsetenv("PASERV_WORKERS_THREADS");
	unsetenv("PASERV_DB_HOST");
	/* A placeholder in the file is fine when the environment replaces it
	 * (secrets kept out of the file); without the variable it is not. */
	setenv("PASERV_WORKERS_THREADS", "4", 1);
	tap_ok(load(&c, KEY "workers.threads = CHANGE-ME\n", err,
	    sizeof(err)) == 0 && c.workers_threads == 4,
	    "file value replaced by the environment is not validated");
	config_free(&c);
	unsetenv("PASERV_WORKERS_THREADS");
	rejects(KEY "workers.threads = CHANGE-ME\n", "workers.threads",
	    "the same file value without the variable is rejected");

	tap_ok(config_load(&c, "/nonexistent/paserv.conf", 1, err,
	    sizeof(err)) != 0, "required missing file fails");
	tap_ok(config_load(&c, "/nonexistent/paserv.conf", 0, err,
	    sizeof(err)) == 0 && c.path == NULL, "optional missing file is "
	    "skipped");
	config_free(&c);

	/* db.hosts: the failover list. */
	hosts_ok();
	rejects(KEY "db.hosts = a:0\n", "db.hosts: bad port",
	    "db.hosts with a bad port is refused at load");
	rejects(KEY "db.hosts = ,\n", "db.hosts: no host",
	    "an empty db.hosts list is refused");
	tap_ok(load(&c, KEY "db.hosts = n1:3311, n2\n", err, sizeof(err)) ==
	    0 && c.db_hosts != NULL, "db.hosts loads (%s)", err);
	config_free(&c);
	return tap_done();
}
