#!/usr/bin/env python3
"""bench/run.py - the measurements and the report of bench/run, against a
stack that bench/run has started (or found): see bench/run --help and
doc/benchmarks.md. Python 3 standard library only; the load comes from
bench/http_load and bench/db_baseline (C), the requests from pa-device.

Every measurement is one closed-loop run at C connections. Requests that
are valid once (signatures, token headers, activation codes, operations to
approve) are made beforehand for that run only; their number follows the
rate measured at the previous level, so a run lasts about --seconds.
Requests that may repeat (ping, status, operation create) are sent for
--seconds. Around every run the CPU time of nginx, the workers, the
dispatcher and mariadbd is read from /proc/<pid>/stat, the memory of the
application tier is sampled from /proc/<pid>/status, and the busy time of
the whole machine from /proc/stat (what other processes took)."""
import argparse
import base64
import concurrent.futures
import csv
import datetime
import http.client
import json
import math
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("--top", required=True)
ap.add_argument("--var", required=True)
ap.add_argument("--url", required=True)
ap.add_argument("--work", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--sandbox", action="store_true")
ap.add_argument("--quick", action="store_true")
ap.add_argument("--seconds", type=float)
ap.add_argument("--levels")
ap.add_argument("--seed", type=int)
ap.add_argument("--only")
ap.add_argument("--note", default=os.environ.get("BENCH_NOTE", ""))
A = ap.parse_args()

QUICK = A.quick
SECS = A.seconds or (0.3 if QUICK else 4.0)
LEVELS = [int(x) for x in (A.levels or "1 4 16 32").split()]
SEED = A.seed if A.seed is not None else (2000 if QUICK else 100000)
ONLY = set(A.only.split(",")) if A.only else None
NCPU = os.cpu_count() or 1
TICK = os.sysconf("SC_CLK_TCK")
MAXC = max(LEVELS)
TOP, VAR, WORK, OUT = A.top, A.var, A.work, A.out
DEVICE = os.path.join(TOP, "src", "device", "pa-device")
LOAD = os.path.join(TOP, "bench", "http_load")
DBB = os.path.join(TOP, "bench", "db_baseline")
CONF = os.path.join(VAR, "paserv.conf")
MYSQL = ["mariadb", "--defaults-file=" + os.path.join(VAR, "client.cnf"),
         "-N", "-B"]
U = urllib.parse.urlsplit(A.url)
DAY_MS = 86400 * 1000
UA = ("PowerAuthNetworking/1.8.0 (en; wifi) com.example.bank/4.2.0 "
      "(Apple; iOS/17.4; iphone15,2)")
ENROLL = "/enrollment-server"
CLOUD = "/powerauth-cloud"
failures = []   # (measurement, what) of every run that was not clean


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def die(msg):
    log("error: " + msg)
    sys.exit(2)


# --- the stack ------------------------------------------------------------

def sql(q):
    p = subprocess.run(MYSQL, input=q, capture_output=True, text=True)
    if p.returncode != 0:
        die("SQL failed: %s\n%s" % (p.stderr.strip(), q[:500]))
    return p.stdout


def sql_rows(q):
    return [line.split("\t") for line in sql(q).splitlines() if line]


def quote(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


def conf_value(key, default=""):
    with open(CONF) as f:
        for line in f:
            m = re.match(r"\s*%s\s*=\s*(.*?)\s*$" % re.escape(key), line)
            if m:
                return m.group(1)
    return default


ADMIN_PW = open(os.path.join(VAR, "admin.password")).read().strip()


def api(method, path, body=None, user="admin", pw=None, ok=(200,)):
    """One request to the integration API; the parsed JSON answer."""
    pw = ADMIN_PW if pw is None else pw
    c = http.client.HTTPConnection(U.hostname, U.port or 80, timeout=60)
    hdrs = {"Authorization": "Basic " + base64.b64encode(
        ("%s:%s" % (user, pw)).encode()).decode()}
    data = None
    if body is not None:
        data = json.dumps(body)
        hdrs["Content-Type"] = "application/json"
    c.request(method, CLOUD + path, body=data, headers=hdrs)
    r = c.getresponse()
    text = r.read().decode()
    c.close()
    if r.status not in ok:
        die("%s %s: HTTP %d %s" % (method, path, r.status, text[:300]))
    return json.loads(text) if text else None


def pa(state, *argv, stdin=None):
    p = subprocess.run([DEVICE, "-s", state] + list(argv), input=stdin,
                       capture_output=True, text=True)
    if p.returncode != 0:
        die("pa-device %s: %s" % (argv[0], p.stderr.strip()))
    return p.stdout


def parallel(fn, items, n=None):
    with concurrent.futures.ThreadPoolExecutor(n or NCPU * 2) as ex:
        return list(ex.map(fn, items))


# --- processes: CPU and memory --------------------------------------------

def read_pid(path):
    try:
        return int(open(path).read().strip())
    except (OSError, ValueError):
        return None


def all_stats():
    """{pid: (ppid, utime + stime ticks)} of every process."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            s = open("/proc/%s/stat" % d).read()
        except OSError:
            continue
        rest = s[s.rindex(")") + 2:].split()
        out[int(d)] = (int(rest[1]), int(rest[11]) + int(rest[12]))
    return out


ROOTS = {
    "nginx": os.path.join(VAR, "nginx", "nginx.pid"),
    "cloud": os.path.join(VAR, "run", "cloud.pid"),
    "enroll": os.path.join(VAR, "run", "enroll.pid"),
    "dispatch": os.path.join(VAR, "run", "dispatch.pid"),
    "mariadbd": os.path.join(VAR, "run", "mysqld.pid"),
}
GROUPS = list(ROOTS)
APP_TIER = ("cloud", "enroll", "dispatch")


def groups(stats=None):
    """{group: [pids]}: each root process and its descendants."""
    stats = stats or all_stats()
    kids = {}
    for pid, (ppid, _) in stats.items():
        kids.setdefault(ppid, []).append(pid)
    out = {}
    for g, f in ROOTS.items():
        root = read_pid(f)
        pids, todo = [], [root] if root in stats else []
        while todo:
            p = todo.pop()
            pids.append(p)
            todo.extend(kids.get(p, []))
        out[g] = pids
    return out


def machine_busy():
    """(busy ticks, all ticks) of the machine from /proc/stat."""
    f = open("/proc/stat").readline().split()[1:]
    v = [int(x) for x in f]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v[:8]) - idle, sum(v[:8])


class Snapshot:
    def __init__(self):
        self.stats = all_stats()
        self.groups = groups(self.stats)
        self.busy, self.total = machine_busy()
        self.wall = time.monotonic()
        self.rusage = resource.getrusage(resource.RUSAGE_CHILDREN)

    def cpu(self, g):
        return sum(self.stats[p][1] for p in self.groups[g]
                   if p in self.stats)


def cpu_delta(a, b):
    """{group: ms} between two snapshots, "client" (our children) and
    "others": busy time of the machine that none of them took."""
    out = {}
    for g in GROUPS:
        pids = set(a.groups[g]) & set(b.groups[g])
        out[g] = sum(b.stats[p][1] - a.stats[p][1] for p in pids) * \
            1000.0 / TICK
    out["client"] = ((b.rusage.ru_utime - a.rusage.ru_utime) +
                     (b.rusage.ru_stime - a.rusage.ru_stime)) * 1000.0
    ours = sum(out.values())
    busy_ms = (b.busy - a.busy) * 1000.0 / TICK
    wall_ms = (b.wall - a.wall) * 1000.0
    out["others_pct"] = max(0.0, busy_ms - ours) / (wall_ms * NCPU) * 100 \
        if wall_ms > 0 else 0.0
    return out


def status_kb(pid, key):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_label(g, pid, gpids):
    if g == "dispatch":
        return "paserv-dispatch"
    name = "paserv-" + g
    return name + (" (supervisor)" if pid == gpids[0] else " (responder)")


class Memory(threading.Thread):
    """Samples the application tier's VmRSS while a run goes on."""
    peak_sum = 0
    peak = {}           # label: kB, over the whole benchmark

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.run_peak = 0

    def run(self):
        g = groups()
        while True:
            total = 0
            for name in APP_TIER:
                for pid in g[name]:
                    kb = status_kb(pid, "VmRSS")
                    total += kb
                    lab = proc_label(name, pid, g[name])
                    Memory.peak[lab] = max(Memory.peak.get(lab, 0), kb)
            self.run_peak = max(self.run_peak, total)
            Memory.peak_sum = max(Memory.peak_sum, total)
            if self.stop.wait(0.2):
                break


def measured(cmd):
    """Runs a load tool with CPU snapshots and memory sampling around it:
    (exit status, {name: value} of its output, stderr, cpu, rss peak)."""
    mem = Memory()
    a = Snapshot()
    mem.start()
    p = subprocess.run(cmd, capture_output=True, text=True)
    b = Snapshot()
    mem.stop.set()
    mem.join()
    vals = {}
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                vals[parts[0]] = float(parts[1])
            except ValueError:
                vals[parts[0]] = parts[1]
    return p.returncode, vals, p.stderr, cpu_delta(a, b), mem.run_peak


# --- results ---------------------------------------------------------------

results = []
est_rate = {}


def record(kind, name, proto, conns, vals, cpu, rss, rc, err, extra=None):
    n = vals.get("requests", vals.get("ops", 0)) or 0
    r = {
        "kind": kind, "name": name, "proto": proto, "conns": conns,
        "requests": int(n), "seconds": vals.get("seconds", 0),
        "rps": vals.get("rps", vals.get("ops_per_s", 0)),
        "mean_ms": vals.get("mean_ms", 0), "p50_ms": vals.get("p50_ms", 0),
        "p90_ms": vals.get("p90_ms", 0), "p99_ms": vals.get("p99_ms", 0),
        "max_ms": vals.get("max_ms", 0),
        "errors": int(vals.get("errors", 0) or 0) + (
            1 if rc not in (0, 1) or (rc == 1 and not vals.get("errors"))
            else 0),
        "others_pct": cpu["others_pct"], "app_rss_kb": rss,
    }
    for g in GROUPS + ["client"]:
        r["cpu_" + g] = cpu[g] / n if n else 0
    if extra:
        r.update(extra)
    results.append(r)
    key = (name, proto)
    if r["rps"]:
        est_rate[key] = max(est_rate.get(key, 0), r["rps"])
    tag = "%-16s %-4s c=%-3d" % (name, proto, conns)
    log("%s %9.1f/s p50 %7.2f p99 %7.2f ms  errors %d  others %.0f%%" % (
        tag, r["rps"], r["p50_ms"], r["p99_ms"], r["errors"],
        r["others_pct"]))
    if r["errors"]:
        first = "; ".join(line for line in err.splitlines()
                          if "first failure" in line or "error" in line
                          or "thread" in line)[:600]
        failures.append((tag, first or err.strip()[:600]))
        log("  FAILED: " + (first or err.strip()[:300]))
    if rc == 1 and vals.get("exhausted"):
        log("  note: the pool ran out before the deadline")
    return r


def per_conn(name, proto, conns, default, slack=1.0):
    """Requests per connection for a run of about SECS seconds."""
    rate = est_rate.get((name, proto))
    rate = rate * 1.5 if rate else default * (0.5 if conns == 1 else 1)
    n = int(math.ceil(rate * SECS * slack / conns))
    return max(3, min(n, 100000))


# --- setup -----------------------------------------------------------------

def setup():
    global APP, SEED_APP, USER, USER_PW_FILE, CALLER_ID, SDK
    tag = secrets.token_hex(3)
    APP, SEED_APP, USER = "bench-" + tag, "bench-seed-" + tag, "bench-" + tag
    SDK = api("POST", "/admin/applications", {"id": APP})["mobileSdkConfig"]
    api("POST", "/admin/applications", {"id": SEED_APP})
    pw = api("POST", "/admin/users", {"username": USER})["password"]
    USER_PW_FILE = os.path.join(WORK, "user.password")
    fd = os.open(USER_PW_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(pw + "\n")
    for app in (APP, SEED_APP):
        api("POST", "/admin/users/%s/applications/%s" % (USER, app))
    CALLER_ID = sql_rows("SELECT id FROM cloud_user WHERE username = %s"
                         % quote(USER))[0][0]
    globals()["USER_PW"] = pw


def uuid_sql(h):
    return ("CONCAT(SUBSTR({0},1,8),'-',SUBSTR({0},9,4),'-4',"
            "SUBSTR({0},14,3),'-a',SUBSTR({0},18,3),'-',SUBSTR({0},21,12))"
            .format(h))


SEED_SQL = {
    "activation": """
INSERT INTO activation (id, app_id, user_id, status, server_private_key_enc,
  server_public_key, device_public_key, ctr, ctr_data, failed_attempts,
  max_failed_attempts, commit_phase, name, platform, device_info, flags,
  protocol_version, created_at, last_used_at, last_change_at, expires_at,
  master_secret_enc, fingerprint)
SELECT {uuid}, {app}, CONCAT('seed-user-', seq),
  CASE WHEN seq % 10 = 0 THEN 5 WHEN seq % 20 = 1 THEN 4 ELSE 3 END,
  REPEAT('k', 200),
  UNHEX(CONCAT('04', SHA2(CONCAT('s', {h}), 256),
               SHA2(CONCAT('t', {h}), 256))),
  UNHEX(CONCAT('04', SHA2(CONCAT('d', {h}), 256),
               SHA2(CONCAT('e', {h}), 256))),
  seq % 1000, UNHEX(MD5(CONCAT('c', {h}))), 0, 5, 'ON_KEY_EXCHANGE', 'seed',
  'android', 'seed device', '[]', 3, @now - INTERVAL seq MINUTE, @now, @now,
  @now + INTERVAL 1 YEAR, REPEAT('m', 100), LPAD(seq % 100000000, 8, '0')
FROM seq_{lo}_to_{hi};""",
    "token": """
INSERT INTO token (id, activation_id, secret_enc, signature_type, created_at)
SELECT {uuid}, id, REPEAT('t', 80), 'possession_knowledge', created_at
FROM activation WHERE app_id = {app};""",
    "operation": """
INSERT INTO operation (id, app_id, user_id, template_name, operation_type,
  data, parameters, additional_data, status, signature_types, failure_count,
  max_failures, language, created_at, expires_at, finalized_at)
SELECT {uuid}, {app}, CONCAT('seed-user-', 1 + (seq * 7919) % {n}),
  'default.login', 'login', 'A2', '{{}}',
  CONCAT('{{"activationId":"seed","applicationId":"seed",',
         '"authFactor":"POSSESSION_KNOWLEDGE"}}'),
  {st}, '["possession_knowledge","possession_biometry"]', 0, 5, 'en',
  @now - INTERVAL seq MINUTE,
  IF({st} = 1, @now + INTERVAL 1 DAY, @now - INTERVAL seq MINUTE
     + INTERVAL 5 MINUTE),
  IF({st} = 1, NULL, @now - INTERVAL seq MINUTE + INTERVAL 30 SECOND)
FROM seq_{lo}_to_{hi};""",
}
# The operations' status: mostly APPROVED, some EXPIRED, REJECTED, PENDING.
OP_STATUS = ("(CASE WHEN seq % 50 = 0 THEN 1 WHEN seq % 20 = 1 THEN 5 "
             "WHEN seq % 33 = 2 THEN 3 ELSE 2 END)")


def seed():
    """Seeds SEED rows into activation, token and operation in SQL, in
    chunks (each one INSERT ... SELECT from a sequence table; the tokens,
    one per seeded registration, in one statement)."""
    t0 = time.monotonic()
    chunk = 20000
    for table in ("activation", "token", "operation"):
        # a token for every seeded registration, in one statement
        for lo in range(1, SEED + 1, chunk if table != "token" else SEED):
            hi = min(SEED, lo + chunk - 1)
            # Every value inline (a derived table would be materialised
            # in a temporary table); @salt makes the ids differ per run.
            h = ("MD5(CONCAT(@salt, 'token', id))" if table == "token"
                 else "MD5(CONCAT(@salt, '%s', seq))" % table)
            sql("SET @now = UTC_TIMESTAMP(3), @salt = RAND();" +
                SEED_SQL[table].format(uuid=uuid_sql(h), h=h,
                                       app=quote(SEED_APP), lo=lo, hi=hi,
                                       n=SEED, st=OP_STATUS))
    sql("ANALYZE TABLE activation, token, operation, event_outbox;")
    secs = time.monotonic() - t0
    counts = {}
    for t in ("activation", "token", "operation", "event_outbox",
              "replay_value"):
        counts[t] = int(sql_rows("SELECT COUNT(*) FROM %s" % t)[0][0])
    log("seeded %d rows x 3 tables in %.0f s: %s" % (SEED, secs, counts))
    return secs, counts


DEVS = {}       # proto: [ {state, id, user, token} ]
GEN = {}        # proto: state file of an unactivated device (activate-batch)


def make_device(arg):
    proto, i = arg
    user = "bench-dev-%s-%d" % (proto.replace(".", ""), i)
    qr = api("POST", "/v2/registrations", {
        "userId": user, "appId": APP, "commitPhase": "ON_KEY_EXCHANGE"},
        user=USER, pw=USER_PW)["activationQrCodeData"]
    state = os.path.join(WORK, "dev", "%s-%d.json" % (proto, i))
    pa(state, "setup", SDK, A.url + ENROLL, proto)
    aid = pa(state, "activate", qr).split()[0]
    tid = pa(state, "token-create").strip()
    return {"state": state, "id": aid, "user": user, "token": tid}


def devices():
    t0 = time.monotonic()
    for proto in ("3.1", "3.3"):
        DEVS[proto] = parallel(make_device, [(proto, i) for i in
                                             range(MAXC)], NCPU * 2)
        GEN[proto] = os.path.join(WORK, "dev", "gen-%s.json" % proto)
        pa(GEN[proto], "setup", SDK, A.url + ENROLL, proto)
    # three pending operations for every device user (what a list shows)
    users = [d["user"] for p in DEVS for d in DEVS[p]]
    sql("SET @now = UTC_TIMESTAMP(3), @salt = RAND();" + "".join(
        new_ops_sql(u, 3, "list") for u in users))
    log("%d devices activated (3.1 and 3.3), with a token each, in %.0f s"
        % (2 * MAXC, time.monotonic() - t0))


def new_ops_sql(user, n, tag):
    return """
INSERT INTO operation (id, app_id, user_id, template_name, operation_type,
  data, parameters, additional_data, status, signature_types, failure_count,
  max_failures, external_id, language, created_at, expires_at)
SELECT {uuid}, {app}, {user}, 'default.login', 'login', 'A2', '{{}}', '{{}}',
  1, '["possession_knowledge","possession_biometry"]', 0, 5, {tag}, 'en',
  @now, @now + INTERVAL 1 DAY
FROM seq_1_to_{n};
""".format(uuid=uuid_sql("MD5(CONCAT(@salt, %s, '/', seq))" % quote(user)),
           app=quote(APP), user=quote(user), tag=quote("bench-" + tag), n=n)


# --- request files ---------------------------------------------------------

def write_lines(path, lines):
    with open(path, "w") as f:
        for line in lines:
            f.write(line + "\n")
    return path


def fpath(name, i):
    return os.path.join(WORK, "req", "%s-%d.txt" % (name, i))


def generic(method, path, headers, body):
    return "\t".join([method, path] + headers + [body])


def http_run(name, proto, conns, files, generic_mode=True, auth=False,
             match=None, seconds=None, repeat=False, extra_args=(),
             url=None):
    cmd = [LOAD, "-u", url or A.url]
    if generic_mode:
        cmd.append("-g")
    if auth or not generic_mode:
        cmd += ["-U", USER, "-P", USER_PW_FILE]
    if match:
        cmd += ["-m", match]
    if seconds:
        cmd += ["-d", "%g" % seconds]
    if repeat:
        cmd.append("-r")
    cmd += list(extra_args) + files
    rc, vals, err, cpu, rss = measured(cmd)
    return record("http", name, proto, conns, vals, cpu, rss, rc, err)


def sign_files(devs, name, n, skip=0, bodies=None, uri="/login",
               wrap=None):
    """Per device: n signatures (counter order) turned into lines."""
    def one(i):
        d = devs[i]
        argv = ["sign-batch", "POST", uri, str(n)]
        argv += ["--bodies", bodies[i]] if bodies else ["--body", "{}"]
        if skip:
            argv += ["--skip", str(skip)]
        hdrs = pa(d["state"], *argv).splitlines()
        if len(hdrs) != n:
            die("sign-batch gave %d of %d" % (len(hdrs), n))
        return write_lines(fpath(name, i), (wrap(i, k, h) for k, h in
                                            enumerate(hdrs)))
    return parallel(one, range(len(devs)), NCPU)


def token_files(devs, name, n, wrap):
    def one(i):
        hdrs = pa(devs[i]["state"], "token-header-batch", devs[i]["token"],
                  str(n)).splitlines()
        return write_lines(fpath(name, i), (wrap(h) for h in hdrs))
    return parallel(one, range(len(devs)), NCPU)


def verify_body(h):
    return json.dumps({"method": "POST", "uriId": "/login", "authHeader": h,
                       "requestBody": "e30="}, separators=(",", ":"))


# --- the measurements ------------------------------------------------------

def m_empty(c, proto):
    files = [write_lines(fpath("ping", i), [generic(
        "GET", ENROLL + "/actuator/ping", [], "")]) for i in range(c)]
    return http_run("empty", proto, c, files, match='"UP"', seconds=SECS,
                    repeat=True)


def m_status(c, proto):
    files = []
    for i, d in enumerate(DEVS["3.3"][:c]):
        body = json.dumps({"requestObject": {
            "activationId": d["id"], "challenge": base64.b64encode(
                os.urandom(16)).decode()}}, separators=(",", ":"))
        files.append(write_lines(fpath("status", i), [generic(
            "POST", ENROLL + "/pa/v3/activation/status",
            ["Content-Type: application/json", "User-Agent: " + UA],
            body)]))
    return http_run("status", proto, c, files, match="encryptedStatusBlob",
                    seconds=SECS, repeat=True)


def m_token(c, proto):
    n = per_conn("token-verify", proto, c, 3000, slack=1.5)
    files = token_files(DEVS[proto][:c], "tok", n, lambda h: json.dumps(
        {"authHeader": h}, separators=(",", ":")))
    return http_run("token-verify", proto, c, files, generic_mode=False,
                    seconds=SECS, url=A.url + CLOUD + "/v2/token/verify")


def m_list(c, proto):
    n = per_conn("op-list", proto, c, 1500, slack=1.5)
    files = token_files(DEVS[proto][:c], "list", n, lambda h: generic(
        "POST", ENROLL + "/api/auth/token/app/operation/list",
        ["X-PowerAuth-Token: " + h, "Content-Type: application/json",
         "User-Agent: " + UA], "{}"))
    return http_run("op-list", proto, c, files,
                    match='"responseObject":[{"id"', seconds=SECS)


def m_sig(c, proto, miss=False):
    name = "sig-verify-miss" if miss else "sig-verify"
    n = per_conn(name, proto, c, 1500)
    files = sign_files(DEVS[proto][:c], name, n, skip=19 if miss else 0,
                       wrap=lambda i, k, h: verify_body(h))
    return http_run(name, proto, c, files, generic_mode=False,
                    url=A.url + CLOUD + "/v2/signature/verify")


def m_miss(c, proto):
    return m_sig(c, proto, miss=True)


def seed_user(k):
    """The k-th seeded user with an ACTIVE registration (every tenth
    seeded registration is REMOVED and every twentieth BLOCKED: users
    whose number ends in 0 or 1)."""
    n = (k * 10 // 8) % max(1, SEED - 10)
    return "seed-user-%d" % (n - n % 10 + 2 + k % 8)


def m_opcreate(c, proto):
    exp = int(time.time() * 1000) + DAY_MS
    files = []
    for i in range(c):
        lines = [generic("POST", CLOUD + "/v2/operations",
                         ["Content-Type: application/json"],
                         json.dumps({"userId": seed_user(i * 64 + k),
                                     "appId": SEED_APP,
                                     "template": "default.login",
                                     "timestampExpires": exp},
                                    separators=(",", ":")))
                 for k in range(64)]
        files.append(write_lines(fpath("opc", i), lines))
    return http_run("op-create", proto, c, files, auth=True,
                    match='"status":"PENDING"', seconds=SECS, repeat=True)


def pending_ops(users, n, tag):
    """n new PENDING operations for each user; their ids per user."""
    sql("SET @now = UTC_TIMESTAMP(3), @salt = RAND();" + "".join(
        new_ops_sql(u, n, tag) for u in users))
    rows = sql_rows("SELECT user_id, id FROM operation WHERE external_id = "
                    "%s" % quote("bench-" + tag))
    out = {u: [] for u in users}
    for u, i in rows:
        out[u].append(i)
    return out


APPROVE_RUN = [0]


def m_approve(c, proto):
    n = per_conn("op-approve", proto, c, 800)
    devs = DEVS[proto][:c]
    APPROVE_RUN[0] += 1
    ops = pending_ops([d["user"] for d in devs], n,
                      "approve-%d" % APPROVE_RUN[0])
    bodies, texts = [], []
    for i, d in enumerate(devs):
        t = [json.dumps({"requestObject": {"id": o, "data": "A2"}},
                        separators=(",", ":")) for o in ops[d["user"]]]
        texts.append(t)
        bodies.append(write_lines(fpath("approve-body", i), t))
    files = sign_files(devs, "approve", n, bodies=bodies,
                       uri="/operation/authorize",
                       wrap=lambda i, k, h: generic(
                           "POST", ENROLL +
                           "/api/auth/token/app/operation/authorize",
                           ["X-PowerAuth-Authorization: " + h,
                            "Content-Type: application/json",
                            "User-Agent: " + UA], texts[i][k]))
    return http_run("op-approve", proto, c, files, match='"status":"OK"')


REG = [0]


def reg_lines(c, n, prefix):
    exp = int(time.time() * 1000) + DAY_MS
    files = []
    for i in range(c):
        REG[0] += 1
        lines = [generic("POST", CLOUD + "/v2/registrations",
                         ["Content-Type: application/json"],
                         json.dumps({"userId": "%s-%d-%d" % (prefix, REG[0],
                                                             k),
                                     "appId": APP,
                                     "commitPhase": "ON_KEY_EXCHANGE",
                                     "timestampRegistrationExpire": exp},
                                    separators=(",", ":")))
                 for k in range(n)]
        files.append(write_lines(fpath(prefix, i), lines))
    return files


def m_regcreate(c, proto):
    n = per_conn("reg-create", proto, c, 800, slack=1.5)
    return http_run("reg-create", proto, c, reg_lines(c, n, "reg"),
                    auth=True, match='"activationCode"', seconds=SECS)


def m_actcreate(c, proto):
    n = per_conn("act-create", proto, c, 400)
    # the registrations to activate, made through the API (not measured)
    files = reg_lines(min(c, 8), int(math.ceil(n * c / min(c, 8))), "actreg")
    answers = os.path.join(WORK, "req", "actreg.answers")
    p = subprocess.run([LOAD, "-g", "-u", A.url, "-U", USER, "-P",
                        USER_PW_FILE, "-m", "activationQrCodeData", "-w",
                        answers] + files, capture_output=True, text=True)
    if p.returncode != 0:
        die("registrations for activation create failed: " + p.stderr)
    codes = [json.loads(line)["activationQrCodeData"]
             for line in open(answers) if line.strip()][:n * c]
    cfile = write_lines(os.path.join(WORK, "req", "codes.txt"), codes)
    reqs = pa(GEN[proto], "activate-batch", cfile).splitlines()
    if len(reqs) != len(codes):
        die("activate-batch gave %d of %d" % (len(reqs), len(codes)))
    lines = [[] for _ in range(c)]
    for k, r in enumerate(reqs):
        hv, body = r.split("\t", 1)
        lines[k % c].append(generic(
            "POST", ENROLL + "/pa/v3/activation/create",
            ["X-PowerAuth-Encryption: " + hv,
             "Content-Type: application/json", "User-Agent: " + UA], body))
    files = [write_lines(fpath("act", i), lines[i]) for i in range(c)]
    return http_run("act-create", proto, c, files, match='"encryptedData"')


# name, protocols, function, DB-only mode of the same path
HTTP = [
    ("status", ["3.x"], m_status, "status"),
    ("token-verify", ["3.1", "3.3"], m_token, "token"),
    ("op-list", ["3.3"], m_list, "list"),
    ("sig-verify", ["3.1", "3.3"], m_sig, "verify"),
    ("sig-verify-miss", ["3.1", "3.3"], m_miss, "verify"),
    ("op-create", ["-"], m_opcreate, "opcreate"),
    ("op-approve", ["3.1", "3.3"], m_approve, "approve"),
    ("reg-create", ["-"], m_regcreate, "regcreate"),
    ("act-create", ["3.1", "3.3"], m_actcreate, "actcreate"),
]


# which side of the stack each path is on (for the plots)
SIDE = {"status": "mobile", "op-list": "mobile", "op-approve": "mobile",
        "act-create": "mobile", "token-verify": "cloud",
        "sig-verify": "cloud", "sig-verify-miss": "cloud",
        "op-create": "cloud", "reg-create": "cloud"}


# --- ceilings --------------------------------------------------------------

def dbb_run(mode, c, keys, extra=()):
    kf = write_lines(os.path.join(WORK, "req", "dbb-keys.txt"), keys)
    cmd = [DBB, "-c", CONF, "-m", mode, "-t", str(c), "-s", "%g" % SECS,
           "-f", kf] + list(extra)
    rc, vals, err, cpu, rss = measured(cmd)
    vals["requests"] = vals.get("ops", 0)
    return record("db", "db-" + mode, "-", c, vals, cpu, rss,
                  rc if not (rc == 1 and vals.get("exhausted") and
                             not vals.get("errors")) else 0, err)


def ceilings():
    seed_acts = [r[0] for r in sql_rows(
        "SELECT id FROM activation WHERE app_id = %s AND status = 3 "
        "ORDER BY id LIMIT %d" % (quote(SEED_APP), MAXC))]
    dev_acts = [d["id"] for d in DEVS["3.3"]]
    dev_toks = [d["token"] for d in DEVS["3.3"]]
    for c in LEVELS:
        m_empty(c, "-")
    for c in LEVELS:
        dbb_run("verify", c, seed_acts[:c])
    for c in LEVELS:
        dbb_run("token", c, dev_toks[:c])
    for c in LEVELS:
        dbb_run("list", c, dev_toks[:c])
    for c in LEVELS:
        dbb_run("status", c, dev_acts[:c])
    for c in LEVELS:
        dbb_run("opcreate", c, seed_acts[:c], ["-U", CALLER_ID])
    k = [0]
    for c in LEVELS:
        k[0] += 1
        n = int(est("db-approve", c, 2000) * SECS * 1.5) + c
        ops = pending_ops(["seed-user-1"], n, "dbonly-%d" % k[0])
        pool = write_lines(os.path.join(WORK, "req", "dbb-pool.txt"),
                           ops["seed-user-1"])
        dbb_run("approve", c, seed_acts[:c], ["-p", pool])
    for c in LEVELS:
        dbb_run("regcreate", c, ["dbb-reg"], ["-a", APP, "-U", CALLER_ID])
    # actcreate takes the registrations regcreate made, and reads a live
    # application-scope temporary key (as a 3.3 activation does)
    pa(GEN["3.3"], "activate-batch", os.devnull)
    key = sql_rows("SELECT id FROM temporary_key WHERE activation_id IS NULL"
                   " ORDER BY expires_at DESC LIMIT 1")
    for c in LEVELS:
        n = int(est("db-actcreate", c, 1500) * SECS * 1.5) + c
        codes = [r[0] for r in sql_rows(
            "SELECT activation_code FROM activation WHERE app_id = %s AND "
            "status = 1 AND user_id LIKE 'dbb-reg-%%' AND activation_code "
            "IS NOT NULL LIMIT %d" % (quote(APP), n))]
        if len(codes) < n:
            subprocess.run([DBB, "-c", CONF, "-m", "regcreate", "-t", "4",
                            "-s", "%g" % max(SECS, (n - len(codes)) / 500),
                            "-a", APP, "-U", CALLER_ID, "dbb-reg"],
                           capture_output=True, check=True)
            codes = [r[0] for r in sql_rows(
                "SELECT activation_code FROM activation WHERE app_id = %s "
                "AND status = 1 AND user_id LIKE 'dbb-reg-%%' AND "
                "activation_code IS NOT NULL LIMIT %d" % (quote(APP), n))]
        pool = write_lines(os.path.join(WORK, "req", "dbb-pool.txt"), codes)
        dbb_run("actcreate", c, ["-"], ["-a", APP, "-p", pool] +
                (["-k", key[0][0]] if key else []))


def est(name, c, default):
    prev = est_rate.get((name, "-"))
    return prev * 1.5 if prev else default


def openssl_speed():
    out = {}
    secs = "1" if QUICK else "3"
    for label, extra in (("1 process", []), ("%d processes" % NCPU,
                                             ["-multi", str(NCPU)])):
        p = subprocess.run(["openssl", "speed", "-seconds", secs] + extra +
                           ["ecdhp256"], capture_output=True, text=True)
        m = re.search(r"ecdh \(nistp256\)\s+\S+s\s+([\d.]+)", p.stdout)
        out[label] = float(m.group(1)) if m else 0.0
    log("openssl speed ecdhp256: %s" % out)
    return out


# --- report ----------------------------------------------------------------

def find(kind, name, proto, c):
    for r in results:
        if (r["kind"], r["name"], r["conns"]) == (kind, name, c) and \
                (proto is None or r["proto"] == proto):
            return r
    return None


def add_ratios():
    dbmode = {name: mode for name, _, _, mode in HTTP}
    for r in results:
        if r["kind"] != "http" or r["name"] == "empty":
            continue
        d = find("db", "db-" + dbmode.get(r["name"], ""), None, r["conns"])
        e = find("http", "empty", None, r["conns"])
        r["ceiling_db_rps"] = d["rps"] if d else 0
        r["ratio_db"] = r["rps"] / d["rps"] if d and d["rps"] else 0
        r["ceiling_empty_rps"] = e["rps"] if e else 0
        r["ratio_empty"] = r["rps"] / e["rps"] if e and e["rps"] else 0


def fmt(v, nd=1):
    if v is None or v == "":
        return "-"
    if isinstance(v, float):
        return ("%." + str(nd) + "f") % v
    return str(v)


def write_csv(path):
    cols = ["kind", "name", "proto", "conns", "requests", "seconds", "rps",
            "mean_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms", "errors"] + \
        ["cpu_%s_ms_per_req" % g for g in GROUPS + ["client"]] + \
        ["others_pct", "app_rss_kb", "ceiling_db_rps", "ratio_db",
         "ceiling_empty_rps", "ratio_empty"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for r in results:
            row = []
            for c in cols:
                k = c.replace("_ms_per_req", "")
                v = r.get(k, "")
                row.append(("%.4f" % v) if isinstance(v, float) else v)
            w.writerow(row)


def table(rows, with_ratios):
    h = ["path", "proto", "conns", "req/s", "p50 ms", "p99 ms", "errors",
         "nginx", "cloud", "enroll", "mariadbd", "client", "others %"]
    if with_ratios:
        h += ["x DB-only", "x empty"]
    out = ["| " + " | ".join(h) + " |",
           "|" + "|".join(["---"] * len(h)) + "|"]
    for r in rows:
        v = [r["name"], r["proto"], str(r["conns"]), fmt(r["rps"]),
             fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2), str(r["errors"]),
             fmt(r["cpu_nginx"], 3), fmt(r["cpu_cloud"], 3),
             fmt(r["cpu_enroll"], 3), fmt(r["cpu_mariadbd"], 3),
             fmt(r["cpu_client"], 3), fmt(r["others_pct"], 0)]
        if with_ratios:
            v += [fmt(r.get("ratio_db"), 2) if r.get("ratio_db") else "-",
                  fmt(r.get("ratio_empty"), 2) if r.get("ratio_empty")
                  else "-"]
        out.append("| " + " | ".join(v) + " |")
    return "\n".join(out)


def goals(ecdh):
    top_c = MAXC
    rows = []

    def g(label, value, goal, ok):
        rows.append("| %s | %s | %s | %s |" % (label, value, goal,
                                               "yes" if ok else "**no**"))

    for proto in ("3.1", "3.3"):
        r = find("http", "sig-verify", proto, top_c)
        if r:
            g("signature verify %s, %d conns: x DB-only" % (proto, top_c),
              fmt(r.get("ratio_db"), 2), ">= 0.6",
              r.get("ratio_db", 0) >= 0.6)
            g("signature verify %s, %d conns: p99" % (proto, top_c),
              fmt(r["p99_ms"], 1) + " ms", "<= 20 ms", r["p99_ms"] <= 20)
        r = find("http", "sig-verify-miss", proto, top_c)
        if r:
            g("look-ahead miss %s, %d conns: x DB-only" % (proto, top_c),
              fmt(r.get("ratio_db"), 2), ">= 0.4",
              r.get("ratio_db", 0) >= 0.4)
    for proto in ("3.1", "3.3"):
        r = find("http", "token-verify", proto, top_c)
        if r:
            g("token verify %s, %d conns: x DB-only" % (proto, top_c),
              fmt(r.get("ratio_db"), 2), ">= 0.6",
              r.get("ratio_db", 0) >= 0.6)
    for proto in ("3.1", "3.3"):
        best = max([r["rps"] for r in results if r["name"] == "act-create"
                    and r["proto"] == proto] or [0])
        if best:
            g("activation create %s (best level)" % proto,
              "%.0f/s" % best, ">= 1800/s", best >= 1800)
    for proto in ("3.1", "3.3"):
        r = find("http", "op-approve", proto, top_c)
        if r:
            g("operation approve %s, %d conns: x DB-only" % (proto, top_c),
              fmt(r.get("ratio_db"), 2), ">= 0.5",
              r.get("ratio_db", 0) >= 0.5)
    hwm = app_hwm()
    worst = max(list(hwm.values()) + list(Memory.peak.values()) + [0])
    g("largest app-tier process, VmHWM", "%.1f MB" % (worst / 1024),
      "<= 8 MB", worst <= 8 * 1024)
    tier = sum(hwm.values())
    g("app tier (workers + dispatcher), sum of VmHWM", "%.1f MB" % (
        tier / 1024), "<= 64 MB", tier <= 64 * 1024)
    g("app tier, peak of the sampled sum", "%.1f MB" % (
        Memory.peak_sum / 1024), "<= 64 MB", Memory.peak_sum <= 64 * 1024)
    return "\n".join(["| goal | measured | wanted | met |",
                      "|---|---|---|---|"] + rows)


def app_hwm():
    g = groups()
    out = {}
    for name in APP_TIER:
        for pid in g[name]:
            out[proc_label(name, pid, g[name])] = status_kb(pid, "VmHWM")
    return out


def plots():
    if shutil.which("gnuplot") is None:
        log("gnuplot not found: no plots")
        return []
    made = []
    http = [r for r in results if r["kind"] == "http"]
    series = []
    for r in http:
        key = (r["name"], r["proto"])
        if key not in series:
            series.append(key)
    dbs = []
    for r in results:
        if r["kind"] == "db" and r["name"] not in dbs:
            dbs.append(r["name"])

    def dat(name, keys, pick, col):
        path = os.path.join(WORK, "data", name + ".dat")
        with open(path, "w") as f:
            for k in keys:
                for r in sorted(pick(k), key=lambda x: x["conns"]):
                    f.write("%d %g\n" % (r["conns"], r[col]))
                f.write("\n\n")
        return path

    def label(k):
        return k[0] + ("" if k[1] in ("-", "3.x") else " " + k[1])

    def lines_plot(out, title, ylabel, path, labels, log_y=True):
        gp = ["set terminal svg size 960,600 dynamic noenhanced "
              "font 'sans,11'",
              "set output '%s'" % os.path.join(OUT, out),
              "set title '%s'" % title,
              "set xlabel 'concurrent connections'",
              "set ylabel '%s'" % ylabel,
              "set logscale x 2", "set xtics (%s)" % ", ".join(
                  str(c) for c in LEVELS),
              "set key outside right top", "set grid"]
        if log_y:
            gp.append("set logscale y")
        gp.append("plot " + ", ".join(
            "'%s' index %d using 1:2 with linespoints lw 2 title '%s'" % (
                path, i, lab) for i, lab in enumerate(labels)))
        p = subprocess.run(["gnuplot"], input="\n".join(gp) + "\n",
                           capture_output=True, text=True)
        if p.returncode != 0:
            log("gnuplot failed: " + p.stderr.strip()[:300])
        else:
            made.append(out)

    def sel(k):
        return [r for r in http if (r["name"], r["proto"]) == k]

    for side, title in (("cloud", "integration API (/powerauth-cloud)"),
                        ("mobile", "mobile API (/enrollment-server)")):
        keys = [k for k in series if SIDE.get(k[0]) == side or
                k[0] == "empty"]
        labs = [label(k) if k[0] != "empty" else
                "empty handler (ceiling)" for k in keys]
        lines_plot("throughput-%s.svg" % side, "Throughput, " + title,
                   "requests per second",
                   dat("thr-" + side, keys, sel, "rps"), labs)
        lines_plot("latency-p99-%s.svg" % side, "99th percentile "
                   "latency, " + title, "p99 (ms)",
                   dat("p99-" + side, keys, sel, "p99_ms"), labs)
    lines_plot("ceilings.svg", "Ceilings: empty handler and DB-only "
               "transactions", "requests (transactions) per second",
               dat("ceil", [("empty", "-")] + [(d, "-") for d in dbs],
                   lambda k: [r for r in results if r["name"] == k[0] and
                              r["kind"] in ("db", "http")], "rps"),
               ["empty handler (nginx + FastCGI)"] + dbs)
    # latency percentiles at the highest level, per path
    path = os.path.join(WORK, "data", "lat.dat")
    with open(path, "w") as f:
        for k in series:
            r = find("http", k[0], k[1], MAXC)
            if r:
                f.write('"%s" %g %g %g\n' % (label(k), r["p50_ms"],
                                               r["p90_ms"], r["p99_ms"]))
    gp = ["set terminal svg size 960,600 dynamic noenhanced font 'sans,11'",
          "set output '%s'" % os.path.join(OUT, "latency-%d.svg" % MAXC),
          "set title 'Latency percentiles at %d connections'" % MAXC,
          "set ylabel 'ms'", "set style data histogram",
          "set style histogram cluster gap 1", "set style fill solid 0.8",
          "set boxwidth 0.9", "set xtics rotate by -35", "set grid y",
          "set key top left", "set logscale y",
          "plot '%s' using 2:xtic(1) title 'p50', '' using 3 title 'p90', "
          "'' using 4 title 'p99'" % path]
    p = subprocess.run(["gnuplot"], input="\n".join(gp) + "\n",
                       capture_output=True, text=True)
    if p.returncode == 0:
        made.append("latency-%d.svg" % MAXC)
    else:
        log("gnuplot failed: " + p.stderr.strip()[:300])
    return made


def version(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (p.stdout + p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def machine():
    model = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = status_kb_file("/proc/meminfo", "MemTotal")
    return model, mem


def status_kb_file(path, key):
    for line in open(path):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def report(info, seed_info, ecdh, made):
    add_ratios()
    write_csv(os.path.join(OUT, "results.csv"))
    model, mem = machine()
    seed_secs, counts = seed_info
    keepalive = "?"
    try:
        text = open(os.path.join(VAR, "nginx", "nginx.conf")).read()
        m = re.search(r"upstream paserv_cloud\s*{[^}]*keepalive\s+(\d+)",
                      text)
        keepalive = m.group(1) if m else "?"
    except OSError:
        pass
    http = [r for r in results if r["kind"] == "http"
            and r["name"] != "empty"]
    ceil = [r for r in results if r["name"] == "empty" or
            r["kind"] == "db"]
    act = max([r["rps"] for r in results if r["name"] == "act-create"] or
              [0])
    L = []
    L.append("# paserv benchmark report (bench/run%s)" % (
        " --quick" if QUICK else ""))
    L.append("")
    L.append("Generated by `bench/run` on %s UTC from commit %s. "
             "doc/benchmarks.md explains how every figure is made."
             % (info["start"], info["commit"]))
    if QUICK:
        L.append("")
        L.append("**--quick run: tiny samples, a smoke test of the "
                 "harness; the figures mean little.**")
    if A.note:
        L.append("")
        L.append("**Note:** " + A.note)
    L.append("")
    L.append("## Set-up")
    L.append("")
    L.append("- Machine: %d CPUs (%s), %.1f GB RAM, %s; load average "
             "%s at the start, %s at the end. Load client, nginx, "
             "workers and MariaDB all on this one machine." % (
                 NCPU, model, mem / 1048576.0, info["kernel"],
                 info["load0"], info["load1"]))
    L.append("- Software: %s; %s; %s; %s." % (
        info["nginx"], info["mariadb"], info["openssl"], info["python"]))
    L.append("- Stack: %s; `workers.threads = %s`, nginx upstream "
             "`keepalive %s`, `log.level = %s`, `lookup.cache_ttl = %s`, "
             "MariaDB with etc/mariadb-paserv.cnf "
             "(`innodb_flush_log_at_trx_commit = 1`: every COMMIT "
             "flushed)." % (
                 "a sandbox started by bench/run" if A.sandbox else
                 "the running stack in " + VAR,
                 conf_value("workers.threads", "8"), keepalive,
                 conf_value("log.level", "info"),
                 conf_value("lookup.cache_ttl", "5")))
    L.append("- Each measurement: about %g s, closed loop (the next "
             "request leaves when the answer is in), concurrency levels "
             "%s." % (SECS, ", ".join(str(c) for c in LEVELS)))
    L.append("- Volume: %d rows each seeded into `activation`, `token` and "
             "`operation` in SQL (INSERT ... SELECT from MariaDB's "
             "sequence tables, in %.0f s; through the tables' triggers, "
             "so `event_outbox` got its rows too), plus %d activations "
             "made with pa-device (protocol 3.1 and 3.3, one token each) "
             "that the load uses. Row counts before the measurements: %s."
             % (SEED, seed_secs, 2 * MAXC, ", ".join(
                 "%s %d" % kv for kv in counts.items())))
    L.append("")
    L.append("## Goals")
    L.append("")
    L.append(goals(ecdh))
    L.append("")
    L.append("Activation create against the cryptography: `openssl speed "
             "ecdhp256` makes %.0f ECDH/s in one process and %.0f/s in %d; "
             "an activation costs the server about 3 ECDH (two ECIES "
             "envelopes and the key agreement), so the CPUs alone would "
             "allow about %.0f activations/s; the best measured rate is "
             "%.0f/s (%.2f of that)." % (
                 ecdh.get("1 process", 0),
                 ecdh.get("%d processes" % NCPU, 0), NCPU,
                 ecdh.get("%d processes" % NCPU, 0) / 3, act,
                 act / (ecdh.get("%d processes" % NCPU, 0) / 3)
                 if ecdh.get("%d processes" % NCPU) else 0))
    L.append("")
    L.append("## Paths through the whole stack")
    L.append("")
    L.append("CPU columns: milliseconds of CPU per request of each process "
             "group (nginx master + worker; paserv-cloud and paserv-enroll "
             "supervisor + responder; mariadbd; the load client), from "
             "/proc/<pid>/stat before and after the run. `others %`: "
             "busy time of the machine that none of these took, as a "
             "share of all CPUs (other tenants). `x DB-only`: throughput "
             "over the DB-only transaction of the same path at the same "
             "concurrency; `x empty`: over the empty handler.")
    L.append("")
    L.append(table(http, True))
    L.append("")
    L.append("## Ceilings")
    L.append("")
    L.append("`empty`: `GET /enrollment-server/actuator/ping` (nginx + "
             "FastCGI + a handler that touches no database). `db-*`: "
             "bench/db_baseline, the statements of one request of the path "
             "through the server's store functions, without HTTP or "
             "cryptography, one connection per thread (the client column "
             "is db_baseline).")
    L.append("")
    L.append(table(ceil, False))
    L.append("")
    L.append("## Memory")
    L.append("")
    L.append("`VmHWM` is the peak since the process started, so it also "
             "covers moments outside the measured runs (start-up, the "
             "set-up's API calls); the sampled column covers the runs "
             "only.")
    L.append("")
    L.append("| process | VmHWM (peak RSS since start) | peak sampled VmRSS "
             "|")
    L.append("|---|---|---|")
    hwm = app_hwm()
    for k in sorted(hwm):
        L.append("| %s | %.1f MB | %.1f MB |" % (
            k, hwm[k] / 1024.0, Memory.peak.get(k, 0) / 1024.0))
    L.append("| application tier (sum) | %.1f MB | %.1f MB (largest sum "
             "of one sample) |" % (sum(hwm.values()) / 1024.0,
                                   Memory.peak_sum / 1024.0))
    g = groups()
    for name in ("nginx", "mariadbd"):
        kb = sum(status_kb(p, "VmRSS") for p in g[name])
        L.append("| %s (for comparison, now) | - | %.1f MB |" % (
            name, kb / 1024.0))
    L.append("")
    if made:
        L.append("## Plots")
        L.append("")
        for m in made:
            L.append("![%s](%s)" % (m, m))
            L.append("")
    if failures:
        L.append("## Failed runs")
        L.append("")
        for tag, what in failures:
            L.append("- `%s`: %s" % (tag.strip(), what.replace("|", "/")))
        L.append("")
    L.append("Files: `results.csv` (every figure, per request CPU in "
             "ms), the plots above.")
    with open(os.path.join(OUT, "report.md"), "w") as f:
        f.write("\n".join(L) + "\n")


# --- main ------------------------------------------------------------------

def main():
    for b in (DEVICE, LOAD, DBB):
        if not os.access(b, os.X_OK):
            die("%s is not built" % b)
    info = {
        "start": datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M"),
        "commit": version(["git", "-C", TOP, "describe", "--always",
                           "--dirty"]),
        "kernel": version(["uname", "-sr"]),
        "nginx": version(["nginx", "-v"]),
        "mariadb": version(["mariadbd", "--version"]),
        "openssl": version(["openssl", "version"]),
        "python": "Python " + sys.version.split()[0],
        "load0": " ".join(open("/proc/loadavg").read().split()[:3]),
    }
    t0 = time.monotonic()
    for d in ("req", "dev", "data"):
        os.makedirs(os.path.join(WORK, d), exist_ok=True)
    setup()
    seed_info = seed()
    devices()
    ecdh = openssl_speed()
    ceilings()
    for name, protos, fn, _ in HTTP:
        if ONLY and name not in ONLY:
            continue
        for proto in protos:
            for c in LEVELS:
                fn(c, proto)
    info["load1"] = " ".join(open("/proc/loadavg").read().split()[:3])
    made = plots()
    report(info, seed_info, ecdh, made)
    log("done in %.0f s; %d runs, %d with failures; %s" % (
        time.monotonic() - t0, len(results), len(failures),
        os.path.join(OUT, "report.md")))
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        rc = main()
    except Exception:   # a fault of the harness, not a failed request
        import traceback
        traceback.print_exc()
        rc = 2
    sys.exit(rc)
