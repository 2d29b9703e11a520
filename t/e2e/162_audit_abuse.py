#!/usr/bin/env python3
"""The audit log, the failure limits per client address and the limits on
pending items (doc/security.md):

- verifications, registration changes, admin actions and refused Basic
  authentication leave audit rows (who, what, outcome, from where), which
  GET /admin/audit filters and pages; the table refuses UPDATE and the
  deletion of young rows;
- 10,000 wrong signatures against one activation, sent straight to the
  worker from one address: the activation is blocked after
  signature.max_failed of them, none is accepted, and another user's
  phone keeps working meanwhile;
- activation-code guessing from one address (real ECIES requests made by
  pa-device, through a small proxy that sets the client address) is
  answered 429 once abuse.activation_failures is reached, while another
  address still activates;
- failed Basic authentication from one address is answered 429 once
  abuse.auth_failures is reached, even with the right password;
- limits.pending_registrations and limits.pending_operations answer 429
  ERROR_LIMIT_EXCEEDED and write nothing."""
import http.server
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(33)
A = e.admin_auth()
work = tempfile.mkdtemp(prefix="paserv-e2e-audit-")
# Client addresses of this run (198.18.0.0/15: benchmarking, never real),
# fresh each run: the counters of a window outlive a run.
_net = "198.%d.%d." % (18 + secrets.randbelow(2), secrets.randbelow(256))
ADDR_SIG, ADDR_GUESS, ADDR_OTHER, ADDR_AUTH, ADDR_AUTH2 = (
    _net + str(n) for n in (1, 2, 3, 4, 5))


def conf(key, dflt):
    """A key of the sandbox's configuration (scripts/test's file)."""
    try:
        with open(e.CONF) as f:
            for line in f:
                k, _, v = line.partition("=")
                if k.strip() == key:
                    return int(v.strip())
    except (OSError, ValueError):
        pass
    return dflt


MAX_FAILED = conf("signature.max_failed", 5)
ACT_LIMIT = conf("abuse.activation_failures", 20)
AUTH_LIMIT = conf("abuse.auth_failures", 20)
PENDING_REG = conf("limits.pending_registrations", 10)
PENDING_OPS = conf("limits.pending_operations", 100)


def audit(query):
    r = e.request("GET", "/powerauth-cloud/admin/audit?" + query, auth=A)
    return r.status, (r.json() or {})


def audit_wait(query, pred, seconds=5.0):
    """Rows are written in batches shortly after the request: poll."""
    deadline = time.time() + seconds
    while True:
        st, body = audit(query)
        rows = body.get("events", []) if st == 200 else []
        if pred(rows) or time.time() > deadline:
            return st, rows
        time.sleep(0.1)


app = e.new_app("e2e-audit-", t)
app_id = app.get("id", "")
alice = "alice-" + secrets.token_hex(3)
bob = "bob-" + secrets.token_hex(3)
reg_a, dev_a = e.active_device(app, alice, work, "a", tap=t)
reg_b, dev_b = e.active_device(app, bob, work, "b", tap=t)
integ = e.new_user("e2e-audit-u-", app_id, t)

# --- audit rows of verifications ------------------------------------------
good = dev_a.run("sign", "POST", "/login", "--body", "{}")[1]
bad = dev_a.run("sign", "POST", "/login", "--body", "{}",
                "--wrong-knowledge")[1]
for hv in (good, bad):
    e.request("POST", "/powerauth-cloud/v2/signature/verify", auth=integ,
              body={"method": "POST", "uriId": "/login", "authHeader": hv,
                    "requestBody": "e30="})
st, rows = audit_wait("category=SIGNATURE&objectId=" + reg_a,
                      lambda r: len(r) >= 2)
t.eq(st, 200, "GET /admin/audit answers the administrator")
outcomes = sorted(x.get("outcome") for x in rows)
t.eq(outcomes, ["INVALID", "VALID"],
     "signature verify: one VALID and one INVALID row for the registration")
row = rows[0] if rows else {}
t.eq((row.get("action"), row.get("userId"), row.get("applicationId"),
      row.get("remoteAddress"), row.get("httpStatus")),
     ("POST /v2/signature/verify", alice, app_id, "127.0.0.1", 200),
     "the row names the action, user, application, address and status")
