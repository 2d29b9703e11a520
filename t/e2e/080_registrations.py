#!/usr/bin/env python3
"""Integration API registrations (api.md 2.2, doc/registrations.md):
create as in the seed tutorial, code format and signature against the
application's master public key, detail, list (removed=true), DELETE,
incompleteStatusCheck, tenant isolation, bad input, OTP stored hashed."""
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(69)
A = e.admin_auth()
REG = "/powerauth-cloud/v2/registrations"
CODE_RE = re.compile(r"^[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{5}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}"
                     r"-[0-9a-f]{12}$")
# SubjectPublicKeyInfo prefix of an uncompressed P-256 point.
SPKI_P256 = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")


def admin_post(path, body):
    return e.admin_post(path, body, t)


def new_user(app=None):
    return e.new_user("e2e-reg-", app, t)


def verify_sig(pub_raw, code, sig_b64):
    """ECDSA-SHA256 over the code text, checked with the openssl CLI."""
    import base64
    with tempfile.TemporaryDirectory() as d:
        pem = os.path.join(d, "pub.pem")
        with open(pem, "w") as f:
            f.write("-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n"
                    % base64.b64encode(SPKI_P256 + pub_raw).decode())
        with open(os.path.join(d, "sig"), "wb") as f:
            f.write(base64.b64decode(sig_b64))
        with open(os.path.join(d, "msg"), "wb") as f:
            f.write(code.encode())
        p = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pem,
                            "-signature", os.path.join(d, "sig"),
                            os.path.join(d, "msg")], capture_output=True)
        return p.returncode == 0


def bad(r, code, name):
    t.ok(r.status == 400 and r.error_code() == code, name, r)


app_id = "e2e-regapp-" + secrets.token_hex(5)
app = admin_post("/admin/applications", {"id": app_id})
other_app = "e2e-regapp-" + secrets.token_hex(5)
admin_post("/admin/applications", {"id": other_app})
U = new_user(app_id)
U2 = new_user(other_app)
end_user = "end-user-1234-" + secrets.token_hex(3)

# The seed tutorial's create call.
r = e.request("POST", REG, body={"userId": end_user, "appId": app_id}, auth=U)
t.eq(r.status, 200, "create: 200")
c = r.json() or {}
t.eq(sorted(c.keys()), sorted(["activationQrCodeData", "activationCode",
                               "activationCodeSignature", "registrationId"]),
     "create: exactly the four fields")
code = c.get("activationCode", "")
sig = c.get("activationCodeSignature", "")
rid = c.get("registrationId", "")
t.ok(CODE_RE.match(code), "create: code format XXXXX-XXXXX-XXXXX-XXXXX", code)
t.ok(UUID_RE.match(rid), "create: registrationId is a UUID v4", rid)
t.eq(c.get("activationQrCodeData"), code + "#" + sig, "create: QR = code#signature")
try:
    pub = e.b64(app.get("masterServerPublicKey", ""))
    t.ok(verify_sig(pub, code, sig),
         "create: signature verifies with masterServerPublicKey")
    t.ok(not verify_sig(pub, code[:-1] + ("A" if code[-1] != "A" else "B"), sig),
         "create: signature does not verify another code")
except ValueError as ex:
    t.ok(False, "create: signature decodes", ex)
    t.skip(1, "no signature")

# Detail.
r = e.request("GET", REG + "/" + rid, auth=U,
              headers={"Content-Type": "application/json"})
t.eq(r.status, 200, "detail: 200")
d = r.json() or {}
t.eq(d.get("registrationId"), rid, "detail: registrationId")
t.eq(d.get("registrationStatus"), "CREATED", "detail: CREATED")
t.eq(d.get("applicationId"), app_id, "detail: applicationId")
t.eq(d.get("userId"), end_user, "detail: userId")
t.eq(d.get("flags"), [], "detail: flags []")
now = int(time.time() * 1000)
t.ok(isinstance(d.get("timestampCreated"), int) and
     abs(d["timestampCreated"] - now) < 120000,
     "detail: timestampCreated is epoch ms, recent", d.get("timestampCreated"))
t.ok(isinstance(d.get("timestampLastUsed"), int), "detail: timestampLastUsed")
t.eq((d.get("activationCode"), d.get("activationCodeSignature"),
      d.get("activationQrCodeData")), (code, sig, code + "#" + sig),
     "detail: code fields while CREATED")
t.ok("blockedReason" not in d, "detail: no blockedReason when not BLOCKED")
r = e.request("GET", REG + "/" + rid, auth=A)
t.eq(r.status, 200, "detail as admin: 200")

# Tenant isolation.
bad(e.request("GET", REG + "/" + rid, auth=U2), "ERROR_REGISTRATION_NOT_FOUND",
    "detail by a user not granted the app: ERROR_REGISTRATION_NOT_FOUND")
