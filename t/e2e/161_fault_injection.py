#!/usr/bin/env python3
"""Fault injection on a real stack under load (issue 9, done-when 3).

A private stack (paserv_stack.py: its own MariaDB server, workers and
nginx) carries a steady load from six client threads: signature
verifications through /powerauth-cloud/v2/signature/verify (two phones)
and /enrollment-server/pa/v3/signature/validate (one phone), operations
created and approved on a phone, and registrations created. Then:

 1. kill -9 of responder processes (the child under each worker's
    supervisor, src/http/server.c), cloud and enroll in random order:
    only requests in flight at a kill fail, with nginx's JSON error page
    (502; 500 when the kill cut off the auth_request subrequest), never
    more than were in flight; nothing started after the process was gone
    fails; each worker answers again within 3 s.
 2. Lock-wait timeout: innodb_lock_wait_timeout set to 1 s on the server
    and rows held FOR UPDATE from another session (a registration, two
    operations, the application) while a verification, a validation, an
    approval, a BLOCK, a registration create and a cancel run: each
    answers a clean 503 JSON ERROR_GENERIC (after one lock wait, or three
    where the service runs the transaction again); the database is
    unchanged to the last row; sent again after the locks are gone, the
    very same requests succeed (the refused signatures were not consumed).
 3. MariaDB restarted under load the way scripts/stop and scripts/run do
    it (SIGTERM, start): 5xx JSON while it is away; the same worker
    processes reconnect; no 5xx for requests started 5 s after it is back.
 4. MariaDB killed (SIGKILL, crash recovery on start) under load: the same.

After each phase the committed state is checked against what the clients
were told: every approval answered 200 is APPROVED with exactly one
APPROVED event, no operation FAILED or with a failure counted; every
registration answered 200 exists, and every registration row has its
creation event; each phone's counter lies between its last accepted and
its last sent signature, with no failed attempt and no signature ever
answered invalid (the phones never send a signature twice: like a real
phone, the next one follows a failure, after a back-off). A request
refused by a worker may still have been done only when the worker lost
the answer to its write or COMMIT with the connection (it logs that;
src/store/db.c): there are never more such requests than such log lines.

Dispatcher crashes are covered by 121_webhook_delivery.py. Figures: the
"# phase" diagnostics and doc/fault-tolerance.md. PASERV_E2E_FAULTS names
the phases to run, in order (default "kill lock restart crash");
PASERV_E2E_SEED repeats a kill order.
"""
import http.client
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

if not e.URL:
    e.Tap(0)            # prints the skip line and exits
import paserv_stack  # noqa: E402

SEED = int(os.environ.get("PASERV_E2E_SEED", str(int(time.time()))))
rng = random.Random(SEED)
CLOUD = "/powerauth-cloud"
ENROLL = "/enrollment-server"
NGINX_MSG = "Service unavailable"      # nginx/paserv-local.conf.in
# A write or COMMIT whose answer the worker lost with the link (src/store/
# db.c): done or not, the worker cannot know; it answers 5xx and logs this.
LOST_ANSWER = re.compile(r"database unavailable: (commit|execute): "
                         r"(2013 )?Lost connection")
# Each load thread pauses this long between requests: a steady load that
# leaves the (2-CPU) machine some room for the tests running beside this one.
PACE = 0.01
RECOVERY_S = 3.0        # a killed responder answers again within this
DB_RECOVERY_S = 5.0     # no 5xx this long after MariaDB is back
work = tempfile.mkdtemp(prefix="paserv-e2e-fault-")
# No housekeeping job: its lease row and expiries would change the
# database during a phase that checks nothing changed.
stack = paserv_stack.Stack("faults", conf_extra="housekeeping.interval = 0")
t = None


def now():
    return time.monotonic()


# --- HTTP --------------------------------------------------------------------

