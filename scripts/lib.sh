# scripts/lib.sh - shell functions shared by scripts/run, scripts/test and
# scripts/stop: Debian packages, build, private MariaDB, configuration,
# migrations, workers and nginx of one local stack.
#
# Sourced, never executed. The caller sets (or lets pa_init default):
#   PASERV_TOP      source tree (default: parent of this file)
#   PASERV_VAR      state directory (default: $PASERV_TOP/var)
#   PASERV_PORT     nginx port on 127.0.0.1 (default 8080)
#   PASERV_MARIADB_PORT  MariaDB port on 127.0.0.1 (default 3307; the
#                   workers use the socket). Not PASERV_DB_PORT: that name is
#                   the environment override of the db.port setting.
# Nothing here prints secrets except pa_print_summary, which shows the admin
# password once: on the run that created the admin user.

# clang and libclang-rt-dev (libFuzzer, sanitizer runtimes) are for
# scripts/fuzz only; the server itself is built with gcc.
PA_DEBIAN_PACKAGES="build-essential autoconf automake pkg-config libfcgi-dev
libjson-c-dev libssl-dev libmariadb-dev libcurl4-openssl-dev libcrypt-dev
libqrencode-dev
mariadb-server mariadb-client nginx-light curl python3 openssl qrencode
python3-prometheus-client libjson-validator-perl libyaml-libyaml-perl
python3-h2 clang libclang-rt-dev galera-4 rsync"

pa_log() { printf '%s: %s\n' "${PA_PROG:-paserv}" "$*" >&2; }
pa_die() { pa_log "error: $*"; exit 1; }

