#!/usr/bin/env python3
"""MAC tokens, the secure vault, signature/validate, offline signatures and
the upgrade endpoints, for protocol 3.0-3.3 (protocol.md §5.6, §7, §8,
§9.1): token create -> verify -> replay -> stale/future timestamp ->
remove; vault unlock gives the same 16-byte key twice; offline signature
valid/invalid/replayed; upgrade answers ERR_UPGRADE."""
import base64
import json
import os
import secrets
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

VERSIONS = ["3.0", "3.1", "3.2", "3.3"]
t = e.Tap(len(VERSIONS) * 18 + 6)
TOKEN = "/powerauth-cloud/v2/token/verify"
OFFLINE = "/powerauth-cloud/v2/signature/offline/verify"
REG = "/powerauth-cloud/v2/registrations"
work = tempfile.mkdtemp(prefix="paserv-e2e-tok-")
app = e.new_app("e2e-tok-", t)
app_id = app.get("id", "")
U = e.new_user("e2e-tok-", app_id, t)
OTHER = e.new_user("e2e-tok-other-", e.new_app("e2e-tok-", t).get("id"), t)


def activated(version, name):
    return e.active_device(app, "tok-user-" + secrets.token_hex(3), work, name,
                           version, t)


def token_verify(header, auth=U):
    r = e.request("POST", TOKEN, body={"authHeader": header}, auth=auth)
    return r.json() or {} if r.status == 200 else {"http": r.status}


for v in VERSIONS:
    rid, d = activated(v, "tok-" + v)
    rc, tid, err = d.run("token-create", "--type", "possession_biometry")
    t.ok(rc == 0 and len(tid) == 36, "%s: token created" % v, err)
    h = d.run("token-header", tid)[1]
    a = token_verify(h)
    t.ok(a.get("tokenValid") is True and a.get("registrationId") == rid and
         a.get("signatureType") == "possession_biometry" and
         a.get("registrationStatus") == "ACTIVE",
         "%s: token verifies, created by possession_biometry" % v, a)
    t.eq(token_verify(h).get("tokenValid"), False,
         "%s: the same header again (nonce replay): false" % v)
    t.eq(token_verify(d.run("token-header", tid)[1]).get("tokenValid"),
         True, "%s: a fresh header: valid" % v)
    old = d.run("token-header", tid, skew_ms=-3 * 3600 * 1000)[1]
    t.eq(token_verify(old).get("tokenValid"), False,
         "%s: timestamp 3 h old: false" % v)
    ahead = d.run("token-header", tid, skew_ms=3600 * 1000)[1]
    t.eq(token_verify(ahead).get("tokenValid"), False,
         "%s: timestamp 1 h ahead: false" % v)
    a = token_verify(d.run("token-header", tid)[1], auth=OTHER)
    t.ok(a.get("tokenValid") is False and "userId" not in a,
         "%s: another tenant: false, nothing disclosed" % v, a)
    bad = d.run("token-header", tid)[1]
    dig = bad.split('token_digest="')[1].split('"')[0]
    raw = bytearray(base64.b64decode(dig))
    raw[0] ^= 1
    bad = bad.replace(dig, base64.b64encode(bytes(raw)).decode())
    t.eq(token_verify(bad).get("tokenValid"), False,
         "%s: tampered digest: false" % v)
    r = e.request("POST", TOKEN, body={"authHeader": "PowerAuth x"}, auth=U)
    t.ok(r.status == 400 and r.error_code() == "ERROR_TOKEN_INVALID",
         "%s: malformed token header: ERROR_TOKEN_INVALID" % v, r)
    # Removal (signed, any type).
    rc, out, err = d.run("call", "/pa/v3/token/remove", "/pa/token/remove",
                         "--body", json.dumps({"requestObject":
                                               {"tokenId": tid}}),
                         "--type", "possession")
    t.ok(rc == 0 and out.startswith("200 "), "%s: token removed" % v,
         (out, err))
    t.eq(token_verify(d.run("token-header", tid)[1]).get("tokenValid"),
         False, "%s: removed token: false" % v)
    # The vault.
    k1 = d.run("vault-unlock")
    k2 = d.run("vault-unlock")
    t.ok(k1[0] == 0 and k1[1] == k2[1] and
         len(base64.b64decode(k1[1] or "")) == 16,
         "%s: vault unlock twice: the same 16-byte key" % v, (k1, k2))
    # signature/validate.
    rc, out, _ = d.run("call", "/pa/v3/signature/validate",
                       "/pa/signature/validate")
    t.eq(out, '200 {"status":"OK"}', "%s: signature/validate: OK" % v)
    rc, out, _ = d.run("call", "/pa/v3/signature/validate",
                       "/pa/signature/validate", "--wrong-knowledge")
    t.ok(out.startswith("401 ") and "ERR_AUTHENTICATION" in out,
         "%s: signature/validate, wrong PIN: 401 ERR_AUTHENTICATION" % v, out)
    # Offline signature.
    nonce = base64.b64encode(os.urandom(16)).decode()
    body = "5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6&A1*A100CZK"
    s = d.run("sign-offline", "/operation/authorize/offline", nonce,
              "--body", body)[1]
    data = "POST&%s&%s&%s" % (
        base64.b64encode(b"/operation/authorize/offline").decode(), nonce,
        base64.b64encode(body.encode()).decode())
    req = {"registrationId": rid, "data": data, "signature": s}
    a = e.request("POST", OFFLINE, body=req, auth=U).json() or {}
    t.ok(a.get("signatureValid") is True and
         a.get("signatureType") == "possession_knowledge",
         "%s: offline signature: valid" % v, a)
    a = e.request("POST", OFFLINE, body=req, auth=U).json() or {}
    t.eq(a.get("signatureValid"), False, "%s: offline replay: false" % v)
    wrong = dict(req, data=data.replace(nonce, base64.b64encode(
        os.urandom(16)).decode()))
    a = e.request("POST", OFFLINE, body=wrong, auth=U).json() or {}
    t.eq(a.get("signatureValid"), False,
         "%s: offline signature over other data: false" % v)
    # Tokens stop working with the activation.
    rc, tid2, _ = d.run("token-create")
    e.request("PUT", REG + "/" + rid, body={"change": "BLOCK"}, auth=U)
    a = token_verify(d.run("token-header", tid2)[1])
    t.eq((a.get("tokenValid"), a.get("registrationStatus")),
         (False, "BLOCKED"), "%s: token of a BLOCKED registration: false" % v)