class Client:
    """One keep-alive connection to nginx, reopened after a failure."""

    def __init__(self):
        host, port = e.URL.split("//", 1)[1].split(":")
        self.addr = (host, int(port))
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        """(status, json or None); status None on a transport error."""
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(*self.addr,
                                                       timeout=60)
            try:
                self.conn.request(method, path, body=data, headers=h)
                r = self.conn.getresponse()
                raw = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                try:
                    return r.status, json.loads(raw)
                except ValueError:
                    return r.status, None
            except (OSError, http.client.HTTPException):
                # A connection nginx closed while idle: once more, fresh.
                self.close()
                if attempt:
                    return None, None
        return None, None

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def code_of(j):
    try:
        if j.get("status") == "ERROR" and isinstance(
                j["responseObject"]["message"], str):
            return j["responseObject"]["code"]
    except (AttributeError, KeyError, TypeError):
        pass
    return None


# --- the load ------------------------------------------------------------------

class Rec:
    __slots__ = ("t0", "t1", "ctx", "kind", "status", "code", "msg", "ref",
                 "ok")

    def __init__(self, t0, t1, ctx, kind, status, j, ref, ok):
        self.t0, self.t1, self.ctx, self.kind = t0, t1, ctx, kind
        self.status, self.ref, self.ok = status, ref, ok
        self.code = code_of(j)
        self.msg = j["responseObject"]["message"] if self.code else None