bad(e.request("DELETE", REG + "/" + rid, auth=U2),
    "ERROR_REGISTRATION_NOT_FOUND",
    "delete by a user not granted the app: ERROR_REGISTRATION_NOT_FOUND")
bad(e.request("POST", REG, body={"userId": end_user, "appId": app_id}, auth=U2),
    "ERROR_REQUEST", "create for an ungranted app: ERROR_REQUEST")
bad(e.request("POST", REG, body={"userId": end_user, "appId": "no-such-app"},
              auth=U), "ERROR_REQUEST", "create for an unknown app: ERROR_REQUEST")
bad(e.request("GET", REG + "/" + "0f8fad5b-d9cb-469f-a165-70867728950e", auth=U),
    "ERROR_REGISTRATION_NOT_FOUND", "unknown id: ERROR_REGISTRATION_NOT_FOUND")
bad(e.request("GET", REG + "/not-a-uuid", auth=U),
    "ERROR_REGISTRATION_NOT_FOUND", "malformed id: ERROR_REGISTRATION_NOT_FOUND")
r = e.request("GET", REG + "?userId=" + end_user, auth=U2)
t.eq((r.status, (r.json() or {}).get("registrations")), (200, []),
     "list by a user not granted the app: empty")

# incompleteStatusCheck.
bad(e.request("POST", REG + "?incompleteStatusCheck=true",
              body={"userId": end_user, "appId": app_id}, auth=U),
    "ERROR_REGISTRATION_NOT_ALLOWED",
    "incompleteStatusCheck=true with a CREATED one: ERROR_REGISTRATION_NOT_ALLOWED")
bad(e.request("POST", REG + "?incompleteStatusCheck=maybe",
              body={"userId": end_user, "appId": app_id}, auth=U),
    "ERROR_REQUEST", "incompleteStatusCheck=maybe: ERROR_REQUEST")

# Second one (mobile-only flow of the tutorial), OTP stored hashed.
otp = "otp-" + secrets.token_hex(6)
r = e.request("POST", REG + "?incompleteStatusCheck=false",
              body={"userId": end_user, "appId": app_id, "otp": otp,
                    "otpValidation": "ON_KEY_EXCHANGE", "flags": ["READONLY"]},
              auth=U)
t.eq(r.status, 200, "create with OTP (incompleteStatusCheck=false): 200")
rid2 = (r.json() or {}).get("registrationId", "")
t.ok(rid2 and rid2 != rid and (r.json() or {}).get("activationCode") != code,
     "second registration: new id and code")
r = e.request("GET", REG + "/" + rid2, auth=U)
t.eq((r.json() or {}).get("flags"), ["READONLY"], "second: flags kept")
if e.MYSQL:
    row = e.mysql("SELECT otp_hash, commit_phase, status FROM activation "
                  "WHERE id = '%s'" % rid2).split("\t")
    t.ok(len(row) == 3 and row[0].startswith("$y$") and otp not in row[0],
         "DB: OTP stored as a yescrypt hash only", row)
    t.eq([x.strip() for x in row[1:]], ["ON_KEY_EXCHANGE", "1"],
         "DB: commit phase and status")
    dump = e.mysql("SELECT CONCAT_WS('|', id, app_id, user_id, "
                   "activation_code, code_signature, server_private_key_enc, "
                   "HEX(server_public_key), otp_hash, commit_phase, flags, "
                   "COALESCE(name, ''), COALESCE(extras, '')) "
                   "FROM activation WHERE id = '%s'" % rid2)
    t.ok(otp not in dump, "DB: no clear OTP anywhere in the row")
    enc = e.mysql("SELECT LENGTH(server_private_key_enc), "
                  "LENGTH(server_public_key) FROM activation WHERE id = '%s'"
                  % rid).split()
    t.ok(len(enc) == 2 and int(enc[0]) > 40 and enc[1] == "65",
         "DB: encrypted server private key, 65-byte public key", enc)
else:
    t.skip(4, "PASERV_E2E_MYSQL not set")

# List.
r = e.request("GET", REG + "?userId=" + end_user, auth=U)
t.eq(r.status, 200, "list: 200")
regs = (r.json() or {}).get("registrations") or []
t.eq([x.get("registrationId") for x in regs], [rid2, rid], "list: both, newest first")
t.ok(all("activationCode" not in x and "activationQrCodeData" not in x
         for x in regs), "list: no code fields")
t.ok(all(x.get("registrationStatus") == "CREATED" and
         x.get("applicationId") == app_id for x in regs), "list: detail fields")

# DELETE.
r = e.request("DELETE", REG + "/" + rid, auth=U)
t.eq(r.status, 200, "delete: 200")
t.eq(r.json(), {"registrationId": rid, "registrationStatus": "REMOVED"},
     "delete: body")
