#!/usr/bin/env python3
"""Webhook delivery by paserv-dispatch (doc/webhooks.md "Delivery"), with
local receivers on 127.0.0.1: a registration's life (create, key exchange,
commit, block, remove) and an operation's (create, approve) reach the
receiver in order, cut to the selected attributes, with a signature that
verifies; a receiver down for a while (PASERV_E2E_DOWN_SECONDS, default
120) then up gets every event, duplicates only with the same webhook-id;
the dispatcher killed with SIGKILL mid-delivery and started again: the
same; a receiver that hangs and one that answers 500 forever do not delay
another receiver's events; an event whose attempts are used up is FAILED
and stays queryable; the circuit breaker opens after failures in a row;
two dispatchers at once send each event once; GET /admin/webhooks shows
the queue and the dispatchers' figures; housekeeping purges deliveries
past their retention and old events."""
import base64
import hashlib
import hmac
import http.server
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(28)
A = e.admin_auth()
REG = "/powerauth-cloud/v2/registrations"
OPS = "/powerauth-cloud/v2/operations"
DOWN = int(os.environ.get("PASERV_E2E_DOWN_SECONDS", "120"))
work = tempfile.mkdtemp(prefix="paserv-e2e-wh-")


class Receiver:
    """An HTTP server recording every POST; mode: ok, fail, hang, slow."""

    def __init__(self, port=0, mode="ok"):
        self.mode = mode
        self.got = []
        self.lock = threading.Lock()
        rec = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with rec.lock:
                    rec.got.append((dict(self.headers.items()), body,
                                    rec.mode))
                if rec.mode == "hang":
                    time.sleep(30)
                    return
                if rec.mode == "slow":
                    time.sleep(1.5)
                code = 500 if rec.mode == "fail" else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class S(http.server.ThreadingHTTPServer):
            request_queue_size = 128    # the dispatcher connects 8 at once

        self.srv = S(("127.0.0.1", port), H)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        self.thread = threading.Thread(target=self.srv.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self):
        return "http://127.0.0.1:%d/hook" % self.port

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()

    def events(self, mode=None):
        with self.lock:
            return [(h, json.loads(b)) for h, b, m in self.got
                    if mode is None or m == mode]


def callback(app_id, url, type_, attributes, **extra):
    body = {"name": "hook-" + secrets.token_hex(3), "type": type_,
            "callbackUrl": url, "attributes": attributes}
    body.update(extra)
    r = e.request("POST", "/powerauth-cloud/v2/admin/applications/%s/"
                  "callbacks" % app_id, body=body, auth=A)
    if r.status != 200:
        t.diag("callback: %r" % r)
    return r.json() or {}


def dispatcher_alive():
    """The dispatcher of the pid file runs (a zombie does not count)."""
    try:
        with open(os.path.join(e.VAR, "run", "dispatch.pid")) as f:
            pid = int(f.read().strip())
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, ValueError, IndexError):
        return False