class Load:
    """Client threads; every request recorded."""

    def __init__(self, fx, phase):
        self.fx = fx
        self.phase = phase
        self.recs = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.inflight = {"cloud": 0, "enroll": 0}
        self.threads = []
        self.serial = 0

    def record(self, t0, ctx, kind, status, j, ref, ok):
        with self.lock:
            self.recs.append(Rec(t0, now(), ctx, kind, status, j, ref, ok))

    def enter(self, ctx):
        with self.lock:
            self.inflight[ctx] += 1
        return now()

    def leave(self, ctx):
        with self.lock:
            self.inflight[ctx] -= 1

    def start(self):
        fx = self.fx
        for d in fx["cloud_devs"]:
            self.threads.append(threading.Thread(
                target=self.verifier, args=(d, "cloud")))
        self.threads.append(threading.Thread(
            target=self.verifier, args=(fx["enroll_dev"], "enroll")))
        self.threads.append(threading.Thread(target=self.approver))
        for i in range(2):
            self.threads.append(threading.Thread(target=self.creator,
                                                 args=(i,)))
        for th in self.threads:
            th.daemon = True
            th.start()

    def stop(self):
        self.deadline = now() + 30      # a thread retrying gives up then
        self.stopping.set()
        for th in self.threads:
            th.join(120)

    # Signature verifications: headers in counter order, as a phone makes
    # them. A failed request is never sent again (its outcome may be
    # unknown: lost in flight, or a COMMIT whose answer the worker lost);
    # the next header follows after a back-off (50 ms doubling up to 1 s),
    # which keeps the skipped counters within the look-ahead window.
    def verifier(self, dev, ctx):
        cl = Client()
        batch, base, pause = [], 0, 0.05
        while not (self.stopping.is_set() and (not batch or
                                                now() > self.deadline)):
            if not batch:
                base = dev["counter"]
                uri = "/login" if ctx == "cloud" else \
                    "/pa/signature/validate"
                out = dev["d"].run("sign-batch", "POST", uri, "10",
                                   "--body", "{}")[1].split("\n")
                batch = list(enumerate(out))
                dev["counter"] += len(out)
            k, h = batch[0]
            ctr = base + k
            t0 = self.enter(ctx)
            if ctx == "cloud":
                st, j = cl.call("POST", CLOUD + "/v2/signature/verify", {
                    "method": "POST", "uriId": "/login", "authHeader": h,
                    "requestBody": "e30="}, {"Authorization": self.fx[
                        "admin"]})
                ok = st == 200 and (j or {}).get("signatureValid") is True
            else:
                st, j = cl.call("POST", ENROLL + "/pa/v3/signature/validate",
                                b"{}", {"X-PowerAuth-Authorization": h})
                ok = st == 200
            self.leave(ctx)
            self.record(t0, ctx, "verify", st, j, (dev["rid"], ctr), ok)
            with self.lock:
                dev["sent"] = max(dev["sent"], ctr)
                if ok:
                    dev["last_ok"] = max(dev["last_ok"], ctr)
                if st == 200 and not ok:
                    dev["invalid"] += 1
            batch.pop(0)
            time.sleep(PACE)
            if ok:
                pause = 0.05
            else:
                time.sleep(pause)
                pause = min(1.0, pause * 2)
        cl.close()

    # Operations: created over the integration API, approved on a phone.
    # After a failure the phone waits a second, so that its signature
    # counter cannot run beyond the server's look-ahead window.
    def approver(self):
        cl = Client()
        fx = self.fx
        dev = fx["approver"]
        while not self.stopping.is_set():
            t0 = self.enter("cloud")
            st, j = cl.call("POST", CLOUD + "/v2/operations", {
                "userId": dev["user"], "appId": fx["app"],
                "template": "default.login"}, {"Authorization": fx["admin"]})
            self.leave("cloud")
            op = (j or {}).get("operationId") if st == 200 else None
            self.record(t0, "cloud", "op-create", st, j, op, op is not None)
            if op is None:
                time.sleep(0.3)
                continue
            t0 = self.enter("enroll")
            rc, out, err = dev["d"].run("op-approve", op, "A2")
            self.leave("enroll")
            m = re.match(r"^(\d{3}) (.*)$", out, re.S)
            st = int(m.group(1)) if m else None
            try:
                j = json.loads(m.group(2)) if m else None
            except ValueError:
                j = None
            self.record(t0, "enroll", "approve", st, j, op, st == 200)
            with self.lock:
                fx["ops"].append((op, st, self.phase))
            if st != 200:
                time.sleep(1.0)

    # Registrations for new users (one each: no "already in progress").
    def creator(self, i):
        cl = Client()
        fx = self.fx
        while not self.stopping.is_set():
            with self.lock:
                self.serial += 1
                user = "load-%s-%d-%d-%d" % (self.phase, id(self) % 9973, i,
                                             self.serial)
            t0 = self.enter("cloud")
            st, j = cl.call("POST", CLOUD + "/v2/registrations", {
                "userId": user, "appId": fx["app"]},
                {"Authorization": fx["admin"]})
            self.leave("cloud")
            rid = (j or {}).get("registrationId") if st == 200 else None
            self.record(t0, "cloud", "reg-create", st, j, user, rid is not None)
            with self.lock:
                fx["regs"].append((user, st, rid, self.phase))
            time.sleep(PACE)
            if st != 200:
                time.sleep(0.2)

    def summary(self):
        n = len(self.recs)
        bad = [r for r in self.recs if not r.ok]
        return "%d requests, %d not OK (%s)" % (n, len(bad), ", ".join(
            "%s %s" % kv for kv in sorted(count(
                "%s/%s" % (r.kind, r.status) for r in bad).items())))


def count(items):
    out = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return out


def wait_ok(load, ctx, since, timeout):
    """Seconds from since to the end of the first request of ctx that
    started after since and succeeded; None if none within timeout."""
    end = since + timeout
    while now() < end:
        with load.lock:
            got = [r.t1 for r in load.recs if r.ctx == ctx and r.ok and
                   r.t0 >= since]
        if got:
            return min(got) - since
        time.sleep(0.02)
    return None


# --- what the database must show ------------------------------------------------

def q(sql):
    return [r.split("\t") for r in stack.mysql(sql).strip().splitlines()]