r = e.request("GET", REG + "/" + rid, auth=U)
d = r.json() or {}
t.eq(d.get("registrationStatus"), "REMOVED", "detail after delete: REMOVED")
t.ok(not any(k in d for k in ("activationCode", "activationCodeSignature",
                              "activationQrCodeData")),
     "detail after delete: no code fields", d)
r = e.request("DELETE", REG + "/" + rid, auth=U)
t.eq(r.status, 200, "delete again: 200 (idempotent)")
if e.MYSQL:
    t.eq(e.mysql("SELECT COALESCE(activation_code, 'NULL'), status FROM "
                 "activation WHERE id = '%s'" % rid).split(), ["NULL", "5"],
         "DB: code cleared, status 5")
else:
    t.skip(1, "PASERV_E2E_MYSQL not set")
r = e.request("GET", REG + "?userId=" + end_user, auth=U)
t.eq([x.get("registrationId") for x in (r.json() or {}).get("registrations", [])],
     [rid2], "list: REMOVED left out")
r = e.request("GET", REG + "?userId=" + end_user + "&removed=true", auth=U)
lst = (r.json() or {}).get("registrations", [])
t.eq([(x.get("registrationId"), x.get("registrationStatus")) for x in lst],
     [(rid2, "CREATED"), (rid, "REMOVED")], "list removed=true: both")
bad(e.request("GET", REG, auth=U), "ERROR_REQUEST", "list without userId: ERROR_REQUEST")
bad(e.request("GET", REG + "?userId=x&bogus=1", auth=U), "ERROR_REQUEST",
    "list with an unknown query key: ERROR_REQUEST")

# Explicit expiry.
soon = int(time.time() * 1000) + 2000
r = e.request("POST", REG, body={"userId": end_user + "-exp", "appId": app_id,
                                 "timestampRegistrationExpire": soon}, auth=U)
t.eq(r.status, 200, "create with timestampRegistrationExpire: 200")
rid3 = (r.json() or {}).get("registrationId", "")
time.sleep(max(0, (soon - time.time() * 1000) / 1000) + 0.3)
d = e.request("GET", REG + "/" + rid3, auth=U).json() or {}
t.ok(d.get("registrationStatus") == "REMOVED" and "activationCode" not in d,
     "expired CREATED registration reads as REMOVED", d)
r = e.request("POST", REG + "?incompleteStatusCheck=true",
              body={"userId": end_user + "-exp", "appId": app_id}, auth=U)
t.eq(r.status, 200, "incompleteStatusCheck ignores an expired one")

# Bad input: 400 JSON, nothing written.
# (Counted within this test's application: other tests run in parallel.)
COUNT = "SELECT COUNT(*) FROM activation WHERE app_id = '%s'" % app_id
before = e.mysql(COUNT).strip() if e.MYSQL else None
cases = [
    ({"appId": app_id}, "missing userId"),
    ({"userId": "", "appId": app_id}, "empty userId"),
    ({"userId": "u" * 256, "appId": app_id}, "userId of 256 characters"),
    ({"userId": 42, "appId": app_id}, "userId a number"),
    ({"userId": end_user}, "missing appId"),
    ({"userId": end_user, "appId": app_id, "otp": 1234}, "otp a number"),
    ({"userId": end_user, "appId": app_id, "commitPhase": "LATER"},
     "unknown commitPhase"),
    ({"userId": end_user, "appId": app_id, "otpValidation": "SOMETIMES"},
     "unknown otpValidation"),
    ({"userId": end_user, "appId": app_id, "otpValidation": "ON_COMMIT"},
     "otpValidation without otp"),
    ({"userId": end_user, "appId": app_id, "flags": "READONLY"},
     "flags not an array"),
    ({"userId": end_user, "appId": app_id, "flags": [1]}, "flags of numbers"),
    ({"userId": end_user, "appId": app_id,
      "timestampRegistrationExpire": int(time.time() * 1000) - 1000},
     "past timestampRegistrationExpire"),
    ({"userId": end_user, "appId": app_id,
      "timestampRegistrationExpire": "1703852668813"},
     "timestampRegistrationExpire a string"),
    ({"userId": end_user, "appId": app_id,
      "timestampRegistrationExpire": 1.5e12}, "timestampRegistrationExpire a float"),
    ('{"userId": "%s", "appId": "%s"' % (end_user, app_id), "truncated JSON"),
    ("[1, 2]", "an array body"),
]
for body, what in cases:
    bad(e.request("POST", REG, body=body, auth=U), "ERROR_REQUEST",
        "create with %s: 400 ERROR_REQUEST" % what)
if e.MYSQL:
    t.eq(e.mysql(COUNT).strip(), before,
         "bad input wrote nothing")
else:
    t.skip(1, "PASERV_E2E_MYSQL not set")
r = e.request("POST", REG, body={"userId": end_user, "appId": app_id})
t.eq(r.status, 401, "create without credentials: 401")
t.done()