t.ok(row.get("actor", "").startswith("e2e-audit-u-"),
     "the actor is the integration user that asked", row.get("actor"))
t.ok(len(row.get("requestId") or "") == 32,
     "the row carries nginx's request id", row.get("requestId"))

# Registration lifecycle and an admin action.
e.request("PUT", "/powerauth-cloud/v2/registrations/" + reg_b, auth=A,
          body={"change": "BLOCK"})
e.request("PUT", "/powerauth-cloud/v2/registrations/" + reg_b, auth=A,
          body={"change": "UNBLOCK"})
st, rows = audit_wait("category=REGISTRATION&objectId=" + reg_b,
                      lambda r: len(r) >= 3)
acts = [x.get("action") for x in rows]
t.ok(acts.count("PUT /v2/registrations/{id}") == 2 and
     acts[-1] == "POST /v2/registrations",
     "registration: created, BLOCKed and UNBLOCKed, under its id", acts)
st, rows = audit_wait("category=ADMIN&actor=" + e.ADMIN_USER,
                      lambda r: any(x.get("action") ==
                                    "POST /admin/applications" for x in r))
t.ok(any(x.get("action") == "POST /admin/applications" for x in rows),
     "admin actions are recorded with the administrator as actor",
     [x.get("action") for x in rows[:5]])

# Refused authentication: the claimed name, never the password.
secret = "pw-" + secrets.token_hex(8)
wrong_user = "nobody-" + secrets.token_hex(3)
r = e.request("GET", "/powerauth-cloud/v2/registrations?userId=x",
              auth=e.basic(wrong_user, secret))
t.eq(r.status, 401, "a wrong password is refused")
st, rows = audit_wait("category=AUTH&outcome=DENIED",
                      lambda r: any(wrong_user in (x.get("detail") or "")
                                    for x in r))
mine = [x for x in rows if wrong_user in (x.get("detail") or "")]
t.ok(len(mine) == 1 and mine[0].get("httpStatus") == 401,
     "refused Basic auth: one AUTH/DENIED row naming the claimed user", mine)
t.ok(all(secret not in repr(x) for x in rows),
     "the password appears in no audit row")
# The API itself.
r = e.request("GET", "/powerauth-cloud/admin/audit", auth=integ)
t.eq(r.status, 403, "integration users may not read the audit log")
bad_q = []
for q in ("limit=0", "limit=1001", "before=x", "category=%01",
          "objectId=" + "x" * 65, "unknown=1"):
    st, body = audit(q)
    bad_q.append((q, st))
t.ok(all(st == 400 for _, st in bad_q), "bad filters and limits: 400", bad_q)
st1, p1 = audit("limit=2")
st2, p2 = audit("limit=2&before=%d" % p1.get("nextBefore", 0))
ids = [x.get("id") for x in p1.get("events", []) + p2.get("events", [])]
t.ok(st1 == 200 and st2 == 200 and len(ids) == 4 and
     ids == sorted(ids, reverse=True) and len(set(ids)) == 4,
     "paging with nextBefore: newest first, no row twice", ids)
# Append-only.


def refused(sql):
    """The server's error text for sql, or "allowed"."""
    try:
        e.mysql(sql)
        return "allowed"
    except subprocess.CalledProcessError as ex:
        return ex.stderr


upd = refused("UPDATE audit_event SET outcome = 'OK' WHERE id = %d" % ids[0])
t.ok("append-only" in upd, "UPDATE of an audit row is refused", upd)
dele = refused("DELETE FROM audit_event WHERE id = %d" % ids[0])
t.ok("a day at least" in dele, "DELETE of a young audit row is refused", dele)

# --- 10,000 wrong signatures from one address -------------------------------
hv = dev_a.run("sign", "POST", "/pa/signature/validate")[1]
sig_pos = hv.find('pa_signature="')
counts = {"accepted": 0, "refused": 0, "other": 0}
lock = threading.Lock()
stop_b = threading.Event()
b_results = []


