#!/usr/bin/env python3
"""Bad input on the mobile registration endpoints (issue "registration end
to end", done-when 3): wrong app key, wrong / reused activation code,
tampered ECIES MAC, replayed envelope, stale timestamp, wrong version
header, unknown temporary key, truncated JSON, oversized fields, bad
signatures. Every answer is a 4xx JSON error and nothing is half-written."""
import base64
import json
import os
import secrets
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(54)
A = e.admin_auth()
REG = "/powerauth-cloud/v2/registrations"
CREATE = "/pa/v3/activation/create"
work = tempfile.mkdtemp(prefix="paserv-e2e-acterr-")


def admin_post(path, body):
    return e.admin_post(path, body, t)


app_id = "e2e-acterr-" + secrets.token_hex(5)
app = admin_post("/admin/applications", {"id": app_id})
other = admin_post("/admin/applications",
                   {"id": "e2e-acterr-" + secrets.token_hex(5)})
SDK = app.get("mobileSdkConfig", "")
user = "end-user-" + secrets.token_hex(4)


def create(**extra):
    body = {"userId": user, "appId": app_id}
    body.update(extra)
    c = e.request("POST", REG, body=body, auth=A).json() or {}
    return c.get("registrationId", ""), c.get("activationQrCodeData", "")


def status_of(rid):
    return (e.request("GET", REG + "/" + rid, auth=A).json() or {}) \
        .get("registrationStatus")


def row(rid):
    return e.mysql("SELECT status, device_public_key IS NULL,"
                   " master_secret_enc IS NULL, failed_attempts"
                   " FROM activation WHERE id = '%s'" % rid).split()


UNTOUCHED = ["1", "1", "1", "0"]


def err(r, status, code, name):
    t.ok(r.status == status and r.error_code() == code and
         (r.header("Content-Type") or "").startswith("application/json"),
         name, r)


def device(name, version="3.3"):
    d = e.Device(work, name)
    d.setup(SDK, version)
    return d


# A successful key exchange per version, traced, to replay and tamper with.
traced = {}
for v in ("3.0", "3.1", "3.2", "3.3"):
    rid, qr = create()
    d = device("ok-" + v, v)
    got = d.activate(qr)
    x = d.exchanges(CREATE)
    traced[v] = (rid, x[-1] if x else None)
    t.ok(got is not None and x and x[-1]["status"] == 200,
         "%s: traced key exchange succeeded" % v, d.last)

for v in ("3.0", "3.1", "3.2", "3.3"):
    rid, x = traced[v]
    if x is None:
        t.skip(2, "no trace")
        continue
    err(e.resend(x), 400, "ERR_ENCRYPTION",
        "%s: the same envelope again: refused as a replay" % v)
    env = json.loads(x["body"])
    mac = bytearray(base64.b64decode(env["mac"]))
    mac[0] ^= 1
    env["mac"] = base64.b64encode(bytes(mac)).decode()
    err(e.resend(x, body=json.dumps(env)), 400, "ERR_ENCRYPTION",
        "%s: tampered MAC: ERR_ENCRYPTION" % v)

# Envelopes refused before the code is looked at leave a registration
# untouched (rid stays CREATED through all of them and works at the end).
rid, qr = create()
base = traced["3.3"][1]
hdr = dict(h.split(": ", 1) for h in base["headers"])["X-PowerAuth-Encryption"]
good_body = base["body"]
err(e.resend(base, headers={"X-PowerAuth-Encryption":
                            hdr.replace('version="3.3"', 'version="3.4"')}),
    400, "ERR_ENCRYPTION", "version 3.4 in the header: ERR_ENCRYPTION")
err(e.resend(base, headers={"X-PowerAuth-Encryption":
                            hdr.replace('version="3.3"', 'version="3.2"')}),
    400, "ERR_ENCRYPTION",
    "3.3 envelope announced as 3.2 (temporaryKeyId not allowed): refused")
err(e.resend(base, headers={"X-PowerAuth-Encryption": "PowerAuth nonsense"}),
    400, "ERR_ENCRYPTION", "garbage X-PowerAuth-Encryption: ERR_ENCRYPTION")
hv = {k: v for k, v in (h.split(": ", 1) for h in base["headers"])}
del hv["X-PowerAuth-Encryption"]
r = e.request("POST", "/enrollment-server" + CREATE, body=good_body,
              headers=hv)