def check_state(fx, label):
    """The committed state against what the clients were told."""
    # Phones: counters and failures.
    probs = []
    for dev in fx["cloud_devs"] + [fx["enroll_dev"]]:
        row = q("SELECT status, ctr, failed_attempts FROM activation WHERE "
                "id = '%s'" % dev["rid"])
        st, ctr, fails = (row[0] + ["?", "?", "?"])[:3] if row else \
            ("?", "-1", "?")
        if st != "3" or fails != "0" or dev["invalid"] or not (
                dev["last_ok"] + 1 <= int(ctr) <= dev["sent"] + 1):
            probs.append("%s: status %s ctr %s (last ok %d, last sent %d) "
                         "failed %s, %d answered invalid" % (
                             dev["rid"][:8], st, ctr, dev["last_ok"],
                             dev["sent"], fails, dev["invalid"]))
    t.ok(not probs, "%s: each phone's counter between its last accepted "
         "and last sent signature, no failed attempt, no signature "
         "answered invalid" % label, probs)
    # Operations. A 5xx from a worker means "not done", except when the
    # worker lost the answer to its COMMIT (MariaDB going away): then the
    # outcome is unknown to it, and it may be done. Either way it is whole.
    ops = dict(q("SELECT id, CONCAT(status, '/', failure_count) FROM "
                 "operation WHERE user_id = '%s'" % fx["approver"]["user"]))
    ev = dict(q("SELECT object_id, COUNT(*) FROM event_outbox WHERE type = "
                "'OPERATION' AND JSON_VALUE(payload, '$.status') = "
                "'APPROVED' GROUP BY object_id"))
    probs, unknown, n = [], {}, {"ok": 0, "refused": 0, "lost": 0}
    for op, st, ph in fx["ops"]:
        s = ops.get(op)
        whole = s == "2/0" and ev.get(op) == "1"
        if st == 200:
            n["ok"] += 1
            bad = not whole
        elif st in (500, 503):
            n["refused"] += 1
            if whole:
                unknown[ph] = unknown.get(ph, 0) + 1
            bad = not whole and s != "1/0"
        else:
            n["lost"] += 1
            bad = not whole and s != "1/0"
        if bad:
            probs.append((op, st, s, ev.get(op)))
    probs += [(op, None, s, None) for op, s in ops.items()
              if s not in ("1/0", "2/0")]
    t.ok(not probs, "%s: %d approvals answered 200 all APPROVED with one "
         "APPROVED event; %d refused by a worker and %d lost in flight "
         "PENDING or whole; none FAILED, no failure counted" % (
             label, n["ok"], n["refused"], n["lost"]), probs[:10])
    # Registrations.
    rows = {r[0]: r[1:] for r in q(
        "SELECT a.user_id, a.id, a.status, (SELECT COUNT(*) FROM "
        "event_outbox o WHERE o.object_id = a.id AND JSON_VALUE(o.payload, "
        "'$.activationStatus') = 'CREATED') FROM activation a WHERE "
        "a.user_id LIKE 'load-%'")}
    probs, n = [], {"ok": 0, "refused": 0}
    for u, st, rid, ph in fx["regs"]:
        row = rows.get(u)
        if st == 200:
            n["ok"] += 1
            if row != [rid, "1", "1"]:
                probs.append((u, st, row))
        elif st in (500, 503):
            n["refused"] += 1
            if row is not None:
                unknown[ph] = unknown.get(ph, 0) + 1
    probs += [(u, None, r) for u, r in rows.items() if r[1:] != ["1", "1"]]
    t.ok(not probs, "%s: %d registrations answered 200 all CREATED; every "
         "registration row whole (with its creation event)" % (
             label, n["ok"]), probs[:10])
    over = {ph: k for ph, k in unknown.items()
            if k > fx["lost_answers"].get(ph, 0)}
    t.ok(not over, "%s: refused by a worker but done (%s): never more "
         "than the writes and COMMITs whose answer a worker lost (%s)" % (
             label, per_phase(unknown), per_phase(fx["lost_answers"])),
         over)


def per_phase(d):
    return ", ".join("%s %d" % kv for kv in sorted(d.items())) or "none"


# --- set-up ----------------------------------------------------------------------

