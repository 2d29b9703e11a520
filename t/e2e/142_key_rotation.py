#!/usr/bin/env python3
"""Master key rotation (doc/operator-guide.md "Rotating the master key"),
on a database, workers, dispatcher and nginx of its own so that the shared
stack keeps its key: an application, an active phone (protocol 3.3, so
temporary keys too), a MAC token, an operation with a proximity OTP seed,
a callback with an HMAC key and receiver authentication and APNs and FCM
push credentials (two rows with one application id), all stored under
key A; the workers restarted with master_key B and
previous_master_key A still verify signatures and tokens, show the OTP,
deliver signed webhooks, activate new phones and replace a callback
(its key kept, stored anew under B); rotate-master-key
--dry-run counts without writing and lists exactly the schema's *_enc
columns; a run stopped by --limit leaves a mixed state that works, the
next run finishes it, a third finds nothing to do; with A removed
everything works (signature, token, OTP approval, webhook, a new phone
from the mobileSdkConfig); a row corrupted on purpose is named by table
and id (never its value) and makes the exit status 1."""
import base64
import hashlib
import hmac
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(35)
tmp = tempfile.mkdtemp(prefix="paserv-e2e-rot-")
os.chmod(tmp, 0o711)
DB = "paserv_rot_" + secrets.token_hex(3)
ROOT = ["mariadb", "--no-defaults", "--socket=" + os.path.join(
    e.VAR, "run", "mysqld.sock"), "-uroot"]
CLIENT = ["mariadb", "--defaults-file=" + os.path.join(e.VAR, "client.cnf"),
          "-N", "-B", DB]
BIN = os.path.dirname(e.ADMIN_BIN)
CONF = os.path.join(tmp, "paserv.conf")
RUN = os.path.join(tmp, "run")
NGX = os.path.join(tmp, "nginx")
KEY_A = base64.b64encode(secrets.token_bytes(16)).decode()
KEY_B = base64.b64encode(secrets.token_bytes(16)).decode()
CLOUD = "/powerauth-cloud"
AUTHZ = "/api/auth/token/app/operation/authorize"
procs = {}
nginx_up = []


def sql(q):
    r = subprocess.run(CLIENT + ["-e", q], capture_output=True, text=True)
    return r.stdout


# Primary keys that are not `id`.
KEYS = {"push_credential": "CONCAT(app_id, '/', platform)"}


def enc_values():
    """{(table.column, id): value} of every non-empty *_enc value."""
    out = {}
    for col in enc_columns():
        table, column = col.split(".")
        for line in sql("SELECT %s, %s FROM %s WHERE %s IS NOT NULL AND "
                        "%s <> ''" % (KEYS.get(table, "id"), column, table,
                                      column, column)).splitlines():
            k, v = line.split("\t")
            out[(col, k)] = v
    return out


def enc_columns():
    return sorted(line.replace("\t", ".") for line in sql(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = DATABASE() AND column_name LIKE '%\\_enc'"
    ).splitlines())


def push_bodies():
    """(platform, body) of an APNs and an FCM credential with new keys."""
    keys = {}
    for kind, opts in (("ec", ["-algorithm", "EC", "-pkeyopt",
                               "ec_paramgen_curve:P-256"]),
                       ("rsa", ["-algorithm", "RSA", "-pkeyopt",
                                "rsa_keygen_bits:2048"])):
        keys[kind] = subprocess.run(["openssl", "genpkey"] + opts,
                                    capture_output=True, text=True).stdout
    sa = {"type": "service_account", "project_id": "rot-project",
          "private_key_id": secrets.token_hex(8), "private_key": keys["rsa"],
          "client_email": "rot@rot-project.iam.gserviceaccount.com",
          "token_uri": "https://oauth2.googleapis.com/token"}
    return [("apns", {"topic": "com.example.rot", "keyId": "ROTKEY0001",
                      "teamId": "ROTTEAM001", "environment": "development",
                      "privateKeyBase64": base64.b64encode(
                          keys["ec"].encode()).decode()}),
            ("fcm", {"privateKeyBase64": base64.b64encode(
                json.dumps(sa).encode()).decode()})]