err(r, 400, "ERR_ENCRYPTION", "no X-PowerAuth-Encryption: ERR_ENCRYPTION")
other_key = other.get("appKey", "")
err(e.resend(base, headers={"X-PowerAuth-Encryption": hdr.replace(
    app.get("appKey", "?"), other_key)}), 400, "ERR_TEMPORARY_KEY",
    "3.3: another application's app key: the temporary key is not its own")
b32 = traced["3.2"][1]
h32 = dict(h.split(": ", 1) for h in b32["headers"])["X-PowerAuth-Encryption"]
err(e.resend(b32, headers={"X-PowerAuth-Encryption": h32.replace(
    app.get("appKey", "?"), other_key)}), 400, "ERR_ENCRYPTION",
    "3.2: another application's app key: ERR_ENCRYPTION")
rnd = base64.b64encode(secrets.token_bytes(16)).decode()
err(e.resend(base, headers={"X-PowerAuth-Encryption": hdr.replace(
    app.get("appKey", "?"), rnd)}), 400, "ERR_ENCRYPTION",
    "an unknown app key: ERR_ENCRYPTION")
withid = hdr + ', activation_id="%s"' % rid
err(e.resend(base, headers={"X-PowerAuth-Encryption": withid}), 400,
    "ERR_ENCRYPTION", "activation scope header on activation/create: refused")
env = json.loads(good_body)
env["temporaryKeyId"] = "0f8fad5b-d9cb-469f-a165-70867728950e"
err(e.resend(base, body=json.dumps(env)), 400, "ERR_TEMPORARY_KEY",
    "unknown temporaryKeyId: ERR_TEMPORARY_KEY")