def setup():
    stack.start()
    stack.use()
    fx = {"admin": e.admin_auth(), "app": "fault-app", "ops": [],
          "regs": [], "lost_answers": {}}
    app = e.admin_post("/admin/applications", {"id": "fault-app"})
    if not app.get("mobileSdkConfig"):
        raise RuntimeError("no application")

    def phone(user, name):
        rid, d = e.active_device(app, user, work, name)
        st = (e.request("GET", CLOUD + "/v2/registrations/" + rid,
                        auth=fx["admin"]).json() or {}).get(
                            "registrationStatus")
        if st != "ACTIVE":
            raise RuntimeError("phone %s: %s %r" % (name, st, d.last))
        counter = json.load(open(d.state))["counter"]
        return {"d": d, "rid": rid, "user": user, "counter": counter,
                "sent": counter - 1, "last_ok": counter - 1, "invalid": 0}
    fx["cloud_devs"] = [phone("verify-%d" % i, "v%d" % i) for i in (1, 2)]
    fx["enroll_dev"] = phone("validate", "m1")
    fx["approver"] = phone("approver", "a1")
    fx["locked"] = phone("locked", "l1")
    return fx


def log_mark():
    """Sizes of the worker logs, for log_since()."""
    out = {}
    for n in ("cloud", "enroll"):
        try:
            out[n] = os.path.getsize(os.path.join(stack.var, "log",
                                                  n + ".log"))
        except OSError:
            out[n] = 0
    return out


def log_since(mark):
    text = ""
    for n, size in mark.items():
        with open(os.path.join(stack.var, "log", n + ".log"), "rb") as f:
            f.seek(size)
            text += f.read().decode("utf-8", "replace")
    return text


def responder(name):
    kids = stack.children(name)
    return kids[0] if kids else None


# --- 1. kill -9 of responder processes ---------------------------------------------

def phase_kill(fx):
    label = "kill -9"
    load = Load(fx, "kill")
    sup = {n: stack.pid(n) for n in ("cloud", "enroll")}
    kinds = ["cloud", "enroll", "cloud", "enroll"] + [
        rng.choice(["cloud", "enroll"]) for _ in range(2)]
    rng.shuffle(kinds)
    kills = []          # (name, pid, t_kill, t_dead, inflight, recovery)
    load.start()
    time.sleep(1.5)
    for name in kinds:
        pid = responder(name)
        if pid is None:
            time.sleep(0.5)
            pid = responder(name)
        with load.lock:
            before = load.inflight[name]
        t_kill = now()
        os.kill(pid, signal.SIGKILL)
        paserv_stack.wait_gone([pid], 5)
        t_dead = now()
        with load.lock:
            during = max(before, load.inflight[name])
        rec = wait_ok(load, name, t_dead, 10)
        kills.append((name, pid, t_kill, t_dead, during, rec))
        time.sleep(max(0.0, 1.2 - (now() - t_dead)))
    time.sleep(1.0)
    load.stop()
    new = {n: responder(n) for n in ("cloud", "enroll")}
    t.ok(all(stack.pid(n) == sup[n] for n in sup) and
         all(new[n] and new[n] not in [k[1] for k in kills]
             for n in new),
         "%s: %d kills (%s); the supervisors kept running and started new "
         "responders" % (label, len(kills), ", ".join(
             "%s %d" % kv for kv in sorted(count(k[0] for k in kills)
                                           .items()))),
         (sup, new, [(k[0], k[1]) for k in kills]))
    errs = [r for r in load.recs if not r.ok]
    # nginx's own error page: 502 for the request, 500 when it was the
    # auth_request subrequest (cloud) that the kill cut off.
    envelope = [r for r in errs if r.status not in (500, 502) or
                r.code != "ERROR_GENERIC" or r.msg != NGINX_MSG]
    t.ok(not envelope, "%s: %d requests failed (%s), each with nginx's "
         "JSON error page" % (label, len(errs), ", ".join(
             "%s %d" % kv for kv in sorted(count(
                 str(r.status) for r in errs).items()))),
         [(r.kind, r.status, r.code, r.msg) for r in envelope[:10]])
    late, per_kill = [], []
    for r in errs:
        owner = [k for k in kills if k[0] == r.ctx and r.t0 < k[3] and
                 r.t1 >= k[2]]
        if not owner:
            late.append(r)
    # In flight at a kill: every request of that worker between the kill
    # and the moment the process was gone, started before it was gone and
    # answered after the kill (on a busy machine the process takes a while
    # to die, and a request can start and fail in between, which the
    # counts taken just before the kill and just after the death miss).
    for k in kills:
        n = sum(1 for r in errs if r.ctx == k[0] and r.t0 < k[3] and
                r.t1 >= k[2])
        inflight = sum(1 for r in load.recs if r.ctx == k[0] and
                       r.t0 < k[3] and r.t1 >= k[2])
        per_kill.append((n, max(k[4], inflight)))
    t.ok(not late and all(n <= inflight for n, inflight in per_kill),
         "%s: only requests in flight at a kill failed (failed/in flight "
         "per kill: %s); none started after a responder died" % (
             label, " ".join("%d/%d" % x for x in per_kill)),
         [(r.kind, r.ctx, r.status, r.code, r.msg, "started %+.3f s, "
           "answered %+.3f s from the nearest kill of %s (died %+.3f s)" % (
               r.t0 - k[2], r.t1 - k[2], k[0], k[3] - k[2]))
          for r in late[:10] for k in [min(kills, key=lambda k: abs(
              k[2] - r.t0))]])
    recs = [k[5] for k in kills]
    t.ok(all(x is not None and x <= RECOVERY_S for x in recs),
         "%s: each worker answered again within %.0f s of the kill (max "
         "%.0f ms)" % (label, RECOVERY_S, 1000 * max(x or 99 for x in recs)),
         recs)
    t.diag("phase kill: %s; kills %d; failed per kill %s; recovery ms %s" % (
        load.summary(), len(kills), [n for n, _ in per_kill],
        [round(1000 * (x or 0)) for x in recs]))
    check_state(fx, label)