def wait_for(cond, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def verify(headers, raw, secret_b64):
    key = base64.b64decode(secret_b64)
    msg = ("%s.%s." % (headers.get("webhook-id"),
                       headers.get("webhook-timestamp"))).encode() + raw
    want = "v1," + base64.b64encode(hmac.new(key, msg, hashlib.sha256)
                                    .digest()).decode()
    return hmac.compare_digest(want, headers.get("webhook-signature", ""))


def raw_bodies(rcv):
    with rcv.lock:
        return [(h, b) for h, b, _ in rcv.got]


def statuses(rcv, key, oid):
    return [b.get(key) for _, b in rcv.events()
            if b.get("activationId", b.get("operationId")) == oid]


# 1. A registration's life, in order, signed, cut to the attributes.
app = e.new_app("e2e-wh-", t)
app_id = app.get("id", "")
rcv = Receiver()
cb = callback(app_id, rcv.url(), "REGISTRATION_STATUS_CHANGE",
              ["activationStatus", "userId"])
ocb = callback(app_id, rcv.url(), "OPERATION_STATUS_CHANGE",
               ["status", "operationType"])
user = "wh-user-" + secrets.token_hex(3)
c = e.request("POST", REG, body={"userId": user, "appId": app_id,
                                 "commitPhase": "ON_COMMIT"}, auth=A).json()
rid = (c or {}).get("registrationId", "")
d = e.Device(work, "phone")
d.setup(app.get("mobileSdkConfig", ""), "3.3")
d.activate((c or {}).get("activationQrCodeData", ""))
e.request("POST", REG + "/%s/commit" % rid, body={}, auth=A)
e.request("PUT", REG + "/" + rid, body={"change": "BLOCK"}, auth=A)
e.request("DELETE", REG + "/" + rid, auth=A)
want = ["CREATED", "PENDING_COMMIT", "ACTIVE", "BLOCKED", "REMOVED"]
wait_for(lambda: len(statuses(rcv, "activationStatus", rid)) >= 5, 15)
t.eq(statuses(rcv, "activationStatus", rid), want,
     "registration: five callbacks in the order of the changes")
bodies = [b for _, b in rcv.events() if b.get("activationId") == rid]
t.eq(sorted(bodies[0].keys()) if bodies else None,
     ["activationId", "activationStatus", "type", "userId"],
     "body: type, id and the selected attributes only")
t.eq((bodies[0].get("type"), bodies[0].get("userId")) if bodies else None,
     ("ACTIVATION", user), "body: type ACTIVATION, the user")
mine = [(h, b) for h, b in raw_bodies(rcv)
        if json.loads(b).get("activationId") == rid]
t.ok(mine and all(verify(h, b, cb.get("secret", "")) for h, b in mine),
     "every callback carries a valid webhook-signature")
t.ok(len({h.get("webhook-id") for h, _ in mine}) == 5,
     "each event its own webhook-id")
t.ok(all(h.get("Content-Type") == "application/json" for h, _ in mine),
     "Content-Type application/json")

# 2. An operation: created, approved.
rid2, d2 = e.active_device(app, user + "-op", work, "phone2", "3.3", t)
op = e.request("POST", OPS, body={"userId": user + "-op", "appId": app_id,
                                  "template": "default.login"},
               auth=A).json() or {}
oid = op.get("operationId", "")
d2.run("op-approve", oid, "A2")
wait_for(lambda: len(statuses(rcv, "status", oid)) >= 2, 15)
t.eq(statuses(rcv, "status", oid), ["PENDING", "APPROVED"],
     "operation: PENDING then APPROVED")
ob = [b for _, b in rcv.events() if b.get("operationId") == oid]
t.eq(sorted(ob[0].keys()) if ob else None,
     ["operationId", "operationType", "status", "type"],
     "operation body: type OPERATION with the selected attributes")
t.ok(all(verify(h, b, ocb.get("secret", "")) for h, b in raw_bodies(rcv)
         if json.loads(b).get("operationId") == oid),
     "operation callbacks signed with their callback's secret")
rcv.stop()

# 3. A receiver down for a while, then up: every event, none lost.
app3 = e.new_app("e2e-wh-down-", t)
down = Receiver()
port = down.port
down.stop()
cb3 = callback(app3.get("id"), "http://127.0.0.1:%d/hook" % port,
               "REGISTRATION_STATUS_CHANGE", ["activationStatus"],
               maxAttempts=1000, initialBackoff=200, maxBackoff=2000)
ids3 = []
for i in range(10):
    r = e.request("POST", REG, body={"userId": "down-%d" % i,
                                     "appId": app3.get("id")}, auth=A)
    ids3.append((r.json() or {}).get("registrationId"))
time.sleep(DOWN)
up = Receiver(port)
got_all = wait_for(lambda: {b.get("activationId") for _, b in
                            up.events()} >= set(ids3), 30)
t.ok(got_all, "receiver down %d s, then up: all 10 events arrive" % DOWN)
ev = up.events()
t.ok(len({h.get("webhook-id") for h, _ in ev}) ==
     len({(b.get("activationId"), b.get("activationStatus"))
          for _, b in ev}), "duplicates only with the same webhook-id")
# (The dispatcher records DELIVERED after the receiver answered: wait for
# the commit, which on a Galera cluster may come from another node.)
q = ("SELECT COUNT(*) FROM callback_delivery WHERE callback_id = '%s'"
     " AND status = 2" % cb3.get("id"))
wait_for(lambda: e.mysql(q).strip() == "10", 10)
t.eq(e.mysql(q).strip(), "10", "DB: 10 deliveries DELIVERED")
up.stop()

# 4. The dispatcher killed (SIGKILL) mid-delivery, started again.
app4 = e.new_app("e2e-wh-kill-", t)
slow = Receiver(mode="slow")
callback(app4.get("id"), slow.url(), "REGISTRATION_STATUS_CHANGE",
         ["activationStatus"], initialBackoff=200, maxBackoff=1000)
ids4 = [(e.request("POST", REG, body={"userId": "kill-%d" % i, "appId":
                                     app4.get("id")}, auth=A).json() or {})
        .get("registrationId") for i in range(5)]
wait_for(lambda: len(slow.events()) >= 1, 10)
pidfile = os.path.join(e.VAR, "run", "dispatch.pid")
with open(pidfile) as f:
    pid = int(f.read().strip())
os.kill(pid, signal.SIGKILL)
time.sleep(0.5)
t.ok(not dispatcher_alive(), "dispatcher killed mid-delivery")
slow.mode = "ok"
log = open(os.path.join(e.VAR, "log", "dispatch.log"), "ab")
p = subprocess.Popen([os.path.join(os.path.dirname(e.ADMIN_BIN),
                                   "paserv-dispatch"), "-c", e.CONF],
                     stdin=subprocess.DEVNULL, stdout=log, stderr=log)
with open(pidfile, "w") as f:
    f.write("%d\n" % p.pid)
t.ok(wait_for(lambda: {b.get("activationId") for _, b in slow.events()}
              >= set(ids4), 30),
     "after the restart every event arrives (claims lapse and are retried)")
ev = slow.events()
t.ok(len({h.get("webhook-id") for h, _ in ev}) == len(ids4),
     "repeats carry the webhook-id of the first attempt")
slow.stop()

# 5. A hanging receiver and a failing one do not delay a third.
apps = [e.new_app("e2e-wh-%s-" % m, t) for m in ("hang", "fail", "ok")]
rx = [Receiver(mode=m) for m in ("hang", "fail", "ok")]
cbs = [callback(a.get("id"), r.url(), "REGISTRATION_STATUS_CHANGE",
                ["activationStatus"], maxAttempts=3, initialBackoff=100,
                maxBackoff=200) for a, r in zip(apps, rx)]
for a in apps[:2]:
    for i in range(20):
        e.request("POST", REG, body={"userId": "busy-%d" % i,
                                     "appId": a.get("id")}, auth=A)
time.sleep(0.5)
t0 = time.time()
ok_ids = [(e.request("POST", REG, body={"userId": "fast-%d" % i, "appId":
                                       apps[2].get("id")}, auth=A).json()
           or {}).get("registrationId") for i in range(5)]
fast = wait_for(lambda: {b.get("activationId") for _, b in rx[2].events()}
                >= set(ok_ids), 10)
t.ok(fast and time.time() - t0 < 5,
     "a third receiver gets its events while the others hang or fail "
     "(%.1f s)" % (time.time() - t0))
t.ok(len(rx[0].events()) >= 1 and len(rx[1].events()) >= 1,
     "the hanging and the failing receivers were tried")
# 500 forever with maxAttempts 3: FAILED, queryable.
wait_for(lambda: e.mysql("SELECT COUNT(*) FROM callback_delivery WHERE"
                         " callback_id = '%s' AND status = 3"
                         % cbs[1].get("id")).strip() == "20", 30)
r = e.request("GET", "/powerauth-cloud/v2/admin/applications/%s/callbacks/"
              "%s/deliveries?status=FAILED" % (apps[1].get("id"),
                                               cbs[1].get("id")), auth=A)
dl = (r.json() or {}).get("deliveries", [])
t.eq((r.status, len(dl), {x.get("attempts") for x in dl}),
     (200, 20, {3}), "500 forever: 20 FAILED after 3 attempts, listed")
t.eq({x.get("lastStatus") for x in dl}, {500}, "their last status: 500")
# The breaker: 20 failures in a row (dispatch.breaker_failures) open it.
br = e.mysql("SELECT failures_in_row >= 20, breaker_until IS NOT NULL FROM"
             " callback WHERE id = '%s'" % cbs[1].get("id")).split()
t.eq(br, ["1", "1"], "failing receiver: circuit breaker opened")
for r_ in rx:
    r_.mode = "ok"
    r_.stop()
t.ok(dispatcher_alive(), "the dispatcher is still running")

# 6. Two dispatchers at once: each event is sent once.
app6 = e.new_app("e2e-wh-two-", t)
two = Receiver()
cb6 = callback(app6.get("id"), two.url(), "REGISTRATION_STATUS_CHANGE",
               ["activationStatus"])
second = subprocess.Popen([os.path.join(os.path.dirname(e.ADMIN_BIN),
                                        "paserv-dispatch"), "-c", e.CONF],
                          stdin=subprocess.DEVNULL, stdout=log, stderr=log)
e.mysql("INSERT INTO event_outbox (event_id, type, app_id, object_id,"
        " payload, created_at) SELECT UUID(), 'ACTIVATION', '%s', UUID(),"
        " JSON_OBJECT('type', 'ACTIVATION', 'activationId', UUID()),"
        " UTC_TIMESTAMP(3) FROM seq_1_to_300" % app6.get("id"))
wait_for(lambda: e.mysql("SELECT COUNT(*) FROM callback_delivery WHERE"
                         " callback_id = '%s' AND status = 2"
                         % cb6.get("id")).strip() == "300", 60)
second.send_signal(signal.SIGTERM)
second.wait(timeout=30)
with two.lock:
    ids6 = [h.get("webhook-id") for h, _, _ in two.got]
t.ok(len(ids6) == 300 and len(set(ids6)) == 300,
     "two dispatchers, 300 events: 300 requests, no event sent twice "
     "(%d requests, %d distinct)" % (len(ids6), len(set(ids6))))
t.eq(second.returncode, 0, "the second dispatcher stops cleanly on SIGTERM")
two.stop()

# 7. Figures for the administrator (dispatchers report every 5 s).
time.sleep(5.5)
r = e.request("GET", "/powerauth-cloud/admin/webhooks", auth=A)
st = r.json() or {}
q = st.get("queue", {})
t.ok(r.status == 200 and {"pending", "due", "failed", "oldestDueAgeMs"} <=
     set(q) and q.get("failed", 0) >= 20, "GET /admin/webhooks: the queue "
     "with the given-up deliveries", st)
now_ms = time.time() * 1000
live = [x for x in st.get("dispatchers", [])
        if now_ms - x.get("timestampReported", 0) < 15000]
t.ok(live and live[0].get("delivered", 0) >= 5 and
     "latencyP99Ms" in live[0], "a dispatcher reported within 15 s, "
     "with its deliveries and latency", st.get("dispatchers"))
U = e.new_user("e2e-wh-u-", app_id, t)
t.eq(e.request("GET", "/powerauth-cloud/admin/webhooks", auth=U).status,
     403, "integration users: 403")

# 8. Retention: finished deliveries past it and old events go.
cid = cbs[1].get("id")
e.mysql("UPDATE callback SET retention_s = 3600 WHERE id = '%s'" % cid)
e.mysql("UPDATE callback_delivery SET finished_at = UTC_TIMESTAMP(3) -"
        " INTERVAL 2 HOUR WHERE callback_id = '%s' AND status = 3" % cid)
quiet = e.new_app("e2e-wh-old-", t)     # no callbacks: no deliveries
old_ev = str(__import__("uuid").uuid4())
e.mysql("INSERT INTO event_outbox (event_id, type, app_id, object_id,"
        " payload, created_at) VALUES ('%s', 'ACTIVATION', '%s', UUID(),"
        " '{}', UTC_TIMESTAMP(3) - INTERVAL 31 DAY), (UUID(), 'ACTIVATION',"
        " '%s', UUID(), '{}', UTC_TIMESTAMP(3) - INTERVAL 29 DAY)"
        % (old_ev, quiet.get("id"), quiet.get("id")))
for _ in range(20):
    p = subprocess.run([e.ADMIN_BIN, "-c", e.CONF, "housekeeping"],
                       capture_output=True, text=True)
    if "taken" in p.stdout:
        break
    time.sleep(0.5)
t.eq(e.mysql("SELECT COUNT(*) FROM callback_delivery WHERE callback_id ="
             " '%s'" % cid).strip(), "0",
     "FAILED deliveries past the callback's retention purged")
t.eq(e.mysql("SELECT event_id = '%s' FROM event_outbox WHERE app_id ="
             " '%s'" % (old_ev, quiet.get("id"))).split(), ["0"],
     "events: the one of 31 days purged, the one of 29 days kept")
t.done()
