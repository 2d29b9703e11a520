#!/usr/bin/env python3
"""Push notifications (doc/push.md) against local mock push services
(t/e2e/push_mocks.py): APNs over HTTP/2 + TLS with a test CA, FCM with its
OAuth token endpoint. scripts/test points push.apns_url,
push.apns_sandbox_url, push.fcm_url, push.fcm_token_url and push.ca_file
at them (PASERV_E2E_APNS_PORT, PASERV_E2E_FCM_PORT, PASERV_E2E_PUSH_CA).

Credentials (admin API, secrets encrypted and never shown); phones
register push tokens; an operation's creation reaches APNs with a valid
ES256 provider token and FCM with a valid OAuth access token, with the
payload of api.md §2.6 and the display template's localized texts; its
approval gives operationFinished; inbox events and /v2/messages/send; a
refused token deactivates the device; a removed registration gets its
silent push, then nothing; a push service down for a while gets every
push later; a hanging push service delays neither webhooks nor the other
push service."""
import base64
import http.server
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402
import push_mocks as pm  # noqa: E402

PLAN = 63
APNS_PORT = int(os.environ.get("PASERV_E2E_APNS_PORT", "0"))
FCM_PORT = int(os.environ.get("PASERV_E2E_FCM_PORT", "0"))
CA = os.environ.get("PASERV_E2E_PUSH_CA", "")
DOWN = int(os.environ.get("PASERV_E2E_DOWN_SECONDS", "120"))
if e.URL and (not APNS_PORT or not FCM_PORT or not CA or pm.h2 is None):
    print("1..0 # SKIP the push mocks are not configured (scripts/test) "
          "or python3-h2 is missing")
    sys.exit(0)
t = e.Tap(PLAN)
A = e.admin_auth()
OPS = "/powerauth-cloud/v2/operations"
REG = "/powerauth-cloud/v2/registrations"
TOKEN_URI = "https://oauth2.googleapis.com/token"
work = tempfile.mkdtemp(prefix="paserv-e2e-push-")

cert, key = pm.make_ca(os.path.join(work, "ca"), CA)
apns = pm.MockAPNs(APNS_PORT, cert, key)
fcm = pm.MockFCM(FCM_PORT, TOKEN_URI)


