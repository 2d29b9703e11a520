#!/usr/bin/env python3
"""Temporary encryption keys of protocol 3.3 (/pa/v3/keystore/create) in
both scopes: the phone accepts the server's ES256 answer (signature,
challenge, application key, activation id), the key is stored with its
expiry, activation scope needs an ACTIVE or BLOCKED activation of the same
application, and a key of one scope or application does not open another's
envelopes."""
import base64
import json
import os
import secrets
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(16)
A = e.admin_auth()
REG = "/powerauth-cloud/v2/registrations"
K = "/pa/v3/keystore/create"
work = tempfile.mkdtemp(prefix="paserv-e2e-ks-")


def admin_post(path, body):
    return e.admin_post(path, body, t)


def claims(jwt):
    p = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


app_id = "e2e-ks-" + secrets.token_hex(5)
SDK = admin_post("/admin/applications", {"id": app_id}).get(
    "mobileSdkConfig", "")
c = admin_post("/v2/registrations", {"userId": "ks-user", "appId": app_id,
                                     "commitPhase": "ON_KEY_EXCHANGE"})
rid = c.get("registrationId", "")
d = e.Device(work, "phone")
d.setup(SDK, "3.3")
got = d.activate(c.get("activationQrCodeData", ""))
t.ok(got is not None, "3.3 activation (uses an application-scope key)",
     d.last)
ks = d.exchanges(K)
app_scope = claims(json.loads(ks[0]["response"])["responseObject"]["jwt"]) \
    if ks else {}
t.ok(ks and ks[0]["status"] == 200 and "activationId" not in app_scope,
     "application-scope key issued", ks[:1])
now = int(time.time() * 1000)
t.ok(abs(app_scope.get("iat_ms", 0) - now) < 60000 and
     app_scope.get("exp_ms", 0) - app_scope.get("iat_ms", 0) == 300000,
     "iat_ms is the server time, exp_ms 300 s later", app_scope)
t.eq(app_scope.get("exp"), app_scope.get("exp_ms", 0) // 1000,
     "exp is exp_ms in seconds")
row = e.mysql("SELECT activation_id IS NULL, CAST(ROUND(UNIX_TIMESTAMP("
              "expires_at) * 1000) AS SIGNED) FROM temporary_key"
              " WHERE id = '%s'" % app_scope.get("sub", "")).split()
t.eq(row, ["1", str(app_scope.get("exp_ms"))],
     "stored: application scope, expiring at exp_ms")

# Activation scope: the device asks for one before token/create (the
# token endpoint itself belongs to the authentication endpoints).
d.run("token-create")
ks = d.exchanges(K)
act = [x for x in ks if x["status"] == 200 and "activationId" in claims(
    json.loads(x["response"])["responseObject"]["jwt"])]
t.ok(act, "activation-scope key issued", ks)
cl = claims(json.loads(act[0]["response"])["responseObject"]["jwt"]) \
    if act else {}
t.eq(cl.get("activationId"), rid, "its activationId is the activation")
after = [x["path"] for x in d.exchanges()]
t.ok("/pa/v3/token/create" in after,
     "the phone accepted the ES256 answer (went on to token/create)")

# Replaying the activation-scope request JWT: a fresh key each time, and
# a BLOCKED activation still gets one; a REMOVED one does not.
req = act[0]["body"] if act else "{}"
r = e.request("POST", "/enrollment-server" + K, body=req)
t.eq(r.status, 200, "the same JWT again: another key (keys are not "
     "single-use; envelopes are)")
e.request("PUT", REG + "/" + rid, body={"change": "BLOCK"}, auth=A)
r = e.request("POST", "/enrollment-server" + K, body=req)
t.eq(r.status, 200, "BLOCKED activation: key issued")
e.request("DELETE", REG + "/" + rid, auth=A)
r = e.request("POST", "/enrollment-server" + K, body=req)
t.ok(r.status == 400 and r.error_code() == "ERR_TEMPORARY_KEY",
     "REMOVED activation: ERR_TEMPORARY_KEY", r)

# A key of activation scope does not open an application-scope envelope.
c2 = admin_post("/v2/registrations", {"userId": "ks-user", "appId": app_id})
d2 = e.Device(work, "phone2")
d2.setup(SDK, "3.3")
d2.activate(c2.get("activationQrCodeData", ""))
x = d2.exchanges("/pa/v3/activation/create")
t.ok(x and x[0]["status"] == 200, "second phone activated")
if x and cl.get("sub"):
    env = json.loads(x[0]["body"])
    env["temporaryKeyId"] = cl["sub"]
    r = e.resend(x[0], body=json.dumps(env))
    t.ok(r.status == 400 and r.error_code() == "ERR_TEMPORARY_KEY",
         "activation-scope key named in an application-scope envelope: "
         "ERR_TEMPORARY_KEY", r)
else:
    t.ok(False, "traces for the scope check")
# An expired key is unusable at once.
e.mysql("UPDATE temporary_key SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1"
        " SECOND WHERE id = '%s'" % app_scope.get("sub", ""))
x = d.exchanges("/pa/v3/activation/create")
env = json.loads(x[0]["body"]) if x else {}
r = e.resend(x[0], body=json.dumps(env)) if x else None
t.ok(r is not None and r.status == 400 and
     r.error_code() == "ERR_TEMPORARY_KEY",
     "envelope under an expired key: ERR_TEMPORARY_KEY", r)
# Another application's app key in the request JWT claims: no such key
# pair of secrets, so the HS256 check fails.
other = admin_post("/admin/applications",
                   {"id": "e2e-ks-" + secrets.token_hex(5)})
jwt = json.loads(ks[0]["body"])["requestObject"]["jwt"] if ks else "a.b.c"
h, p, s = jwt.split(".")
cl0 = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
cl0["applicationKey"] = other.get("appKey", "")
p2 = base64.urlsafe_b64encode(json.dumps(cl0).encode()).decode().rstrip("=")
r = e.request("POST", "/enrollment-server" + K,
              body={"requestObject": {"jwt": h + "." + p2 + "." + s}})
t.ok(r.status == 400 and r.error_code() == "ERR_TEMPORARY_KEY",
     "JWT claiming another application: ERR_TEMPORARY_KEY", r)
n = int(e.mysql("SELECT COUNT(*) FROM temporary_key t JOIN app_version v"
                " ON v.app_key = t.app_key WHERE v.app_id = '%s'"
                % other.get("id", "")).strip() or 0)
t.eq(n, 0, "... and no key was stored for it")
t.done()