err(e.resend(base, body=good_body[:len(good_body) // 2]), 400,
    "ERROR_REQUEST", "truncated JSON: ERROR_REQUEST")
err(e.resend(base, body="[1,2]"), 400, "ERROR_REQUEST",
    "JSON array instead of an object: ERROR_REQUEST")
env = json.loads(good_body)
del env["mac"]
err(e.resend(base, body=json.dumps(env)), 400, "ERR_ENCRYPTION",
    "envelope without mac: ERR_ENCRYPTION")
env = json.loads(good_body)
env["encryptedData"] = "A" * 2000000
r = e.resend(base, body=json.dumps(env))
t.ok(r.status == 413 and r.error_code() == "ERROR_REQUEST_TOO_LARGE",
     "2 MB envelope: 413 ERROR_REQUEST_TOO_LARGE", r)
t.eq(row(rid), UNTOUCHED, "after all that the registration is untouched")

# Stale or future timestamps (3.2+): a phone with a wrong clock.
d = device("skewed", "3.2")
t.ok(d.activate(qr, skew_ms=-3600 * 1000) is None and
     "ERR_ENCRYPTION" in d.last[2], "timestamp an hour old: ERR_ENCRYPTION",
     d.last)
t.ok(d.activate(qr, skew_ms=3600 * 1000) is None and
     "ERR_ENCRYPTION" in d.last[2], "timestamp an hour ahead: ERR_ENCRYPTION",
     d.last)
t.eq(row(rid), UNTOUCHED, "skewed clocks: registration untouched")

# Codes.
d = device("codes", "3.1")
t.ok(d.activate("AAAAA-AAAAA-AAAAA-AAAAA") is None and
     "ERR_ACTIVATION" in d.last[2], "unknown activation code: ERR_ACTIVATION",
     d.last)
rid2, qr2 = create()
d2 = device("first", "3.2")
d2.activate(qr2)
t.ok(d.activate(qr2) is None and "ERR_ACTIVATION" in d.last[2],
     "a code already used: ERR_ACTIVATION", d.last)
t.eq(status_of(rid2), "PENDING_COMMIT", "the first phone keeps it")
rid3, qr3 = create()
e.request("DELETE", REG + "/" + rid3, auth=A)
t.ok(d.activate(qr3) is None and "ERR_ACTIVATION" in d.last[2],
     "the code of a deleted registration: ERR_ACTIVATION", d.last)
# Another application's code, through this application's credentials.
oid = other.get("id", "")
c = e.request("POST", REG, body={"userId": user, "appId": oid}, auth=A).json()
t.ok(d.activate((c or {}).get("activationCode", "x")) is None,
     "another application's code: refused")
t.eq((e.request("GET", REG + "/" + (c or {}).get("registrationId", "x"),
                auth=A).json() or {}).get("registrationStatus"), "CREATED",
     "... and that registration stays CREATED")

# Oversized / malformed fields inside the encrypted payload.
t.ok(d.activate(qr, name="N" * 256) is None and "ERR_ACTIVATION" in d.last[2],
     "activationName of 256 characters: ERR_ACTIVATION", d.last)
t.ok(d.activate(qr, name="bad\nname") is None,
     "activationName with a control character: refused")
t.ok(d.activate(qr, otp="x" * 65) is None, "activationOtp of 65: refused")
t.eq(row(rid), UNTOUCHED, "oversized fields: registration untouched")
got = device("finally", "3.3").activate(qr)
t.ok(got is not None and got[0] == rid,
     "after every refusal the right request still works", got)

# /pa/v3/activation/status input.
S = "/enrollment-server/pa/v3/activation/status"
err(e.request("POST", S, body={"requestObject": {"activationId": "nope"}}),
    400, "ERROR_REQUEST", "status: malformed activationId: ERROR_REQUEST")
err(e.request("POST", S, body={"activationId": rid}), 400, "ERROR_REQUEST",
    "status: body not wrapped in requestObject: ERROR_REQUEST")
err(e.request("POST", S, body={"requestObject": {"activationId": rid,
                                                 "challenge": "AAAA"}}),
    400, "ERROR_REQUEST", "status: challenge not 16 bytes: ERROR_REQUEST")
r = e.request("POST", S, body={"requestObject": {
    "activationId": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "challenge": base64.b64encode(secrets.token_bytes(16)).decode()}})
ro = (r.json() or {}).get("responseObject", {})
t.ok(r.status == 200 and len(base64.b64decode(ro.get("encryptedStatusBlob",
                                                      ""))) == 32
     and len(base64.b64decode(ro.get("nonce", ""))) == 16,
     "status of an unknown id: 200 with 32 random bytes and a nonce", r)

# Removal needs a valid 2FA signature.
R = "/enrollment-server/pa/v3/activation/remove"
err(e.request("POST", R, body={}), 401, "ERR_AUTHENTICATION",
    "remove without a signature: 401 ERR_AUTHENTICATION")
dg = device("sig", "3.3")
rid4, qr4 = create(commitPhase="ON_KEY_EXCHANGE")
dg.activate(qr4)
rc, hdr4, _ = dg.run("sign", "POST", "/pa/activation/remove", "--body", "{}",
                     "--wrong-knowledge")
r = e.request("POST", R, body="{}",
              headers={"X-PowerAuth-Authorization": hdr4})
err(r, 401, "ERR_AUTHENTICATION", "remove with a wrong PIN: 401")
t.eq((status_of(rid4), row(rid4)[3]), ("ACTIVE", "1"),
     "wrong PIN: still ACTIVE, one failed attempt")
rc, hdr5, _ = dg.run("sign", "POST", "/pa/activation/remove", "--body", "{}",
                     "--type", "possession")
err(e.request("POST", R, body="{}",
              headers={"X-PowerAuth-Authorization": hdr5}), 401,
    "ERR_AUTHENTICATION", "remove with a possession-only signature: 401")
rc, hdr6, _ = dg.run("sign", "POST", "/pa/activation/remove", "--body", "{}")
err(e.request("POST", R, body='{"x":1}',
              headers={"X-PowerAuth-Authorization": hdr6}), 401,
    "ERR_AUTHENTICATION", "remove with a body other than the signed one: 401")
t.eq(status_of(rid4), "ACTIVE", "still ACTIVE after the refusals")
err(e.request("POST", R, body="{}",
              headers={"X-PowerAuth-Authorization": "PowerAuth junk"}), 401,
    "ERR_AUTHENTICATION", "remove with a malformed header: 401")

# Keystore.
K = "/enrollment-server/pa/v3/keystore/create"
err(e.request("POST", K, body={"requestObject": {"jwt": "a.b.c"}}), 400,
    "ERR_TEMPORARY_KEY", "keystore: malformed JWT: ERR_TEMPORARY_KEY")
x = device("ks", "3.3")
x.activate(create()[1])
ks = x.exchanges("/pa/v3/keystore/create")
if ks:
    jwt = json.loads(ks[0]["body"])["requestObject"]["jwt"]
    h, p, s = jwt.split(".")
    bad = h + "." + p + "." + ("A" if s[0] != "A" else "B") + s[1:]
    err(e.request("POST", K, body={"requestObject": {"jwt": bad}}), 400,
        "ERR_TEMPORARY_KEY", "keystore: wrong JWT signature: ERR_TEMPORARY_KEY")
else:
    t.ok(False, "keystore: traced request")
err(e.request("POST", K, body={"requestObject": {}}), 400, "ERROR_REQUEST",
    "keystore: no jwt: ERROR_REQUEST")
t.done()