def wait_for(cond, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def push_path(app_id, platform=""):
    return "/powerauth-cloud/admin/applications/%s/push%s" % (
        app_id, "/" + platform if platform else "")


def push_app(prefix):
    """A new application with APNs and FCM credentials whose public keys
    the mocks know."""
    app = e.new_app(prefix, t)
    aid = app.get("id", "")
    ec_priv, ec_pub = pm.new_key(work, "ec")
    kid = "K" + secrets.token_hex(4).upper()
    team = "T" + secrets.token_hex(4).upper()
    apns.keys[kid] = (team, ec_pub)
    r1 = e.request("POST", push_path(aid, "apns"), auth=A, body={
        "topic": "com.example.mtoken", "keyId": kid, "teamId": team,
        "environment": "development",
        "privateKeyBase64": base64.b64encode(ec_priv.encode()).decode()})
    rsa_priv, rsa_pub = pm.new_key(work, "rsa")
    email = "push-%s@proj.iam.gserviceaccount.com" % secrets.token_hex(3)
    fcm.accounts[email] = rsa_pub
    sa = {"type": "service_account", "project_id": "proj-" + aid,
          "private_key_id": secrets.token_hex(8), "private_key": rsa_priv,
          "client_email": email, "token_uri": TOKEN_URI}
    r2 = e.request("POST", push_path(aid, "fcm"), auth=A, body={
        "privateKeyBase64": base64.b64encode(json.dumps(sa).encode())
        .decode()})
    if r1.status != 200 or r2.status != 200:
        t.diag("push credentials: %r %r" % (r1, r2))
    return app, {"kid": kid, "team": team, "email": email,
                 "project": "proj-" + aid, "ec": ec_priv, "rsa": rsa_priv,
                 "apns": r1, "fcm": r2}


class Phone:
    """An active registration with a MAC token that registers a push
    token."""

    def __init__(self, app, user, name):
        self.rid, self.d = e.active_device(app, user, work, name, "3.3", t)
        self.tid = self.d.run("token-create")[1]

    def register(self, platform, token, env=None, path="/token"):
        ro = {"platform": platform, "token": token}
        if env is not None:
            ro["environment"] = env
        hdr = {"X-PowerAuth-Token": self.d.run("token-header", self.tid)[1]}
        return e.request("POST", "/enrollment-server/api/push/device/"
                         "register" + path, body={"requestObject": ro},
                         headers=hdr)


def device_row(rid):
    return e.mysql("SELECT platform, token, IFNULL(environment, '-'),"
                   " active, IFNULL(inactive_reason, '-') FROM push_device"
                   " WHERE activation_id = '%s'" % rid).split()


def create_op(app, user, **extra):
    body = {"userId": user, "appId": app.get("id"), "template":
            "default.login"}
    body.update(extra)
    return (e.request("POST", OPS, body=body, auth=A).json() or {}).get(
        "operationId", "")


def of_type(svc, token, mtype):
    """The recorded pushes of svc to token with messageType mtype."""
    def data(r):
        b = r["body"] or {}
        return b.get("message", {}).get("data", {}) if svc is fcm else b
    return [r for r in svc.got(lambda r: r["token"] == token)
            if data(r).get("messageType") == mtype]


def fcm_data(r):
    return ((r or {}).get("body") or {}).get("message", {}).get("data", {})


# 1. Credentials: stored encrypted, shown without the key.
app, keys = push_app("e2e-push-")
aid = app.get("id", "")
ra, rf = keys["apns"], keys["fcm"]
t.eq((ra.status, (ra.json() or {}).get("platform"),
      (ra.json() or {}).get("environment"),
      (ra.json() or {}).get("keyId")),
     (200, "apns", "development", keys["kid"]),
     "APNs credentials stored (development, key id)")
t.eq((rf.status, (rf.json() or {}).get("projectId"),
      (rf.json() or {}).get("clientEmail"),
      (rf.json() or {}).get("tokenUri")),
     (200, keys["project"], keys["email"], TOKEN_URI),
     "FCM service account stored (project, client email, token URI)")
g = e.request("GET", push_path(aid), auth=A)
gb = g.json() or {}
t.ok(g.status == 200 and set(gb) >= {"apns", "fcm"} and
     b"BEGIN" not in g.body and b"\"privateKey\"" not in g.body,
     "GET .../push: both credentials, no private key", g)
enc = e.mysql("SELECT private_key_enc FROM push_credential WHERE"
              " app_id = '%s' ORDER BY platform" % aid).split()
t.ok(len(enc) == 2 and all("BEGIN" not in x and len(x) > 100 for x in enc),
     "DB: the private keys are stored encrypted (private_key_enc)")
t.eq(e.request("POST", push_path(aid, "hms"), body={}, auth=A).status, 400,
     "HMS credentials: 400 (not supported)")
bad = e.request("POST", push_path(aid, "apns"), auth=A, body={
    "topic": "x", "keyId": "K1", "teamId": "T1",
    "privateKeyBase64": base64.b64encode(keys["rsa"].encode()).decode()})
t.eq((bad.status, bad.error_code()), (400, "ERROR_REQUEST"),
     "an RSA key as APNs key: 400")
U = e.new_user("e2e-push-u-", aid, t)
t.eq(e.request("GET", push_path(aid), auth=U).status, 403,
     "integration users may not manage push credentials")

# 2. Phones register their tokens.
user = "push-user-" + secrets.token_hex(3)
pa = Phone(app, user, "apns-phone")
pf = Phone(app, user, "fcm-phone")
tok_a = secrets.token_hex(32)
tok_f = "fcm:" + secrets.token_urlsafe(40)
r = pa.register("ios", tok_a, "development")
t.eq((r.status, r.json()), (200, {"status": "OK"}),
     "register/token with the deprecated ios: OK")
r = pf.register("android", tok_f, path="")
t.eq((r.status, r.json()), (200, {"status": "OK"}),
     "register (signature-less path) with android: OK")
t.eq(device_row(pa.rid), ["apns", tok_a, "development", "1", "-"],
     "DB: the APNs device (platform apns, environment)")
t.eq(device_row(pf.rid), ["fcm", tok_f, "-", "1", "-"],
     "DB: the FCM device (platform fcm)")
r = pf.register("huawei", "abc")
t.eq((r.status, r.error_code()), (400, "PUSH_REGISTRATION_FAILED"),
     "huawei (HMS): PUSH_REGISTRATION_FAILED")
r = pf.register("nokia", "abc")
t.eq((r.status, r.error_code()), (400, "INVALID_REQUEST"),
     "unknown platform: INVALID_REQUEST")
r = e.request("POST", "/enrollment-server/api/push/device/register/token",
              body={"requestObject": {"platform": "fcm", "token": "x"}},
              headers={"X-PowerAuth-Token": "PowerAuth version=\"3.1\""})
t.eq((r.status, r.error_code()), (401, "POWERAUTH_AUTH_FAIL"),
     "a token that does not authenticate: 401 POWERAUTH_AUTH_FAIL")

# 3. An operation: operationInit to both, signed, localized.
oid = create_op(app, user, language="cs")
wait_for(lambda: of_type(apns, tok_a, "mtoken.operationInit") and
         of_type(fcm, tok_f, "mtoken.operationInit"), 15)
ai = (of_type(apns, tok_a, "mtoken.operationInit") or [None])[0]
t.ok(ai is not None, "APNs got operationInit")
ai = ai or {"headers": {}, "body": {}, "path": ""}
t.eq(ai["jwt_error"] if "jwt_error" in ai else "missing", None,
     "APNs: the provider token verifies (ES256, kid, iss, iat)")
t.eq((ai["headers"].get(":method"), ai["path"],
      ai["headers"].get("apns-topic"), ai["headers"].get("apns-push-type"),
      ai["headers"].get("apns-priority")),
     ("POST", "/3/device/" + tok_a, "com.example.mtoken", "alert", "10"),
     "APNs: POST /3/device/<token>, topic, push type alert, priority 10")
b = ai["body"] or {}
t.eq({k: b.get(k) for k in ("messageType", "operationId", "operationName",
                            "activationId")},
     {"messageType": "mtoken.operationInit", "operationId": oid,
      "operationName": "login", "activationId": pa.rid},
     "APNs payload: messageType, operationId, operationName, activationId")
t.eq((b.get("aps") or {}).get("alert"),
     {"title": "Schválení přihlášení",
      "body": "Potvrďte požadavek na přihlášení."},
     "APNs alert: the display template's texts in the operation's "
     "language (cs)")
fi = (of_type(fcm, tok_f, "mtoken.operationInit") or [None])[0] or {}
tr = [x for x in fcm.token_requests
      if x["claims"].get("iss") == keys["email"]][:1]
t.ok(tr and tr[0]["error"] is None,
     "FCM: the RS256 assertion verifies (iss, scope, aud)", tr)
t.eq((fi.get("path"), fi.get("authorized")),
     ("/v1/projects/%s/messages:send" % keys["project"], True),
     "FCM: messages:send of the project, with the access token")
fb = (fi.get("body") or {}).get("message", {})
t.eq((fb.get("token"), fb.get("data")),
     (tok_f, {"messageType": "mtoken.operationInit", "operationId": oid,
              "operationName": "login", "activationId": pf.rid}),
     "FCM message: the token and the data extras")
t.eq((fb.get("notification"), (fb.get("android") or {}).get("priority")),
     ({"title": "Schválení přihlášení",
       "body": "Potvrďte požadavek na přihlášení."}, "high"),
     "FCM notification: localized title and body, priority high")
oid_en = create_op(app, user)
wait_for(lambda: [r for r in of_type(apns, tok_a, "mtoken.operationInit")
                  if r["body"].get("operationId") == oid_en], 15)
en = [r for r in of_type(apns, tok_a, "mtoken.operationInit")
      if r["body"].get("operationId") == oid_en]
t.eq(((en or [{}])[0].get("body") or {}).get("aps", {}).get("alert"),
     {"title": "Login Approval", "body": "Confirm the login request."},
     "an operation without a language: the en texts")
silent_op = create_op(app, user, silent=True)

# 4. Approved: operationFinished, silent, with the result.
code = pa.d.run("op-approve", oid, "A2")[0]
wait_for(lambda: of_type(apns, tok_a, "mtoken.operationFinished") and
         of_type(fcm, tok_f, "mtoken.operationFinished"), 15)
af = [r for r in of_type(apns, tok_a, "mtoken.operationFinished")
      if r["body"].get("operationId") == oid]
t.ok(code == 0 and af, "approved: APNs got operationFinished")
af = (af or [{"headers": {}, "body": {}}])[0]
t.eq((af["body"].get("mtokenOperationResult"), af["body"].get("aps"),
      af["headers"].get("apns-push-type"),
      af["headers"].get("apns-priority")),
     ("authentication.success", {"content-available": 1}, "background",
      "5"), "operationFinished: authentication.success, a background push")
ff = [r for r in of_type(fcm, tok_f, "mtoken.operationFinished")
      if fcm_data(r).get("operationId") == oid]
t.eq((fcm_data(ff[0]).get("mtokenOperationResult"),
      "notification" in ff[0]["body"]["message"]) if ff else None,
     ("authentication.success", False),
     "FCM operationFinished: the result, data only")
st = e.mysql("SELECT message_type, status FROM push_delivery WHERE"
             " object_id = '%s' ORDER BY id" % oid).split()
t.eq(st, ["mtoken.operationInit", "2", "mtoken.operationInit", "2",
          "mtoken.operationFinished", "2", "mtoken.operationFinished",
          "2"], "DB: four deliveries of the operation, all DELIVERED")
t.eq([r for r in apns.got() if (r["body"] or {}).get("operationId") ==
      silent_op], [], "a silent operation: no push")
# A second finish: rejected from the FCM phone.
oid_rej = oid_en
pf.d.run("op-reject", oid_rej)
wait_for(lambda: [r for r in of_type(fcm, tok_f, "mtoken.operationFinished")
                  if fcm_data(r).get("operationId") == oid_rej], 15)
rej = [r for r in of_type(fcm, tok_f, "mtoken.operationFinished")
       if fcm_data(r).get("operationId") == oid_rej]
t.eq(fcm_data((rej or [None])[0]).get("mtokenOperationResult"),
     "operation.canceled", "rejected: operation.canceled")

# 5. Inbox events and /v2/messages/send.
inbox_id = str(uuid.uuid4())
e.mysql("INSERT INTO event_outbox (event_id, type, app_id, object_id,"
        " payload, created_at) VALUES (UUID(), 'INBOX', '%s', '%s',"
        " JSON_OBJECT('type', 'INBOX', 'inboxId', '%s', 'userId', '%s',"
        " 'applicationId', '%s', 'subject', 'Your statement',"
        " 'timestamp', 1700000000000), UTC_TIMESTAMP(3))"
        % (aid, inbox_id, inbox_id, user, aid))
wait_for(lambda: of_type(apns, tok_a, "mtoken.inboxMessage.new") and
         of_type(fcm, tok_f, "mtoken.inboxMessage.new"), 15)
ib = (of_type(apns, tok_a, "mtoken.inboxMessage.new") or [{}])[0]
t.eq(((ib.get("body") or {}).get("inboxId"),
      (ib.get("body") or {}).get("aps", {}).get("alert")),
     (inbox_id, {"title": "New message", "body": "Your statement"}),
     "INBOX event: inboxMessage.new with inboxId, the subject as body")
t.eq(fcm_data((of_type(fcm, tok_f, "mtoken.inboxMessage.new") or
               [None])[0]).get("inboxId"), inbox_id,
     "INBOX event: FCM too")
r = e.request("POST", "/powerauth-cloud/v2/messages/send", auth=A, body={
    "userId": user, "appId": aid, "title": "Hello", "message": "World",
    "sound": "chime.caf", "extras": {"deepLink": "app://x", "n": 7}})
mj = r.json() or {}
t.eq((r.status, mj.get("status"), mj.get("devices")), (200, "QUEUED", 2),
     "messages/send: QUEUED for 2 devices")
wait_for(lambda: apns.got(lambda x: (x["body"] or {}).get("deepLink")) and
         fcm.got(lambda x: fcm_data(x).get("deepLink")), 15)
m = (apns.got(lambda x: (x["body"] or {}).get("deepLink")) or [{}])[0]
t.eq((m.get("body") or {}),
     {"aps": {"alert": {"title": "Hello", "body": "World"},
              "sound": "chime.caf"}, "deepLink": "app://x", "n": 7},
     "messages/send on APNs: alert, sound and the extras")
mf = (fcm.got(lambda x: fcm_data(x).get("deepLink")) or [{}])[0]
t.eq(fcm_data(mf), {"deepLink": "app://x", "n": "7"},
     "messages/send on FCM: the extras as strings")
r = e.request("POST", "/powerauth-cloud/v2/messages/send", auth=A, body={
    "userId": user, "appId": aid, "registrationId": pf.rid, "silent": True,
    "extras": {"refresh": "1"}})
t.eq((r.status, (r.json() or {}).get("devices")), (200, 1),
     "a silent message to one registration: 1 device")
r = e.request("POST", "/powerauth-cloud/v2/messages/send", auth=A, body={
    "userId": user, "appId": aid, "title": "  "})
t.eq((r.status, r.error_code()), (400, "ERROR_PUSH_MESSAGE"),
     "a blank title: ERROR_PUSH_MESSAGE")
r = e.request("POST", "/powerauth-cloud/v2/messages/send", auth=A, body={
    "userId": "someone-else", "appId": aid, "registrationId": pf.rid,
    "title": "x"})
t.eq((r.status, r.error_code()), (400, "ERROR_REGISTRATION_NOT_FOUND"),
     "another user's registration: ERROR_REGISTRATION_NOT_FOUND")

# 6. Refused tokens deactivate the device.
user6 = "push-dead-" + secrets.token_hex(3)
p410 = Phone(app, user6, "dead-apns")
pbad = Phone(app, user6, "dead-fcm")
t410, tbad = secrets.token_hex(32), "fcm:" + secrets.token_urlsafe(30)
p410.register("apns", t410, "production")
pbad.register("fcm", tbad)
apns.token_modes[t410] = "410"
fcm.token_modes[tbad] = "404"
create_op(app, user6)
gone = wait_for(lambda: device_row(p410.rid)[3:] == ["0", "UNREGISTERED"]
                and device_row(pbad.rid)[3:] == ["0", "UNREGISTERED"], 15)
t.ok(gone, "APNs 410 and FCM 404 UNREGISTERED: both devices deactivated",
     [device_row(p410.rid), device_row(pbad.rid)])
t.eq(e.mysql("SELECT status, last_status FROM push_delivery p JOIN"
             " push_device d USING (activation_id) WHERE d.token IN"
             " ('%s', '%s') ORDER BY last_status" % (t410, tbad)).split(),
     ["3", "404", "3", "410"], "their deliveries FAILED with 404 / 410")
n_before = len(apns.got(lambda x: x["token"] == t410)) + \
    len(fcm.got(lambda x: x["token"] == tbad))
create_op(app, user6)
time.sleep(2)
t.eq(len(apns.got(lambda x: x["token"] == t410)) +
     len(fcm.got(lambda x: x["token"] == tbad)), n_before,
     "a deactivated device gets no more pushes")
r = pbad.register("fcm", tbad + "x")
t.eq((r.status, device_row(pbad.rid)[1:4]), (200, [tbad + "x", "-", "1"]),
     "registering a new token activates the device again")
# APNs 400 BadDeviceToken, FCM 400 INVALID_ARGUMENT on the token.
pb2 = Phone(app, user6 + "-b", "bad-apns")
tb2 = secrets.token_hex(32)
pb2.register("apns", tb2)
apns.token_modes[tb2] = "bad"
pf2 = Phone(app, user6 + "-b", "bad-fcm")
tf2 = "fcm:" + secrets.token_urlsafe(30)
pf2.register("fcm", tf2)
fcm.token_modes[tf2] = "bad"
create_op(app, user6 + "-b")
t.ok(wait_for(lambda: device_row(pb2.rid)[3:] == ["0", "BAD_TOKEN"] and
              device_row(pf2.rid)[3:] == ["0", "BAD_TOKEN"], 15),
     "APNs 400 BadDeviceToken, FCM 400 INVALID_ARGUMENT on the token: "
     "devices deactivated (BAD_TOKEN)", [device_row(pb2.rid),
                                         device_row(pf2.rid)])

# 7. Registration blocked, then removed: silent pushes, then nothing.
user7 = "push-rm-" + secrets.token_hex(3)
p7 = Phone(app, user7, "rm-phone")
t7 = secrets.token_hex(32)
p7.register("apns", t7)
e.request("PUT", REG + "/" + p7.rid, body={"change": "BLOCK"}, auth=A)
wait_for(lambda: of_type(apns, t7, "mtoken.activationBlocked"), 15)
blk = (of_type(apns, t7, "mtoken.activationBlocked") or [{}])[0]
t.eq(((blk.get("body") or {}).get("activationId"),
      (blk.get("body") or {}).get("aps"),
      (blk.get("headers") or {}).get("apns-push-type")),
     (p7.rid, {"content-available": 1}, "background"),
     "blocked: a silent mtoken.activationBlocked")
e.request("DELETE", REG + "/" + p7.rid, auth=A)
wait_for(lambda: of_type(apns, t7, "mtoken.activationRemoved"), 15)
t.ok(of_type(apns, t7, "mtoken.activationRemoved"),
     "removed: a silent mtoken.activationRemoved")
t.eq(device_row(p7.rid)[3:], ["0", "REMOVED"],
     "DB: the removed registration's device is deactivated")
n7 = len(apns.got(lambda x: x["token"] == t7))
e.request("POST", "/powerauth-cloud/v2/messages/send", auth=A, body={
    "userId": user7, "appId": aid, "title": "anyone?"})
create_op(app, user7 + "-none")
time.sleep(1.5)
t.eq(len(apns.got(lambda x: x["token"] == t7)), n7,
     "no more pushes to the removed registration")

# 8. APNs down for a while, then up: the push arrives, once.
user8 = "push-down-" + secrets.token_hex(3)
p8 = Phone(app, user8, "down-phone")
t8 = secrets.token_hex(32)
p8.register("apns", t8)
apns.stop()
oid8 = create_op(app, user8)
time.sleep(DOWN)
att = e.mysql("SELECT status, attempts > 0 FROM push_delivery WHERE"
              " object_id = '%s'" % oid8).split()
t.eq(att, ["1", "1"], "APNs down %d s: the push is pending, retried" % DOWN)
apns.start()
t.ok(wait_for(lambda: of_type(apns, t8, "mtoken.operationInit"), 20),
     "APNs up again: the push arrives")
time.sleep(1)
t.eq((len(of_type(apns, t8, "mtoken.operationInit")),
      e.mysql("SELECT status FROM push_delivery WHERE object_id = '%s'"
              % oid8).strip()), (1, "2"), "delivered once, DELIVERED")
# FCM's 500 is retried too.
user8f = user8 + "-f"
p8f = Phone(app, user8f, "flaky-fcm")
t8f = "fcm:" + secrets.token_urlsafe(30)
p8f.register("fcm", t8f)
fcm.token_modes[t8f] = "500"
create_op(app, user8f)
wait_for(lambda: len(fcm.got(lambda x: x["token"] == t8f)) >= 2, 15)
fcm.token_modes[t8f] = "ok"
t.ok(wait_for(lambda: [x for x in fcm.got(lambda x: x["token"] == t8f)
                       if x["mode"] == "ok"], 15),
     "FCM answering 500: retried, then delivered")


# 9. A hanging APNs delays neither webhooks nor FCM.
class Receiver:
    def __init__(self):
        self.got = []
        rec = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                rec.got.append((time.time(), json.loads(self.rfile.read(n))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class S(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 64

        self.srv = S(("127.0.0.1", 0), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()


rcv = Receiver()
app9, _ = push_app("e2e-push-slow-")
e.request("POST", "/powerauth-cloud/v2/admin/applications/%s/callbacks"
          % app9.get("id"), auth=A, body={
              "name": "ops", "type": "OPERATION_STATUS_CHANGE",
              "callbackUrl": "http://127.0.0.1:%d/hook"
              % rcv.srv.server_address[1], "attributes": ["status"]})
user9 = "push-slow-" + secrets.token_hex(3)
hang_phones = []
for i in range(3):
    p = Phone(app9, user9, "hang-%d" % i)
    tok = secrets.token_hex(32)
    p.register("apns", tok)
    apns.token_modes[tok] = "hang"
    hang_phones.append(tok)
p9f = Phone(app9, user9, "fast-fcm")
t9f = "fcm:" + secrets.token_urlsafe(30)
p9f.register("fcm", t9f)
t0 = time.time()
ops9 = [create_op(app9, user9) for _ in range(3)]
fast_hooks = wait_for(lambda: {b.get("operationId") for _, b in rcv.got}
                      >= set(ops9), 10)
hook_s = time.time() - t0
t.ok(fast_hooks and hook_s < 5, "APNs hangs (%d pushes): the webhooks of "
     "the operations arrive in %.1f s" % (3 * len(ops9), hook_s))
fast_fcm = wait_for(lambda: {fcm_data(x).get("operationId") for x in
                             of_type(fcm, t9f, "mtoken.operationInit")}
                    >= set(ops9), 10)
t.ok(fast_fcm and time.time() - t0 < 6, "and FCM gets its pushes "
     "(%.1f s)" % (time.time() - t0))
hung = sorted((x["time"], x["conn"]) for x in apns.got(
    lambda x: x["token"] in hang_phones))


def conf_value(key, default):
    try:
        with open(e.CONF) as f:
            for line in f:
                k, _, v = line.partition("=")
                if k.strip() == key:
                    return int(v.strip())
    except (OSError, ValueError):
        pass
    return default


per = conf_value("push.per_platform", 8)
# Within the first attempts' timeout (push.timeout_ms) no slot frees up;
# a dispatcher speaks over one HTTP/2 connection (another test may run a
# second dispatcher for a while).
first = [c for tm, c in hung if tm - hung[0][0] < 1.0] if hung else []
t.ok(len(hung) >= min(per, 9) and
     max([first.count(c) for c in first] or [0]) <= per,
     "the hanging APNs was tried, at most push.per_platform (%d) at once "
     "per dispatcher (%d in the first second)" % (per, len(first)))
for tok in hang_phones:
    apns.token_modes[tok] = "ok"
t.ok(wait_for(lambda: all(len([x for x in of_type(apns, tok,
                                                  "mtoken.operationInit")
                               if x["mode"] == "ok"]) == len(ops9)
                          for tok in hang_phones), 40),
     "APNs answers again: the timed-out pushes are delivered")

# 10. Credentials replaced and deleted.
ec2, pub2 = pm.new_key(work, "ec")
apns.keys["KNEW1"] = (keys["team"], pub2)
r = e.request("PUT", push_path(aid, "apns"), auth=A, body={
    "topic": "com.example.mtoken", "keyId": "KNEW1", "teamId": keys["team"],
    "environment": "development", "privateKey": ec2})
t.eq((r.status, (r.json() or {}).get("keyId")), (200, "KNEW1"),
     "PUT .../push/apns replaces the key (PEM text)")


def kid(rec):
    jwt = rec["headers"].get("authorization", "")[7:]
    return json.loads(pm.b64url_decode(jwt.split(".")[0])).get("kid")


create_op(app, user)
t.ok(wait_for(lambda: [x for x in apns.got(lambda x: x["token"] == tok_a)
                       if x["jwt_error"] is None and kid(x) == "KNEW1"],
              15), "the next push is signed with the new key")
t.eq(e.request("DELETE", push_path(aid, "fcm"), auth=A).status, 204,
     "DELETE .../push/fcm: 204")
t.eq(e.request("DELETE", push_path(aid, "fcm"), auth=A).status, 400,
     "DELETE again: 400")
nf = len(fcm.got(lambda x: x["token"] == tok_f))
create_op(app, user)
time.sleep(1.5)
t.eq((len(fcm.got(lambda x: x["token"] == tok_f)), (e.request(
    "GET", push_path(aid), auth=A).json() or {}).get("fcm")), (nf, None),
     "without FCM credentials: no FCM pushes")
t.eq(e.request("GET", push_path("no-such-app"), auth=A).error_code(),
     "ERROR_APPLICATION_NOT_FOUND", "unknown application")
r = e.request("POST", "/powerauth-cloud/v2/messages/send", auth=U, body={
    "userId": user, "title": "from an integration user"})
t.eq((r.status, (r.json() or {}).get("devices")), (200, 1),
     "an integration user sends to its only application")

# 11. Housekeeping: finished pushes go after 7 days, pending ones stay.
ids = e.mysql("SELECT id FROM push_delivery WHERE object_id = '%s'"
              " ORDER BY id" % oid).split()
e.mysql("UPDATE push_delivery SET finished_at = UTC_TIMESTAMP(3) -"
        " INTERVAL 8 DAY WHERE id IN (%s)" % ",".join(ids[:2] or ["0"]))
for _ in range(20):
    p = subprocess.run([e.ADMIN_BIN, "-c", e.CONF, "housekeeping"],
                       capture_output=True, text=True)
    if "taken" in p.stdout:
        break
    time.sleep(0.5)
left = e.mysql("SELECT id FROM push_delivery WHERE object_id = '%s'"
               " ORDER BY id" % oid).split()
t.eq((len(ids), left), (4, ids[2:]),
     "housekeeping: pushes finished 8 days ago purged, newer ones kept")

apns.stop()
fcm.stop()
t.done()