# --- 2. lock-wait timeout ------------------------------------------------------------

class Locker:
    """A root session holding row locks in an open transaction."""

    def __init__(self, sql):
        self.p = stack.session()
        self.p.stdin.write("BEGIN;\n%s\nSELECT 'locked';\n" % sql)
        self.p.stdin.flush()
        self.got = ""
        while "locked" not in self.got:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError("lock session ended: %s" % self.got)
            self.got += line

    def release(self):
        self.p.stdin.write("ROLLBACK;\n")
        self.p.stdin.close()
        self.p.wait(30)


def phase_lock(fx):
    label = "lock wait"
    stack.mysql("SET GLOBAL innodb_lock_wait_timeout = 1", root=True)
    # New sessions take the new value: end the workers' connections (each
    # reconnects on its next statement, outside a transaction).
    for (cid,) in q("SELECT id FROM information_schema.processlist WHERE "
                    "user = 'paserv' AND id <> CONNECTION_ID()"):
        try:
            stack.mysql("KILL CONNECTION %s" % cid, root=True)
        except paserv_stack.StackError:
            pass
    dev, appr = fx["locked"], fx["approver"]
    A = {"Authorization": fx["admin"]}
    op = (e.request("POST", CLOUD + "/v2/operations", body={
        "userId": appr["user"], "appId": fx["app"],
        "template": "default.login"}, auth=fx["admin"]).json() or {}).get(
            "operationId", "")
    op2 = (e.request("POST", CLOUD + "/v2/operations", body={
        "userId": dev["user"], "appId": fx["app"],
        "template": "default.login"}, auth=fx["admin"]).json() or {}).get(
            "operationId", "")
    hs = dev["d"].run("sign-batch", "POST", "/login", "1", "--body",
                      "{}")[1].split("\n")
    hv = dev["d"].run("sign-batch", "POST", "/pa/signature/validate", "1",
                      "--body", "{}")[1].split("\n")
    reqs = [
        ("signature verify", "POST", CLOUD + "/v2/signature/verify",
         {"method": "POST", "uriId": "/login", "authHeader": hs[0],
          "requestBody": "e30="}, A, 1),
        ("signature validate", "POST", ENROLL + "/pa/v3/signature/validate",
         b"{}", {"X-PowerAuth-Authorization": hv[0]}, 1),
        ("registration BLOCK", "PUT", CLOUD + "/v2/registrations/" +
         dev["rid"], {"change": "BLOCK"}, A, 3),
        ("registration create", "POST", CLOUD + "/v2/registrations",
         {"userId": "lock-new", "appId": fx["app"]}, A, 1),
        ("operation cancel", "DELETE", CLOUD + "/v2/operations/" + op2,
         None, A, 3),
    ]
    before = stack.checksum()
    lk = Locker("SELECT id FROM activation WHERE id = '%s' FOR UPDATE; "
                "SELECT id FROM operation WHERE id IN ('%s', '%s') FOR "
                "UPDATE; SELECT id FROM app WHERE id = '%s' FOR UPDATE;"
                % (dev["rid"], op, op2, fx["app"]))
    answers = {}

    def run(item):
        name, m, p, body, h, _ = item
        t0 = now()
        r = e.request(m, p, body=body, headers=h, timeout=60)
        answers[name] = (r, now() - t0)

    def approve():
        t0 = now()
        answers["operation approve"] = (appr["d"].run("op-approve", op,
                                                      "A2"), now() - t0)
    ths = [threading.Thread(target=run, args=(x,)) for x in reqs]
    ths.append(threading.Thread(target=approve))
    for th in ths:
        th.start()
    for th in ths:
        th.join(60)
    after = stack.checksum()
    lk.release()
    for name, m, p, body, h, tries in reqs:
        r, took = answers.get(name, (None, 0))
        t.ok(r is not None and r.status == 503 and
             r.error_code() == "ERROR_GENERIC" and
             (r.header("Content-Type") or "").startswith("application/json")
             and took >= 0.9 * tries,
             "%s: %s while its row is locked: 503 JSON ERROR_GENERIC after "
             "%.1f s (%d lock wait%s of 1 s)" % (
                 label, name, took, tries, "s" if tries > 1 else ""), r)
    (rc, out, err), took = answers.get("operation approve",
                                       ((1, "", ""), 0))
    t.ok(out.startswith("503 ") and '"ERROR_GENERIC"' in out,
         "%s: operation approve on the phone while its operation is locked:"
         " 503 JSON ERROR_GENERIC after %.1f s" % (label, took), (out, err))
    diff = sorted(k for k in before if before[k] != after.get(k))
    t.ok(not diff, "%s: nothing written, to the last row of every table"
         % label, diff)
    # Once the locks are gone the very same requests succeed.
    again = []
    for name, m, p, body, h, _ in reqs:
        r = e.request(m, p, body=body, headers=h)
        good = r.status == 200 and (r.json() or {}).get(
            "signatureValid", True) is True
        again.append((name, r.status) if not good else None)
    x = appr["d"].exchanges("/api/auth/token/app/operation/authorize")
    r = e.resend(x[-1]) if x else None
    if r is None or r.status != 200:
        again.append(("operation approve", r))
    st = dict(q("SELECT id, status FROM operation WHERE id IN ('%s', '%s')"
                % (op, op2)))
    t.ok(not [a for a in again if a] and st == {op: "2", op2: "4"},
         "%s: after the locks, the same requests (the same signatures) "
         "succeed: not consumed by the refusals" % label, (again, st))
    e.request("PUT", CLOUD + "/v2/registrations/" + dev["rid"],
              body={"change": "UNBLOCK"}, auth=fx["admin"])
    stack.mysql("SET GLOBAL innodb_lock_wait_timeout = 10", root=True)
    t.diag("phase lock: " + ", ".join("%s %.1f s" % (k, v[1])
                                      for k, v in sorted(answers.items())))


