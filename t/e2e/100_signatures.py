#!/usr/bin/env python3
"""Signature verification for back ends (/v2/signature/verify, api.md
§2.3; protocol.md §5.5) with signatures made by pa-device, for protocol
3.0-3.3 and all six factor types: valid -> true; wrong PIN -> false and
remainingAttempts down; 5 steps ahead -> valid; 25 ahead -> invalid; exact
replay -> invalid; max failures -> BLOCKED (MAX_FAILED_ATTEMPTS) -> UNBLOCK
resets; possession-only failures are not counted; GET with queryParams;
tenant isolation; malformed headers."""
import base64
import json
import os
import secrets
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

VERSIONS = ["3.0", "3.1", "3.2", "3.3"]
TYPES = ["possession", "knowledge", "biometry", "possession_knowledge",
         "possession_biometry", "possession_knowledge_biometry"]
t = e.Tap(len(VERSIONS) * (len(TYPES) + 15) + 10)
REG = "/powerauth-cloud/v2/registrations"
VERIFY = "/powerauth-cloud/v2/signature/verify"
work = tempfile.mkdtemp(prefix="paserv-e2e-sig-")
app = e.new_app("e2e-sig-", t)
app_id = app.get("id", "")
U = e.new_user("e2e-sig-", app_id, t)
OTHER = e.new_user("e2e-sig-other-", e.new_app("e2e-sig-", t).get("id"), t)


def activated(version, name):
    return e.active_device(app, "sig-user-" + secrets.token_hex(3), work, name,
                           version, t)


def sign(d, body="{}", method="POST", uri="/login", typ=None, wrong=False):
    args = ["sign", method, uri, "--body", body]
    if typ:
        args += ["--type", typ]
    if wrong:
        args.append("--wrong-knowledge")
    return d.run(*args)[1]


def verify(header, body="{}", method="POST", uri="/login", auth=U,
           query=None):
    req = {"method": method, "uriId": uri, "authHeader": header}
    if query is not None:
        req["queryParams"] = query
    else:
        req["requestBody"] = base64.b64encode(body.encode()).decode()
    r = e.request("POST", VERIFY, body=req, auth=auth)
    return r.json() or {} if r.status == 200 else {"http": r.status}


for v in VERSIONS:
    rid, d = activated(v, "sig-" + v)
    for typ in TYPES:
        body = json.dumps({"amount": 100, "type": typ})
        a = verify(sign(d, body, typ=typ), body)
        t.ok(a.get("signatureValid") is True and
             a.get("signatureType") == typ and a.get("registrationId") ==
             rid, "%s %s: valid" % (v, typ), a)
    a = verify(sign(d, typ="possession_knowledge", wrong=True))
    t.eq((a.get("signatureValid"), a.get("remainingAttempts")), (False, 4),
         "%s: wrong PIN: false, 4 attempts left" % v)
    a = verify(sign(d, typ="possession_knowledge", wrong=True))
    t.eq(a.get("remainingAttempts"), 3, "%s: another wrong PIN: 3 left" % v)
    a = verify(sign(d))
    t.eq((a.get("signatureValid"), a.get("remainingAttempts")), (True, 5),
         "%s: right PIN again: valid, attempts reset to 5" % v)
    for _ in range(5):
        sign(d)
    h = sign(d)
    a = verify(h)
    t.eq(a.get("signatureValid"), True,
         "%s: device 5 steps ahead (unsent signatures): valid" % v)
    a = verify(h)
    t.eq((a.get("signatureValid"), a.get("remainingAttempts")), (False, 4),
         "%s: exact replay: false (and counted)" % v)
    a = verify(sign(d, typ="possession"), body="{\"x\":1}")
    t.eq((a.get("signatureValid"), a.get("remainingAttempts")), (False, 4),
         "%s: wrong possession-only signature: false, not counted" % v)
    a = verify(sign(d, '', "GET", "/accounts", "possession_knowledge"),
               method="GET", uri="/accounts", query={})
    t.eq(a.get("signatureValid"), True, "%s: GET without query: valid" % v)
    # The phone signs the canonical query (sorted, form-encoded).
    q = sign(d, "a=1&b=x+y", "GET", "/accounts")
    a = verify(q, method="GET", uri="/accounts", query={"b": "x y", "a": "1"})
    t.eq(a.get("signatureValid"), True,
         "%s: GET with queryParams (any order): valid" % v)
    a = verify(sign(d), auth=OTHER)
    t.ok(a.get("signatureValid") is False and
         a.get("registrationStatus") == "REMOVED" and "userId" not in a,
         "%s: another tenant's registration: like unknown" % v, a)
    a = verify(sign(d))
    t.eq((a.get("signatureValid"), a.get("remainingAttempts")), (True, 5),
         "%s: the other tenant's try was not counted" % v)
    for _ in range(25):
        sign(d)
    a = verify(sign(d))
    t.eq(a.get("signatureValid"), False, "%s: 25 steps ahead: invalid" % v)
    # Blocking: a fresh registration, five wrong PINs.
    rid2, d2 = activated(v, "block-" + v)
    for i in range(5):
        a = verify(sign(d2, wrong=True))
    t.eq((a.get("signatureValid"), a.get("registrationStatus"),
          a.get("remainingAttempts")), (False, "BLOCKED", 0),
         "%s: 5th wrong PIN: BLOCKED, 0 left" % v)
    g = e.request("GET", REG + "/" + rid2, auth=U).json() or {}
    t.eq((g.get("registrationStatus"), g.get("blockedReason")),
         ("BLOCKED", "MAX_FAILED_ATTEMPTS"),
         "%s: registration BLOCKED with MAX_FAILED_ATTEMPTS" % v)
    a = verify(sign(d2))
    t.eq(a.get("signatureValid"), False, "%s: BLOCKED: right PIN refused" % v)
    e.request("PUT", REG + "/" + rid2, body={"change": "UNBLOCK"}, auth=U)
    a = verify(sign(d2))
    t.eq((a.get("signatureValid"), a.get("remainingAttempts")), (True, 5),
         "%s: after UNBLOCK: valid, 5 attempts" % v)