# Offline: component length, biometry, malformed input.
rid, d = activated("3.3", "offline")
nonce = base64.b64encode(os.urandom(16)).decode()
s = d.run("sign-offline", "/op", nonce, "--body", "x", "--digits", "6",
          "--type", "possession_biometry")[1]
data = "POST&%s&%s&%s" % (base64.b64encode(b"/op").decode(), nonce,
                          base64.b64encode(b"x").decode())
req = {"registrationId": rid, "data": data, "signature": s,
       "componentLength": 6}
a = e.request("POST", OFFLINE, body=req, auth=U).json() or {}
t.eq(a.get("signatureValid"), False,
     "offline possession_biometry without allowBiometry: false")
s = d.run("sign-offline", "/op", nonce, "--body", "x", "--digits", "6",
          "--type", "possession_biometry")[1]
a = e.request("POST", OFFLINE, body=dict(req, signature=s,
                                         allowBiometry=True), auth=U).json()
t.ok((a or {}).get("signatureValid") is True and
     a.get("signatureType") == "possession_biometry",
     "offline possession_biometry with allowBiometry, 6 digits: valid", a)
r = e.request("POST", OFFLINE, body=dict(req, data="nonsense"), auth=U)
t.ok(r.status == 400 and r.error_code() == "ERROR_SIGNATURE_INVALID",
     "offline: malformed data: ERROR_SIGNATURE_INVALID", r)
r = e.request("POST", OFFLINE, body=dict(req, signature="12-34"), auth=U)
t.ok(r.status == 400 and r.error_code() == "ERROR_SIGNATURE_INVALID",
     "offline: malformed signature: ERROR_SIGNATURE_INVALID", r)

# Upgrade: no protocol-2 activations exist.
for path in ("/pa/v3/upgrade/start", "/pa/v3/upgrade/commit"):
    r = e.request("POST", "/enrollment-server" + path, body={})
    t.ok(r.status == 400 and r.error_code() == "ERR_UPGRADE",
         "%s: 400 ERR_UPGRADE" % path, r)
t.done()
