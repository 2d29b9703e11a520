#!/usr/bin/env python3
"""Concurrency on one activation (protocol.md §11; issue "authentication",
done-when 2): 32 threads send, at once and in random order, signatures the
phone made at consecutive counter values (each twice), while 32 more
threads replay one already-accepted header. No signature is accepted
twice; the accepted counter values rise strictly in commit order (seen
through a trigger that logs every counter update of the row, which the row
lock orders); every replay is refused; no 5xx, no deadlock; afterwards the
server counter is the highest accepted value + 1 and the status blob
agrees."""
import base64
import http.client
import json
import os
import random
import secrets
import sys
import tempfile
import threading
import urllib.parse
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(11)
N = 32
work = tempfile.mkdtemp(prefix="paserv-e2e-conc-")
app = e.new_app("e2e-conc-", t)
U = e.new_user("e2e-conc-", app.get("id"), t)
c = e.admin_post("/v2/registrations", {
    "userId": "conc-user", "appId": app.get("id", ""),
    "commitPhase": "ON_KEY_EXCHANGE"}, t)
rid = c.get("registrationId", "")
d = e.Device(work, "phone")
d.setup(app.get("mobileSdkConfig", ""), "3.3")
d.activate(c.get("activationQrCodeData", ""))
# Rejected out-of-window signatures count as failures: raise the limit.
e.mysql("UPDATE activation SET max_failed_attempts = 1000 WHERE id = '%s'"
        % rid)

# PASERV_E2E_CTR_LOG: a log table (seq, act, ctr) with its trigger on
# every activation, set up by the caller before the load (t/galera: a
# trigger created or dropped on a Galera cluster while the nodes write the
# same table is not something to test the service with).
shared = os.environ.get("PASERV_E2E_CTR_LOG", "")
if shared:
    trig, log = None, shared
    only = " WHERE act = '%s'" % rid
else:
    trig = "e2e_ctr_log_" + secrets.token_hex(4)
    log = "e2e_ctr_log_" + secrets.token_hex(4)
    only = ""
    e.mysql("CREATE TABLE %s (seq BIGINT AUTO_INCREMENT PRIMARY KEY,"
            " ctr BIGINT NOT NULL) ENGINE=InnoDB" % log)
    e.mysql("CREATE TRIGGER %s AFTER UPDATE ON activation FOR EACH ROW"
            " INSERT INTO %s (ctr) SELECT NEW.ctr FROM DUAL"
            " WHERE NEW.id = '%s' AND NEW.ctr <> OLD.ctr" % (trig, log, rid))


LOGS = [os.path.join(e.VAR, "log", n) for n in ("cloud.log", "enroll.log")]


def log_sizes():
    out = {}
    for p in LOGS:
        try:
            out[p] = os.path.getsize(p)
        except OSError:
            out[p] = 0
    return out


def log_since(sizes):
    """What the workers logged after sizes was taken."""
    text = ""
    for p, n in sizes.items():
        try:
            with open(p, errors="replace") as f:
                f.seek(n)
                text += f.read()
        except OSError:
            pass
    return text


def body_for(header):
    return json.dumps({"method": "POST", "uriId": "/pay",
                       "authHeader": header,
                       "requestBody": base64.b64encode(b"{}").decode()})


def sign():
    return d.run("sign", "POST", "/pay", "--body", "{}")[1]


try:
    first = sign()                       # counter 0
    headers = [sign() for _ in range(N)]  # counters 1..N
    u = urllib.parse.urlsplit(e.URL)
    r0 = e.request("POST", "/powerauth-cloud/v2/signature/verify",
                   body=body_for(first), auth=U)
    t.eq((r0.status, (r0.json() or {}).get("signatureValid")), (200, True),
         "the first signature is accepted")

    jobs = [(i + 1, h) for i, h in enumerate(headers)] * 2 + \
        [(0, first)] * N
    random.shuffle(jobs)
    barrier = threading.Barrier(len(jobs))
    results = []
    lock = threading.Lock()

    def send(idx, header):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        try:
            conn.connect()
            barrier.wait()
            conn.request("POST", "/powerauth-cloud/v2/signature/verify",
                         body=body_for(header),
                         headers={"Authorization": U,
                                  "Content-Type": "application/json"})
            r = conn.getresponse()
            raw = r.read()
            ok = r.status == 200 and json.loads(raw).get("signatureValid")
            with lock:
                results.append((idx, r.status, bool(ok)))
        except Exception as ex:  # noqa: BLE001 - reported as a failure
            with lock:
                results.append((idx, -1, False))
            t.diag("request failed: %r" % ex)
        finally:
            conn.close()

    sizes = log_sizes()
    threads = [threading.Thread(target=send, args=j) for j in jobs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()

    t.eq(len(results), len(jobs), "every request answered")
    t.eq(sorted({s for _, s, _ in results}), [200], "all answers are 200")
    accepted = sorted(i for i, _, ok in results if ok and i > 0)
    t.ok(len(accepted) >= 1, "some of the new signatures are accepted",
         accepted)
    t.eq(len(accepted), len(set(accepted)),
         "no signature accepted twice (each was sent twice)")
    t.eq([ok for i, _, ok in results if i == 0], [False] * N,
         "all %d replays of the accepted header are refused" % N)
    logged = [int(x) for x in e.mysql(
        "SELECT ctr FROM %s%s ORDER BY seq" % (log, only)).split()]
    t.ok(all(a < b for a, b in zip(logged, logged[1:])),
         "counter values rise strictly in commit order", logged)
    t.eq(logged[1:], [a + 1 for a in accepted],
         "the commits are exactly the accepted signatures, in order")
    ctr = int(e.mysql("SELECT ctr FROM activation WHERE id = '%s'" % rid))
    t.eq(ctr, max(accepted) + 1 if accepted else 1,
         "server counter = highest accepted + 1")
    s = d.status() or {}
    t.eq(s.get("ctrByte"), ctr & 0xff, "the status blob's counter agrees")
    # (Other tests run in parallel and may log errors on purpose; a
    # deadlock is never on purpose.)
    bad = [x for x in log_since(sizes).splitlines()
           if "deadlock" in x.lower()]
    t.ok(not bad, "no deadlock in the worker logs meanwhile",
         "\n".join(bad[:10]))
finally:
    if trig is not None:
        e.mysql("DROP TRIGGER IF EXISTS %s" % trig)
        e.mysql("DROP TABLE IF EXISTS %s" % log)
t.done()