# Malformed input.
rid, d = activated("3.3", "malformed")
h = sign(d)
r = e.request("POST", VERIFY, body={"method": "POST", "uriId": "/login",
                                    "authHeader": "PowerAuth junk",
                                    "requestBody": "e30="}, auth=U)
t.ok(r.status == 400 and r.error_code() == "ERROR_SIGNATURE_INVALID",
     "malformed header: 400 ERROR_SIGNATURE_INVALID", r)
r = e.request("POST", VERIFY, body={"method": "POST", "uriId": "/login",
                                    "authHeader": h,
                                    "requestBody": "not base64!"}, auth=U)
t.ok(r.status == 400 and r.error_code() == "ERROR_REQUEST",
     "requestBody not Base64: 400 ERROR_REQUEST", r)
r = e.request("POST", VERIFY, body={"method": "post", "uriId": "/login",
                                    "authHeader": h}, auth=U)
t.ok(r.status == 400 and r.error_code() == "ERROR_REQUEST",
     "lower-case method: 400 ERROR_REQUEST", r)
r = e.request("POST", VERIFY, body={"uriId": "/login", "authHeader": h},
              auth=U)
t.eq(r.status, 400, "method missing: 400")
a = verify(h)
t.eq(a.get("signatureValid"), True, "the header still works after those")
# The tutorial's example call: a well-formed but unknown registration.
r = e.request("POST", "/powerauth-cloud/v2/authentication/verify", body={
    "method": "POST", "uriId": "/login",
    "authHeader": "PowerAuth pa_activation_id=\"c8a1faf6-2dcd-4a66-b309-"
    "43a57afa8ca6\",pa_application_key=\"Z19gyYaW5kb521fYWN0aXZ==\", "
    "pa_nonce=\"kYjzVBB8Y0ZFabxSWbWovY==\", pa_signature_type=\""
    "possession_knowledge\" pa_signature=\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"
    "ODlhYmNkZWY=\", pa_version=\"3.1\"", "requestBody": "e30="}, auth=U)
a = r.json() or {}
t.ok(r.status == 200 and a.get("signatureValid") is False and
     a.get("registrationStatus") == "REMOVED",
     "tutorial's example (unknown registration): 200, signatureValid false",
     r)
# Another application's key in a header for this activation (2FA):
# counted as a failure (protocol.md §5.5 step 2).
other_key = e.new_app("e2e-sig-", t).get("appKey", "")
a = verify(sign(d).replace(app.get("appKey", "?"), other_key))
t.eq((a.get("signatureValid"), a.get("remainingAttempts")), (False, 4),
     "another application's app key: false, counted")

# Possession-only failures: not counted, but limited (20 per 60 s).
rid, d = activated("3.2", "possession-limit")
h = sign(d, typ="possession")
sig = h.split('pa_signature="')[1].split('"')[0]
for i in range(20):
    # Wrong signatures made from one header (the phone's counter stays
    # within the look-ahead window for the checks below).
    wrong = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i] + sig[1:]
    if wrong == sig:
        wrong = "Z" + sig[1:] if sig[0] != "Z" else "Y" + sig[1:]
    a = verify(h.replace(sig, wrong))
t.eq((a.get("signatureValid"), a.get("remainingAttempts")), (False, 5),
     "20 wrong possession-only signatures: refused, not counted")
a = verify(sign(d, typ="possession"))
t.eq(a.get("signatureValid"), False,
     "21st possession-only signature, a right one: refused (rate limit)")
a = verify(sign(d, typ="possession_knowledge"))
t.eq(a.get("signatureValid"), True,
     "a 2FA signature is not affected by the possession-only limit")
t.done()