# --- 3./4. MariaDB restarted, MariaDB crashed ------------------------------------------

def phase_db(fx, crash):
    label = "MariaDB %s" % ("killed" if crash else "restarted")
    kids = {n: stack.pid(n) for n in ("cloud", "enroll")}
    kids.update({n + "/responder": responder(n) for n in ("cloud",
                                                          "enroll")})
    phase = "crash" if crash else "restart"
    runs = sum(1 for k in fx["lost_answers"] if k.startswith(phase))
    phase += str(runs + 1) if runs else ""
    load = Load(fx, phase)
    mark = log_mark()
    load.start()
    time.sleep(1.5)
    t_down = now()
    if crash:
        stack.db_kill()
    else:
        stack.db_stop()
    t_stopped = now()
    stack.db_start()
    t_up = now()
    time.sleep(DB_RECOVERY_S + 2.0)
    load.stop()
    fx["lost_answers"][phase] = len(LOST_ANSWER.findall(log_since(mark)))
    errs = [r for r in load.recs if not r.ok]
    bad_env = [r for r in errs if r.status is None or r.status < 500 or
               r.code is None]
    t.ok(not bad_env, "%s: %d requests failed while it was away, each a "
         "5xx JSON error envelope" % (label, len(errs)),
         [(r.kind, r.status, r.code) for r in bad_env[:10]])
    late = [r for r in errs if r.t0 >= t_up + DB_RECOVERY_S]
    last = max([r.t1 for r in errs] or [t_up])
    ok_after = [r for r in load.recs if r.ok and r.t0 >= t_up +
                DB_RECOVERY_S]
    t.ok(not late and len(ok_after) > 10,
         "%s: no 5xx for requests started %.0f s after it was back (the "
         "last failure ended at %+.2f s; %d requests succeeded after)" % (
             label, DB_RECOVERY_S, last - t_up, len(ok_after)),
         [(r.kind, r.status, r.code, round(r.t0 - t_up, 2))
          for r in late[:10]])
    same = {n: stack.pid(n) for n in ("cloud", "enroll")}
    same.update({n + "/responder": responder(n) for n in ("cloud",
                                                          "enroll")})
    t.eq(same, kids, "%s: the same worker processes reconnected (none "
         "died or was restarted)" % label)
    t.diag("phase %s: %s; down %.2f s (stop %.2f s), last failure ended "
           "at %+.2f s from it being back; %d answers to writes lost" % (
               phase, load.summary(), t_up - t_down, t_stopped - t_down,
               last - t_up, fx["lost_answers"][phase]))
    check_state(fx, label)


