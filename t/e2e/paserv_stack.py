"""paserv_stack - a private stack for end-to-end tests that must own their
database: a MariaDB server of its own (datadir in a temporary directory),
paserv-cloud, paserv-enroll and nginx from the local template, on free
ports. It is built and stopped with the functions of scripts/lib.sh, the
ones scripts/test uses for the shared stack, so it is configured the same
way (etc/mariadb-paserv.cnf, nginx/paserv-local.conf.in).

Tests use it when the shared stack will not do: comparing checksums of
whole tables (other tests write to the shared database at the same time),
restarting MariaDB or killing workers (other tests would see the faults).

    st = Stack("cat", conf_extra="housekeeping.interval = 0")
    st.start()
    st.use()          # paserv_e2e.request() & co. now talk to this stack
    ...
    st.stop()

Owns: starting/stopping the private processes and the temporary directory;
not the assertions.
"""

import os
import random
import shutil
import socket
import signal
import subprocess
import tempfile
import time

import paserv_e2e as e

BUILD = os.environ.get("PASERV_TOP_BUILDDIR", e.TOP_SRCDIR)


class StackError(Exception):
    pass


class Stack:
    def __init__(self, name, conf_extra="", dispatcher=False,
                 keep_on_failure=True):
        self.name = name
        # Like scripts/test: the test clients all come from 127.0.0.1, and
        # their deliberate failures must not lock the rest out.
        self.conf_extra = "abuse.exempt = 127.0.0.1\n" + conf_extra
        self.dispatcher = dispatcher
        self.keep_on_failure = keep_on_failure
        self.var = tempfile.mkdtemp(prefix="paserv-e2e-%s-" % name)
        # nginx's workers run as root here, but keep the sockets'
        # directory reachable the way scripts/test's sandbox is.
        os.chmod(self.var, 0o711)
        self.port = free_port()
        self.db_port = free_port()
        while self.db_port == self.port:
            self.db_port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.run = os.path.join(self.var, "run")
        self.started = False
        self.failed = False

    # --- scripts/lib.sh -------------------------------------------------

    def sh(self, script, check=True, timeout=120):
        """Runs bash with scripts/lib.sh sourced and pa_init done for this
        stack, then script; (rc, output)."""
        env = dict(os.environ, PASERV_TOP=e.TOP_SRCDIR, PASERV_VAR=self.var,
                   PASERV_PORT=str(self.port),
                   PASERV_MARIADB_PORT=str(self.db_port),
                   PA_CONF_EXTRA=self.conf_extra, PA_PROG="stack-" +
                   self.name)
        for k in ("PASERV_CONFIG",):
            env.pop(k, None)
        pre = ('. "$PASERV_TOP/scripts/lib.sh" && pa_init && '
               'PA_BIN="%s/src/bin" && ' % BUILD)
        p = subprocess.run(["bash", "-c", pre + script], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=timeout)
        out = p.stdout + p.stderr
        if check and p.returncode != 0:
            self.failed = True
            raise StackError("%s: %s" % (script, out[-2000:]))
        return p.returncode, out

    def start(self):
        t0 = time.monotonic()
        workers = ("pa_start_worker cloud paserv-cloud && "
                   "pa_start_worker enroll paserv-enroll")
        if self.dispatcher:
            workers += " && pa_start_dispatcher"
        self.started = True
        self.sh("pa_db_start && pa_db_setup && pa_write_conf && pa_migrate "
                "&& pa_ensure_admin && " + workers +
                " && pa_start_nginx && pa_wait_health", timeout=300)
        with open(os.path.join(self.var, "admin.password")) as f:
            self.admin_password = f.read().strip()
        self.client_cnf = os.path.join(self.var, "client.cnf")
        self.conf = os.path.join(self.var, "paserv.conf")
        self.start_seconds = time.monotonic() - t0
        return self

    def stop(self):
        """Stops everything: nginx and the workers at once (SIGTERM, as
        scripts/stop does, in parallel to save seconds), then MariaDB."""
        if not self.started:
            shutil.rmtree(self.var, ignore_errors=True)
            return
        names = [os.path.join("nginx", "nginx"), "cloud", "enroll",
                 "dispatch"]
        stop_pids([self.pid(n) for n in names if self.pid(n)], 30)
        stop_pids([self.pid("mysqld")] if self.pid("mysqld") else [], 60)
        for n in names + ["mysqld"]:
            self.forget(n)
        self.started = False
        if self.failed and self.keep_on_failure:
            print("# private stack kept, with its logs: %s" % self.var,
                  flush=True)
            return
        shutil.rmtree(self.var, ignore_errors=True)

    def use(self):
        """Points the paserv_e2e helpers (request, admin_auth, mysql,
        Device, ...) at this stack."""
        e.URL = self.url
        e.ADMIN_USER = "admin"
        e.ADMIN_PASSWORD = self.admin_password
        e.CLOUD_SOCKET = os.path.join(self.run, "cloud.sock")
        e.ENROLL_SOCKET = os.path.join(self.run, "enroll.sock")
        e.VAR = self.var
        e.MYSQL = "mariadb --defaults-file=" + self.client_cnf
        e.CONF = self.conf

    # --- the database -----------------------------------------------------

    def mysql(self, sql, root=False, timeout=60):
        """SQL through the mariadb client (as paserv, or root); stdout."""
        if root:
            cmd = ["mariadb", "--no-defaults", "--socket=" +
                   os.path.join(self.run, "mysqld.sock"), "-uroot",
                   "paserv"]
        else:
            cmd = ["mariadb", "--defaults-file=" + self.client_cnf]
        p = subprocess.run(cmd + ["-N", "-B", "-e", sql],
                           capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            raise StackError("mysql: %s" % p.stderr.strip())
        return p.stdout

    def session(self):
        """An interactive mariadb client as root (stdin a pipe), e.g. to
        hold row locks in an open transaction."""
        return subprocess.Popen(
            ["mariadb", "--no-defaults", "--socket=" +
             os.path.join(self.run, "mysqld.sock"), "-uroot", "-N", "-B",
             "-n", "paserv"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1)

    def checksum(self, exclude=None):
        """{table: (rows, hash)} over every column of every row of every
        table (order independent); exclude maps a table to "*" (left out)
        or to a list of its columns left out. The audit log (audit_event)
        is always left out: it records refused requests too, by design,
        and its rows arrive in batches shortly after their request."""
        exclude = dict(exclude or {})
        exclude.setdefault("audit_event", "*")
        if not hasattr(self, "_columns"):
            rows = self.mysql(
                "SELECT table_name, GROUP_CONCAT(column_name ORDER BY "
                "ordinal_position SEPARATOR ',') FROM "
                "information_schema.columns WHERE table_schema = "
                "DATABASE() GROUP BY table_name")
            self._columns = {r.split("\t")[0]: r.split("\t")[1].split(",")
                             for r in rows.strip().splitlines()}
        parts = []
        for tbl, cols in sorted(self._columns.items()):
            skip = exclude.get(tbl, [])
            if skip == "*":
                continue
            row = "CONCAT_WS(',', %s)" % ", ".join(
                "QUOTE(`%s`)" % c for c in cols if c not in skip)
            parts.append("SELECT '%s', COUNT(*), COALESCE(SUM(CONV(SUBSTR("
                         "SHA2(%s, 256), 1, 15), 16, 10)), 0) FROM `%s`"
                         % (tbl, row, tbl))
        out = self.mysql(" UNION ALL ".join(parts))
        return {r.split("\t")[0]: tuple(r.split("\t")[1:])
                for r in out.strip().splitlines()}

    def db_stop(self):
        """Stops MariaDB the way scripts/stop does (TERM, wait)."""
        self.sh('pa_stop_pidfile "$PA_RUN/mysqld.pid" 60')

    def db_kill(self):
        """SIGKILL to mariadbd (a crash); returns its pid. The pid file a
        crash leaves behind is removed: the dead server may linger as a
        zombie for a while (its parent is whatever init the machine has),
        and pa_db_start would take it for a running server."""
        pid = self.pid("mysqld")
        os.kill(pid, signal.SIGKILL)
        wait_gone([pid], 10)
        self.forget("mysqld")
        return pid

    def db_start(self):
        """Starts MariaDB the way scripts/run does; returns when it
        answers."""
        self.sh("pa_db_start")

    # --- processes ----------------------------------------------------------

    def pid(self, name):
        """pid from run/<name>.pid (cloud, enroll, dispatch, mysqld; or
        nginx/nginx), None when there is none."""
        path = os.path.join(self.var, name + ".pid") if "/" in name else \
            os.path.join(self.run, name + ".pid")
        try:
            with open(path) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def forget(self, name):
        """Removes the pid file of name once its process is gone."""
        pid = self.pid(name)
        if pid is not None and not alive(pid):
            path = os.path.join(self.var, name + ".pid") if "/" in name \
                else os.path.join(self.run, name + ".pid")
            try:
                os.unlink(path)
            except OSError:
                pass

    def children(self, name):
        """pids of the responder processes of worker <name>."""
        return children_of(self.pid(name))


def free_port():
    """A TCP port on 127.0.0.1 free a moment ago, below the ephemeral
    range: no outgoing connection takes it as its source port while a
    server of the stack is down (a restart could not bind it again), and
    no probe of it connects to itself."""
    rnd = random.SystemRandom()
    while True:
        port = rnd.randrange(20000, 32000)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()


def children_of(pid):
    out = []
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            out = [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def alive(pid):
    """True while any thread of process pid runs (a zombie counts as gone).
    Every thread counts: a killed multi-threaded process shows its first
    thread as a zombie while the others are still ending, and its files
    and sockets stay open until the last one is gone."""
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return False
    for tid in tasks:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                if f.read().rsplit(")", 1)[1].split()[0] not in "ZX":
                    return True
        except (OSError, IndexError):
            pass
    return False


def wait_gone(pids, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.02)
    return not any(alive(p) for p in pids)


def stop_pids(pids, timeout):
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except OSError:
            pass
    if not wait_gone(pids, timeout):
        for p in pids:
            if alive(p):
                os.kill(p, signal.SIGKILL)
        wait_gone(pids, 5)