def guesser(n):
    rnd = random.Random()
    for _ in range(n):
        fake = "".join(rnd.choice("0123456789") for _ in range(8)) + "-" + \
            "".join(rnd.choice("0123456789") for _ in range(8))
        start = sig_pos + len('pa_signature="')
        end = hv.find('"', start)
        h = hv[:start] + fake + hv[end:]
        r = e.fcgi_request(e.ENROLL_SOCKET, "POST",
                           "/enrollment-server/pa/v3/signature/validate",
                           body=b"", extra={
                               "HTTP_X_POWERAUTH_AUTHORIZATION": h,
                               "REMOTE_ADDR": ADDR_SIG})
        with lock:
            if r is not None and r.status == 200:
                counts["accepted"] += 1
            elif r is not None and r.status == 401:
                counts["refused"] += 1
            else:
                counts["other"] += 1


def honest_bob():
    while not stop_b.is_set():
        b_results.append(dev_b.run("call", "/pa/v3/signature/validate",
                                   "/pa/signature/validate")[1])
        time.sleep(0.2)


hb = threading.Thread(target=honest_bob)
hb.start()
t0 = time.time()
workers = [threading.Thread(target=guesser, args=(2500,)) for _ in range(4)]
for w in workers:
    w.start()
for w in workers:
    w.join()
secs = time.time() - t0
stop_b.set()
hb.join()
t.diag("10000 wrong signatures in %.1f s" % secs)
t.eq(counts, {"accepted": 0, "refused": 10000, "other": 0},
     "10,000 wrong signatures: none accepted, every one 401")
st = e.mysql("SELECT status, failed_attempts, blocked_reason FROM activation"
             " WHERE id = '%s'" % reg_a).split()
t.eq(st, ["4", str(MAX_FAILED), "MAX_FAILED_ATTEMPTS"],
     "the activation is BLOCKED after signature.max_failed failures")
audit_q = ("SELECT COUNT(*) FROM audit_event WHERE object_id = '%s' AND"
           " action = 'POST /pa/v3/signature/validate'" % reg_a)
deadline = time.time() + 10
while time.time() < deadline and int(e.mysql(audit_q) or 0) < 10000:
    time.sleep(0.2)
t.eq(e.mysql(audit_q).strip(), "10000",
     "every one of the 10,000 attempts has its audit row")
t.ok(len(b_results) > 0 and all(x == '200 {"status":"OK"}'
                                for x in b_results),
     "another user's phone kept signing during the attack (%d calls)"
     % len(b_results), b_results[:3])

# --- activation-code guessing from one address -------------------------------


class Proxy(http.server.BaseHTTPRequestHandler):
    """HTTP -> the enroll worker's socket, as client address self.addr."""
    addr = ADDR_GUESS

    def do_POST(self):  # noqa: N802
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        extra = {"REMOTE_ADDR": Proxy.addr}
        for k, v in self.headers.items():
            if k.lower().startswith("x-powerauth"):
                extra["HTTP_" + k.upper().replace("-", "_")] = v
        r = e.fcgi_request(e.ENROLL_SOCKET, "POST", self.path, body, extra)
        data = r.body if r is not None else b""
        self.send_response(r.status if r is not None else 502)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
threading.Thread(target=srv.serve_forever, daemon=True).start()
purl = "http://127.0.0.1:%d/enrollment-server" % srv.server_address[1]
dead = e.admin_post("/v2/registrations", {"userId": "dead-" + secrets.token_hex(3),
                                          "appId": app_id}, t)
e.request("DELETE", "/powerauth-cloud/v2/registrations/" +
          dead.get("registrationId", ""), auth=A)
guess = e.Device(work, "guess")
guess.run("setup", app.get("mobileSdkConfig", ""), purl, "3.3")
answers = []
for _ in range(ACT_LIMIT + 3):
    rc, out, err = guess.run("activate", dead.get("activationCode", ""))
    answers.append((out + " " + err).strip())
n400 = sum(1 for a in answers[:ACT_LIMIT] if "429" not in a)
t.eq(n400, ACT_LIMIT, "the first %d unknown codes are just refused" %
     ACT_LIMIT)
t.ok(all("429" in a for a in answers[ACT_LIMIT:]),
     "then the address gets 429 for activation create", answers[-1:])
# Another address still activates with a real code.
Proxy.addr = ADDR_OTHER
live = e.admin_post("/v2/registrations", {
    "userId": "live-" + secrets.token_hex(3), "appId": app_id,
    "commitPhase": "ON_KEY_EXCHANGE"}, t)