def main():
    global t
    try:
        fx = setup()
    except (RuntimeError, OSError, ValueError, KeyError,
            paserv_stack.StackError) as ex:
        t = e.Tap(1)
        t.ok(False, "private stack and phones set up", repr(ex))
        return
    t = e.Tap(PLAN)
    t.diag("seed %d (PASERV_E2E_SEED repeats the kill order); stack up in "
           "%.1f s" % (SEED, stack.start_seconds))
    for name in PHASES:
        PHASE_FN[name](fx)


PHASE_FN = {"kill": phase_kill, "lock": phase_lock,
            "restart": lambda fx: phase_db(fx, crash=False),
            "crash": lambda fx: phase_db(fx, crash=True)}
PHASE_CHECKS = {"kill": 4 + 4, "lock": 5 + 1 + 1 + 1, "restart": 3 + 4,
                "crash": 3 + 4}
# PASERV_E2E_FAULTS: the phases to run, in order (default: all).
PHASES = os.environ.get("PASERV_E2E_FAULTS", "kill lock restart crash") \
    .split()
PLAN = sum(PHASE_CHECKS[p] for p in PHASES)
started = now()
try:
    main()
finally:
    if t is None or t.failed or t.n != t.plan:
        stack.failed = True         # keep its logs
    stack.stop()
    shutil.rmtree(work, ignore_errors=True)
if t is not None:
    t.diag("fault injection: %.1f s" % (now() - started))
    t.done()