def write_conf(master, previous=None):
    base = open(e.CONF).read().splitlines()
    keep = [line for line in base if line.split("=")[0].strip() not in (
        "db.name", "security.master_key", "security.previous_master_key",
        "cloud.listen", "enroll.listen", "service.base_url",
        "workers.threads")]
    keep += ["db.name = " + DB, "security.master_key = " + master,
             "cloud.listen = " + os.path.join(RUN, "cloud.sock"),
             "enroll.listen = " + os.path.join(RUN, "enroll.sock"),
             "service.base_url = %s/enrollment-server" % e.URL,
             "workers.threads = 4"]
    if previous:
        keep.append("security.previous_master_key = " + previous)
    with open(CONF, "w") as f:
        f.write("\n".join(keep) + "\n")
    os.chmod(CONF, 0o600)


def admin(*args):
    p = subprocess.run([e.ADMIN_BIN, "-c", CONF] + list(args),
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def counts(out):
    """{name: (rotated or to rotate, current, failed)} from the output."""
    d = {}
    for m in re.finditer(r"^(\S+): (?:rotated|to rotate) (\d+), current "
                         r"(\d+), failed (\d+)$", out, re.M):
        d[m.group(1)] = tuple(int(x) for x in m.group(2, 3, 4))
    return d


def stop_workers():
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    procs.clear()


def start_workers(master, previous=None):
    stop_workers()
    write_conf(master, previous)
    log = open(os.path.join(tmp, "workers.log"), "ab")
    for n in ("paserv-cloud", "paserv-enroll", "paserv-dispatch"):
        if n != "paserv-dispatch":
            sock = os.path.join(RUN, n.split("-")[1] + ".sock")
            if os.path.exists(sock):
                os.unlink(sock)
        procs[n] = subprocess.Popen([os.path.join(BIN, n), "-c", CONF],
                                    stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=log)
    ok = True
    for path in ("/powerauth-cloud/actuator/health",
                 "/enrollment-server/actuator/health"):
        for _ in range(100):
            try:
                if e.request("GET", path).status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            ok = False
    return ok and all(p.poll() is None for p in procs.values())


def start_nginx(port):
    os.makedirs(os.path.join(NGX, "logs"))
    os.makedirs(os.path.join(NGX, "tmp"))
    shutil.copy(os.path.join(e.TOP_SRCDIR, "nginx", "snippets",
                             "paserv-fastcgi-params.conf"), NGX)
    text = open(os.path.join(e.TOP_SRCDIR, "nginx",
                             "paserv-local.conf.in")).read()
    for k, v in (("@PORT@", str(port)), ("@NGINX_DIR@", NGX),
                 ("@CLOUD_SOCK@", os.path.join(RUN, "cloud.sock")),
                 ("@ENROLL_SOCK@", os.path.join(RUN, "enroll.sock"))):
        text = text.replace(k, v)
    open(os.path.join(NGX, "nginx.conf"), "w").write(text)
    cmd = ["nginx", "-p", NGX, "-e", os.path.join(NGX, "logs", "error.log"),
           "-c", os.path.join(NGX, "nginx.conf")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode == 0:
        nginx_up.append(cmd)
    return r.returncode == 0


class Receiver:
    """Records every webhook POST (headers, raw body)."""

    def __init__(self):
        self.got = []
        self.lock = threading.Lock()
        rec = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get(
                    "Content-Length", "0")))
                with rec.lock:
                    rec.got.append((dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.srv.daemon_threads = True
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/hook" % self.srv.server_address[1]

    def wait(self, oid, status, seconds=20):
        """The delivery of oid's status, or None."""
        end = time.time() + seconds
        while time.time() < end:
            with self.lock:
                for h, b in self.got:
                    j = json.loads(b)
                    if (j.get("operationId"), j.get("status")) == (oid,
                                                                   status):
                        return h, b
            time.sleep(0.1)
        return None


HOOK_AUTH = "Basic " + base64.b64encode(b"hookuser:hookpw").decode()


def signed(delivery, secret_b64):
    """Delivered with a valid webhook-signature and the receiver auth."""
    if delivery is None:
        return False
    h, raw = delivery
    msg = ("%s.%s." % (h.get("webhook-id"), h.get("webhook-timestamp"))
           ).encode() + raw
    want = "v1," + base64.b64encode(hmac.new(base64.b64decode(secret_b64),
                                             msg, hashlib.sha256).digest()
                                    ).decode()
    return hmac.compare_digest(want, h.get("webhook-signature", "")) and \
        h.get("Authorization") == HOOK_AUTH


def verify_signature(dev):
    header = dev.run("sign", "POST", "/login", "--body", "{}")[1]
    v = e.request("POST", CLOUD + "/v2/signature/verify",
                  body={"method": "POST", "uriId": "/login",
                        "authHeader": header,
                        "requestBody": base64.b64encode(b"{}").decode()},
                  auth=e.admin_auth()).json() or {}
    return v.get("signatureValid")


def verify_token(dev, tid):
    h = dev.run("token-header", tid)[1]
    r = e.request("POST", CLOUD + "/v2/token/verify",
                  body={"authHeader": h}, auth=e.admin_auth())
    return (r.json() or {}).get("tokenValid") if r.status == 200 else \
        r.status


def operation(oid):
    return e.request("GET", CLOUD + "/v2/operations/" + oid,
                     auth=e.admin_auth()).json() or {}


def new_operation(user, app_id):
    return (e.request("POST", CLOUD + "/v2/operations",
                      body={"userId": user, "appId": app_id,
                            "template": "default.login",
                            "proximityCheckEnabled": True},
                      auth=e.admin_auth()).json() or {}).get("operationId",
                                                             "")


def approve(dev, oid, otp):
    ro = {"id": oid, "data": "A2",
          "proximityCheck": {"otp": otp, "type": "QR_CODE"}}
    out = dev.run("call", AUTHZ, "/operation/authorize", "--body",
                  json.dumps({"requestObject": ro}))[1]
    return out.split(" ", 1)[0]


def new_phone(app, name):
    """A new registration activated by a new phone: its status."""
    rid, dev = e.active_device(app, "rot-" + name, tmp, name, "3.3", t)
    st = e.request("GET", CLOUD + "/v2/registrations/" + rid,
                   auth=e.admin_auth()).json() or {}
    return st.get("registrationStatus"), dev


def main():
    # A database and stack of its own.
    subprocess.run(ROOT + ["-e", "CREATE DATABASE %s CHARACTER SET utf8mb4 "
                           "COLLATE utf8mb4_bin; GRANT ALL ON %s.* TO "
                           "'paserv'@'localhost'" % (DB, DB)], check=True)
    r = subprocess.run([os.path.join(e.TOP_SRCDIR, "scripts", "migrate")],
                       env=dict(os.environ, PASERV_MYSQL=" ".join(
                           CLIENT[:2] + [DB])),
                       capture_output=True, text=True)
    os.makedirs(RUN)
    os.chmod(RUN, 0o711)
    port = e.free_port()
    e.URL = "http://127.0.0.1:%d" % port
    write_conf(KEY_A)
    pw = os.path.join(tmp, "admin.password")
    rc = admin("ensure-admin", "admin", "--password-file", pw)[0]
    e.ADMIN_USER = "admin"
    e.ADMIN_PASSWORD = open(pw).read().strip() if rc == 0 else ""
    t.ok(r.returncode == 0 and rc == 0 and start_nginx(port) and
         start_workers(KEY_A), "own database, workers, dispatcher and "
         "nginx under key A", r.stderr[-500:])

    # Everything that has a secret, under key A.
    app = e.new_app("rot-", t)
    app_id = app.get("id", "")
    rcv = Receiver()
    cb = e.request("POST", CLOUD + "/v2/admin/applications/%s/callbacks" %
                   app_id, body={
                       "name": "rot-hook", "type": "OPERATION_STATUS_CHANGE",
                       "callbackUrl": rcv.url, "attributes": ["status"],
                       "authentication": {"httpBasic": {
                           "enabled": True, "username": "hookuser",
                           "password": "hookpw"}}},
                   auth=e.admin_auth()).json() or {}
    secret = cb.get("secret", "")
    status, dev = new_phone(app, "phone")
    rc, tid, err = dev.run("token-create", "--type", "possession")
    oid1 = new_operation("rot-phone", app_id)
    t.ok(status == "ACTIVE" and len(tid) == 36 and oid1 and secret,
         "under A: application, callback, active phone, token, operation",
         (status, tid, err, oid1, cb))
    t.eq((verify_signature(dev), verify_token(dev, tid)), (True, True),
         "under A: signature and token verify")
    t.ok(signed(rcv.wait(oid1, "PENDING"), secret),
         "under A: webhook signed, with the receiver's authentication")
    push = [e.request("POST", CLOUD + "/admin/applications/%s/push/%s" % (
        app_id, platform), body=body, auth=e.admin_auth())
        for platform, body in push_bodies()]
    t.ok([r.status for r in push] == [200, 200],
         "under A: APNs and FCM credentials of the application", push)
    before = enc_values()
    cols = {c for c, _ in before}
    t.ok(len(cols) == 9 and len(before) >= 11, "under A: values in every "
         "encrypted column (%d values)" % len(before), sorted(cols))

    # New key B, A still accepted.
    t.ok(start_workers(KEY_B, KEY_A), "restarted with master_key B, "
         "previous_master_key A")
    t.eq((verify_signature(dev), verify_token(dev, tid)), (True, True),
         "B + A: signature and token made under A verify")
    t.ok(re.match(r"^\d{8}$", operation(oid1).get("proximityOtp", "")),
         "B + A: the OTP of an operation stored under A", operation(oid1))
    status2, dev2 = new_phone(app, "phone2")
    t.eq(status2, "ACTIVE", "B + A: a new phone activates (application "
         "key under A)")
    oid2 = new_operation("rot-phone2", app_id)
    t.ok(signed(rcv.wait(oid2, "PENDING"), secret),
         "B + A: webhook signed with the callback's key stored under A")
    path = CLOUD + "/v2/admin/applications/%s/callbacks/%s" % (
        app_id, cb.get("id", ""))
    stored = "SELECT secret_enc FROM callback WHERE id = '%s'" % cb.get("id")
    old_enc = sql(stored).strip()
    body = e.request("GET", path, auth=e.admin_auth()).json() or {}
    r = e.request("PUT", path, body=body, auth=e.admin_auth())
    t.ok(r.status == 200 and "secret" not in (r.json() or {}) and
         sql(stored).strip() not in ("", old_enc), "B + A: a callback "
         "replaced keeps its key, stored anew under B", r)
    mixed = enc_values()
    # Values still under A; the others (new or replaced) are under B.
    under_a = [k for k, v in before.items() if mixed.get(k) == v]
    under_b = len(mixed) - len(under_a)

    # Dry run: counts, writes nothing.
    rc, out, err = admin("rotate-master-key", "--dry-run")
    c = counts(out)
    t.eq(sorted(k for k in c if k != "total"), enc_columns(),
         "dry run lists exactly the schema's *_enc columns")
    t.ok(rc == 0 and c.get("total") == (len(under_a), under_b, 0) and
         "state: complete" in out, "dry run: %d to rotate, %d current, "
         "exit 0" % (len(under_a), under_b), (rc, out, err))
    t.eq(enc_values(), mixed, "dry run changed nothing")

    # Stopped after 3 rows: a mixed state that works.
    rc, out, err = admin("rotate-master-key", "--batch", "1", "--limit",
                         "3")
    now = enc_values()
    changed = [k for k in mixed if now.get(k) != mixed[k]]
    t.ok(rc == 3 and counts(out).get("total", (0,))[0] == 3 and
         "incomplete" in out and len(changed) == 3,
         "--limit 3: exit 3, 3 rows re-encrypted, the rest left",
         (rc, out, err, changed))
    t.eq((verify_signature(dev), verify_token(dev, tid),
          verify_signature(dev2)), (True, True, True),
         "half rotated: signatures and token verify")

    # Run again: finishes; a third run finds nothing.
    rc, out, err = admin("rotate-master-key", "--batch", "2")
    c = counts(out)
    t.ok(rc == 0 and c.get("total") == (len(under_a) - 3, under_b + 3, 0)
         and "state: complete" in out, "run again: the remaining %d, exit 0"
         % (len(under_a) - 3), (rc, out, err))
    now = enc_values()
    t.ok(all(now.get(k) not in (None, before[k]) for k in under_a) and
         all(now.get(k) == v for k, v in mixed.items() if k not in under_a),
         "every value under A re-encrypted, those under B untouched")
    rc, out, err = admin("rotate-master-key")
    t.ok(rc == 0 and counts(out).get("total") == (0, len(now), 0),
         "third run: nothing to rotate", (rc, out, err))
    t.ok(KEY_A not in out + err and KEY_B not in out + err and
         not any(v in out + err for v in now.values()),
         "no key and no stored value in the output")

    # A removed.
    t.ok(start_workers(KEY_B), "restarted with master_key B alone")
    t.eq((verify_signature(dev), verify_token(dev, tid),
          verify_signature(dev2)), (True, True, True),
         "B alone: signatures and token verify")
    otp = operation(oid1).get("proximityOtp", "")
    t.eq((approve(dev, oid1, otp), operation(oid1).get("status")),
         ("200", "APPROVED"), "B alone: the operation approved with its OTP")
    t.ok(signed(rcv.wait(oid1, "APPROVED"), secret),
         "B alone: webhook signed with the re-encrypted key and auth")
    got = e.request("GET", CLOUD + "/admin/applications/" + app_id,
                    auth=e.admin_auth()).json() or {}
    t.eq(got.get("mobileSdkConfig"), app.get("mobileSdkConfig"),
         "B alone: the application's mobileSdkConfig unchanged")
    status3, dev3 = new_phone(got, "phone3")
    t.eq((status3, verify_signature(dev3)), ("ACTIVE", True),
         "B alone: a new phone set up from it activates and signs")
    rc, out, err = admin("rotate-master-key", "--dry-run")
    c = counts(out).get("total", (1, 0, 1))
    t.ok(rc == 0 and c[0] == 0 and c[2] == 0, "dry run without a previous "
         "key: every value opens with master_key", (rc, out, err))
    rc, out, err = admin("rotate-master-key")
    t.ok(rc == 2 and "previous_master_key" in err,
         "a run without previous_master_key: exit 2, says why", (rc, err))

    # A corrupted row: named, never shown; exit 1.
    bad = base64.b64encode(secrets.token_bytes(48)).decode()
    sql("UPDATE token SET secret_enc = '%s' WHERE id = '%s'" % (bad, tid))
    rc, out, err = admin("rotate-master-key", "--dry-run")
    t.ok(rc == 1 and "token.secret_enc id %s: opens with neither key" % tid
         in err and counts(out).get("token.secret_enc", (0, 0, 0))[2] == 1,
         "corrupted token: dry run names token + id, exit 1", (rc, out, err))
    write_conf(KEY_B, KEY_A)
    rc, out, err = admin("rotate-master-key")
    c = counts(out)
    t.ok(rc == 1 and c.get("token.secret_enc", (0, 0, 0))[2] == 1 and
         c.get("total", (1, 0, 0))[0] == 0 and "failed" in out and
         tid in err, "corrupted token: the rotation reports it, exit 1",
         (rc, out, err))
    t.ok(bad not in out + err, "the corrupted value is not shown")
    t.eq(verify_token(dev, tid), False,
         "the worker answers tokenValid false for it (no error)")
    t.eq(verify_signature(dev), True, "the rest still works")
    t.ok(all(p.poll() is None for p in procs.values()),
         "workers and dispatcher ran throughout")


try:
    main()
finally:
    stop_workers()
    for cmd in nginx_up:
        subprocess.run(cmd + ["-s", "stop"], capture_output=True)
    subprocess.run(ROOT + ["-e", "DROP DATABASE IF EXISTS " + DB],
                   capture_output=True)
    if t.failed == 0:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        t.diag("kept " + tmp)
t.done()