# Set the paths every other function uses.
pa_init() {
	PASERV_TOP=${PASERV_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
	PASERV_VAR=${PASERV_VAR:-$PASERV_TOP/var}
	PASERV_PORT=${PASERV_PORT:-8080}
	PASERV_MARIADB_PORT=${PASERV_MARIADB_PORT:-3307}
	mkdir -p "$PASERV_VAR"
	PASERV_VAR=$(cd "$PASERV_VAR" && pwd)
	PA_RUN=$PASERV_VAR/run
	PA_LOGDIR=$PASERV_VAR/log
	PA_DATADIR=$PASERV_VAR/mysql
	PA_DBSOCK=$PA_RUN/mysqld.sock
	PA_CONF=$PASERV_VAR/paserv.conf
	PA_CLIENT_CNF=$PASERV_VAR/client.cnf
	PA_NGINX_DIR=$PASERV_VAR/nginx
	PA_BIN=$PASERV_TOP/src/bin
}

# Install the Debian packages that are missing (one apt-get update at most).
pa_ensure_packages() {
	local p missing=""
	for p in $PA_DEBIAN_PACKAGES; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed'; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || pa_die "missing Debian packages:$missing (run as root)"
	pa_log "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null || pa_die "apt-get update failed"
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing </dev/null >/dev/null ||
	    pa_die "apt-get install failed:$missing"
}

# Configure when needed, then make (which itself only rebuilds what changed).
pa_build() {
	(
		cd "$PASERV_TOP" || exit 1
		if [ ! -x configure ] || [ configure.ac -nt configure ]; then
			autoreconf -fi || exit 1
		fi
		if [ ! -f Makefile ] || [ configure -nt config.status ]; then
			./configure -q || exit 1
		fi
		make -s -j2 >/dev/null || make -j2
	) || pa_die "build failed"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
pa_port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# First free port from $1 upwards.
pa_free_port() {
	local p=$1
	while pa_port_busy "$p"; do p=$((p + 1)); done
	echo "$p"
}

# pid in pid file $1 if that process is alive.
pa_pid_alive() {
	local pid
	[ -f "$1" ] || return 1
	pid=$(cat "$1" 2>/dev/null)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# Stop the process in pid file $1 (TERM, then KILL after $2 seconds).
pa_stop_pidfile() {
	local f=$1 wait=${2:-10} pid i
	if pa_pid_alive "$f"; then
		pid=$(cat "$f")
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < wait * 10; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			pa_log "pid $pid ignored SIGTERM, killing it"
			kill -KILL "$pid" 2>/dev/null
			sleep 0.2
		fi
	fi
	rm -f "$f"
}

pa_random_secret() {
	openssl rand -base64 24 | tr -d '/+=\n'
}

# --- MariaDB ------------------------------------------------------------

pa_mysql_root() {
	mariadb --no-defaults --socket="$PA_DBSOCK" -uroot "$@"
}

pa_db_start() {
	# A private temporary directory: another MariaDB (or a cleaner) on
	# the machine then cannot touch this one's temporary tables.
	mkdir -p "$PA_RUN" "$PA_LOGDIR" "$PASERV_VAR/tmp"
	if pa_pid_alive "$PA_RUN/mysqld.pid"; then
		pa_log "MariaDB already running"
	else
		if [ ! -d "$PA_DATADIR/mysql" ]; then
			pa_log "initialising MariaDB datadir $PA_DATADIR"
			TMPDIR="$PASERV_VAR/tmp" \
			    mariadb-install-db --no-defaults --user=root \
			    --datadir="$PA_DATADIR" --auth-root-authentication-method=socket \
			    >"$PA_LOGDIR/mariadb-install.log" 2>&1 ||
			    pa_die "mariadb-install-db failed (see $PA_LOGDIR/mariadb-install.log)"
		fi
		pa_port_busy "$PASERV_MARIADB_PORT" &&
		    pa_die "port $PASERV_MARIADB_PORT is busy (set PASERV_MARIADB_PORT)"
		nohup mariadbd --defaults-file="$PASERV_TOP/etc/mariadb-paserv.cnf" \
		    --user=root --datadir="$PA_DATADIR" \
		    --tmpdir="$PASERV_VAR/tmp" \
		    --socket="$PA_DBSOCK" --port="$PASERV_MARIADB_PORT" \
		    --bind-address=127.0.0.1 --pid-file="$PA_RUN/mysqld.pid" \
		    --log-error="$PA_LOGDIR/mariadb.log" \
		    </dev/null >/dev/null 2>&1 &
	fi
	local i
	for ((i = 0; i < 300; i++)); do
		pa_mysql_root -e 'SELECT 1' >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	tail -n 20 "$PA_LOGDIR/mariadb.log" >&2 2>/dev/null
	pa_die "MariaDB did not come up"
}

# Database, user (random password kept in $PASERV_VAR/db.password), client.cnf.
pa_db_setup() {
	local pw
	if [ ! -s "$PASERV_VAR/db.password" ]; then
		(umask 077 && pa_random_secret >"$PASERV_VAR/db.password")
	fi
	pw=$(cat "$PASERV_VAR/db.password")
	pa_mysql_root <<EOF || pa_die "cannot create database/user"
CREATE DATABASE IF NOT EXISTS paserv CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'paserv'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'paserv'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON paserv.* TO 'paserv'@'localhost';
EOF
	(umask 077 && cat >"$PA_CLIENT_CNF" <<EOF
[client]
user=paserv
password=$pw
socket=$PA_DBSOCK
[mysql]
database=paserv
EOF
	)
	PA_MYSQL="mariadb --defaults-file=$PA_CLIENT_CNF"
}

# $PASERV_VAR/paserv.conf, written once (master key kept on re-runs).
pa_write_conf() {
	local key pw
	pw=$(cat "$PASERV_VAR/db.password")
	if [ -f "$PA_CONF" ]; then
		key=$(sed -n 's/^security\.master_key *= *//p' "$PA_CONF")
	fi
	[ -n "${key:-}" ] || key=$(openssl rand -base64 16)
	(umask 077 && cat >"$PA_CONF.tmp" <<EOF
# Generated by scripts/run for the local stack in $PASERV_VAR.
# Reference: doc/configuration.md, paserv.conf(5).
db.socket = $PA_DBSOCK
db.user = paserv
db.password = $pw
db.name = paserv
security.master_key = $key
http.max_body = 1048576
log.level = info
log.target = stderr
cloud.listen = $PA_RUN/cloud.sock
enroll.listen = $PA_RUN/enroll.sock
workers.threads = 8
service.base_url = http://127.0.0.1:$PASERV_PORT/enrollment-server
dispatch.poll_ms = 100
${PA_CONF_EXTRA:-}
EOF
	) || pa_die "cannot write $PA_CONF"
	mv "$PA_CONF.tmp" "$PA_CONF" || pa_die "cannot write $PA_CONF"
}

# The settings of a test stack (scripts/test, scripts/galera), printed for
# PA_CONF_EXTRA: short webhook and push timeouts and claims, so that the
# delivery tests (a hanging receiver, a killed dispatcher, a push service
# down) take seconds, not minutes; push pointed at the mocks of t/e2e/151
# on ports $1 (APNs) and $2 (FCM), whose test CA it writes to
# $PASERV_VAR/push-ca.pem; the abuse limits off for the loopback client.
pa_test_conf() {
	cat <<EOF
dispatch.connect_timeout_ms = 1000
dispatch.timeout_ms = 2000
dispatch.lease = 6
dispatch.breaker_open = 2
push.apns_url = https://127.0.0.1:$1
push.apns_sandbox_url = https://127.0.0.1:$1
push.fcm_url = http://127.0.0.1:$2
push.fcm_token_url = http://127.0.0.1:$2/token
push.ca_file = $PASERV_VAR/push-ca.pem
push.timeout_ms = 2000
push.max_attempts = 300
push.initial_backoff_ms = 200
push.max_backoff_ms = 1000
push.concurrency = 8
push.per_platform = 4
abuse.exempt = 127.0.0.1
EOF
}

pa_migrate() {
	PASERV_MYSQL="$PA_MYSQL" "$PASERV_TOP/scripts/migrate" ||
	    pa_die "migrations failed"
}

pa_ensure_admin() {
	# The password is shown by the run that creates the user, only then.
	PA_ADMIN_NEW=0
	[ -s "$PASERV_VAR/admin.password" ] || PA_ADMIN_NEW=1
	"$PA_BIN/paserv-admin" -c "$PA_CONF" ensure-admin admin \
	    --password-file "$PASERV_VAR/admin.password" >/dev/null ||
	    pa_die "paserv-admin ensure-admin failed"
	[ -s "$PASERV_VAR/admin.password" ] ||
	    pa_die "admin user exists but $PASERV_VAR/admin.password is missing"
}

# --- workers and nginx --------------------------------------------------

pa_stop_services() {
	pa_stop_pidfile "$PA_NGINX_DIR/nginx.pid" 10
	pa_stop_pidfile "$PA_RUN/cloud.pid" 15
	pa_stop_pidfile "$PA_RUN/enroll.pid" 15
	pa_stop_pidfile "$PA_RUN/dispatch.pid" 30
}

pa_start_worker() {
	local name=$1 bin=$2 i
	rm -f "$PA_RUN/$name.sock"
	nohup "$PA_BIN/$bin" -c "$PA_CONF" </dev/null \
	    >>"$PA_LOGDIR/$name.log" 2>&1 &
	echo $! >"$PA_RUN/$name.pid"
	for ((i = 0; i < 100; i++)); do
		[ -S "$PA_RUN/$name.sock" ] && return 0
		pa_pid_alive "$PA_RUN/$name.pid" || break
		sleep 0.1
	done
	tail -n 20 "$PA_LOGDIR/$name.log" >&2
	pa_die "$bin did not start"
}

# The webhook dispatcher: no socket; started when it is still running a
# moment later (a configuration error ends it at once).
pa_start_dispatcher() {
	nohup "$PA_BIN/paserv-dispatch" -c "$PA_CONF" </dev/null \
	    >>"$PA_LOGDIR/dispatch.log" 2>&1 &
	echo $! >"$PA_RUN/dispatch.pid"
	sleep 0.3
	pa_pid_alive "$PA_RUN/dispatch.pid" && return 0
	tail -n 20 "$PA_LOGDIR/dispatch.log" >&2
	pa_die "paserv-dispatch did not start"
}

pa_start_workers() {
	mkdir -p "$PA_RUN" "$PA_LOGDIR"
	pa_start_worker cloud paserv-cloud
	pa_start_worker enroll paserv-enroll
	pa_start_dispatcher
}

pa_start_nginx() {
	mkdir -p "$PA_NGINX_DIR/logs" "$PA_NGINX_DIR/tmp"
	cp "$PASERV_TOP/nginx/snippets/paserv-fastcgi-params.conf" "$PA_NGINX_DIR/"
	pa_port_busy "$PASERV_PORT" &&
	    pa_die "port $PASERV_PORT is busy (set PASERV_PORT)"
	sed -e "s|@PORT@|$PASERV_PORT|g" \
	    -e "s|@NGINX_DIR@|$PA_NGINX_DIR|g" \
	    -e "s|@CLOUD_SOCK@|$PA_RUN/cloud.sock|g" \
	    -e "s|@ENROLL_SOCK@|$PA_RUN/enroll.sock|g" \
	    "$PASERV_TOP/nginx/paserv-local.conf.in" >"$PA_NGINX_DIR/nginx.conf"
	pa_nginx -q -t ||
	    pa_die "generated nginx configuration is invalid"
	pa_nginx ||
	    pa_die "nginx did not start"
}

pa_nginx() {
	nginx -p "$PA_NGINX_DIR" -e "$PA_NGINX_DIR/logs/error.log" \
	    -c "$PA_NGINX_DIR/nginx.conf" "$@"
}

pa_base_url() { echo "http://127.0.0.1:$PASERV_PORT"; }

pa_wait_health() {
	local u i ok
	for u in /powerauth-cloud/actuator/health /enrollment-server/actuator/health; do
		ok=0
		for ((i = 0; i < 100; i++)); do
			if curl -fsS -o /dev/null "$(pa_base_url)$u" 2>/dev/null; then
				ok=1
				break
			fi
			sleep 0.1
		done
		[ "$ok" = 1 ] || pa_die "health check failed: $(pa_base_url)$u"
	done
}

# Everything scripts/run does after the packages are there.
pa_up() {
	pa_init
	pa_build
	pa_stop_services
	pa_db_start
	pa_db_setup
	pa_write_conf
	pa_migrate
	pa_ensure_admin
	pa_start_workers
	pa_start_nginx
	pa_wait_health
}

pa_down() {
	pa_init
	pa_stop_services
	pa_stop_pidfile "$PA_RUN/mysqld.pid" 60
}

# Tails of the logs, for failures.
pa_show_logs() {
	local f
	for f in "$PA_LOGDIR/cloud.log" "$PA_LOGDIR/enroll.log" \
	    "$PA_LOGDIR/dispatch.log" \
	    "$PA_NGINX_DIR/logs/error.log" "$PA_LOGDIR/mariadb.log"; do
		[ -f "$f" ] || continue
		echo "----- tail $f" >&2
		tail -n 30 "$f" >&2
	done
}

pa_print_summary() {
	local base pw shown
	base=$(pa_base_url)
	if [ "${PA_ADMIN_NEW:-0}" = 1 ]; then
		pw=$(cat "$PASERV_VAR/admin.password")
		shown=$pw
	else
		pw='$(cat '"$PASERV_VAR"'/admin.password)'
		shown="(shown when it was created; kept in $PASERV_VAR/admin.password)"
	fi
	cat <<EOF

paserv is running (state in $PASERV_VAR, logs in $PA_LOGDIR).

  Admin user:      admin
  Admin password:  $shown
  Cloud API:       $base/powerauth-cloud/   (HTTP basic auth)
  Enrollment API:  $base/enrollment-server/
  Health:          $base/powerauth-cloud/actuator/health
                   $base/enrollment-server/actuator/health

Create an application:
  curl -u "admin:$pw" -X POST $base/powerauth-cloud/admin/applications -H 'Content-Type: application/json' -d '{"id":"my-application"}'

Stop everything: scripts/stop
EOF
}