fresh = e.Device(work, "fresh")
fresh.run("setup", app.get("mobileSdkConfig", ""), purl, "3.3")
t.ok(fresh.activate(live.get("activationQrCodeData", "")) is not None,
     "another address activates meanwhile", fresh.last)
srv.shutdown()
rows = e.mysql("SELECT hits FROM abuse_counter WHERE scope ="
               " 'ACTIVATION_CODE' AND subject = '%s'" % ADDR_GUESS)
t.eq(rows.strip(), str(ACT_LIMIT),
     "the counter holds the failures (refused attempts are not counted)")

# --- failed Basic auth from one address ------------------------------------
name = "e2e-audit-brute-" + secrets.token_hex(3)
u = e.admin_post("/admin/users", {"username": name}, t)
right = e.basic(name, u.get("password", ""))
codes = []
for i in range(AUTH_LIMIT + 2):
    r = e.fcgi_request(e.CLOUD_SOCKET, "GET",
                       "/powerauth-cloud/admin/applications", extra={
                           "HTTP_AUTHORIZATION": e.basic(name, "guess%d" % i),
                           "REMOTE_ADDR": ADDR_AUTH})
    codes.append(r.status if r is not None else None)
t.eq(codes[:AUTH_LIMIT], [401] * AUTH_LIMIT,
     "wrong passwords from one address: 401 up to abuse.auth_failures")
t.eq(codes[AUTH_LIMIT:], [429, 429], "then 429")
r = e.fcgi_request(e.CLOUD_SOCKET, "GET", "/powerauth-cloud/v2/registrations"
                   "?userId=x", extra={"HTTP_AUTHORIZATION": right,
                                       "REMOTE_ADDR": ADDR_AUTH})
t.eq(r.status if r is not None else None, 429,
     "the right password from that address is refused too (429)")
t.eq(r.error_code() if r is not None else None, "HTTP_429",
     "429 in the JSON envelope")
r = e.fcgi_request(e.CLOUD_SOCKET, "GET", "/powerauth-cloud/v2/registrations"
                   "?userId=x", extra={"HTTP_AUTHORIZATION": right,
                                       "REMOTE_ADDR": ADDR_AUTH2})
t.ok(r is not None and r.status in (200, 403),
     "the same user from another address gets in",
     r.status if r is not None else None)

# --- pending limits ----------------------------------------------------------
carol = "carol-" + secrets.token_hex(3)
st = []
for _ in range(PENDING_REG + 1):
    st.append(e.request("POST", "/powerauth-cloud/v2/registrations", auth=A,
                        body={"userId": carol, "appId": app_id}))
t.eq([r.status for r in st[:PENDING_REG]], [200] * PENDING_REG,
     "registrations up to limits.pending_registrations")
t.eq((st[-1].status, st[-1].error_code()), (429, "ERROR_LIMIT_EXCEEDED"),
     "one more unfinished registration: 429 ERROR_LIMIT_EXCEEDED")
t.eq(e.mysql("SELECT COUNT(*) FROM activation WHERE user_id = '%s'" %
             carol).strip(), str(PENDING_REG), "and nothing written for it")
e.mysql("INSERT INTO operation (id, app_id, user_id, template_name,"
        " operation_type, data, parameters, additional_data, status,"
        " signature_types, max_failures, language, created_at, expires_at)"
        " SELECT UUID(), '%s', '%s', 'default.login', 'login', 'A2', '{}',"
        " '{}', 1, '[\"possession_knowledge\"]', 5, 'en', UTC_TIMESTAMP(3),"
        " UTC_TIMESTAMP(3) + INTERVAL 1 HOUR FROM seq_1_to_%d"
        % (app_id, bob, PENDING_OPS))
r = e.request("POST", "/powerauth-cloud/v2/operations", auth=A, body={
    "userId": bob, "appId": app_id, "template": "default.login"})
t.eq((r.status, r.error_code()), (429, "ERROR_LIMIT_EXCEEDED"),
     "one PENDING operation over limits.pending_operations: 429")
t.eq(e.mysql("SELECT COUNT(*) FROM operation WHERE user_id = '%s'" %
             bob).strip(), str(PENDING_OPS), "and no operation written for it")
t.done()
