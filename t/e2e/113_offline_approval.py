#!/usr/bin/env python3
"""Approval through another channel (api.md §2.4 offline/qr, offline/otp):
the QR payload is signed with the registration's server key and carries
the operation and a nonce; the code the phone computes offline (typed with
dashes) approves the operation; a wrong code counts a failure; operations
with a proximity check, finished operations and other users' registrations
are refused."""
import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(14)
OPS = "/powerauth-cloud/v2/operations"
A = e.admin_auth()
work = tempfile.mkdtemp(prefix="paserv-e2e-off-")
app = e.new_app("e2e-off-", t)
user = "off-user-" + secrets.token_hex(3)
rid, d = e.active_device(app, user, work, "phone", "3.3", t)
orid, _ = e.active_device(app, "off-other-" + secrets.token_hex(3), work,
                          "other", "3.3", t)
SPKI_P256 = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")


def create(**extra):
    body = {"userId": user, "appId": app.get("id"),
            "template": "default.payment",
            "parameters": {"amount": "9.99", "currency": "EUR",
                           "account": "DE44"}}
    body.update(extra)
    return (e.request("POST", OPS, body=body, auth=A).json() or {}).get(
        "operationId", "")


def qr_for(oid, reg=rid):
    return e.request("GET", "%s/%s/offline/qr?registrationId=%s"
                     % (OPS, oid, reg), auth=A)


def verify_qr(qr):
    """ECDSA over everything before the signature, with the server key."""
    last = qr.split("\n")[-1]
    sig = base64.b64decode(last[1:])
    signed = qr[:len(qr) - len(last) + 1].encode()
    state = json.load(open(d.state))
    pub = base64.b64decode(state["serverPublicKey"])
    with tempfile.TemporaryDirectory() as tmp:
        pem = os.path.join(tmp, "p.pem")
        with open(pem, "w") as f:
            f.write("-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n"
                    % base64.b64encode(SPKI_P256 + pub).decode())
        open(os.path.join(tmp, "s"), "wb").write(sig)
        open(os.path.join(tmp, "m"), "wb").write(signed)
        return subprocess.run(["openssl", "dgst", "-sha256", "-verify", pem,
                               "-signature", os.path.join(tmp, "s"),
                               os.path.join(tmp, "m")],
                              capture_output=True).returncode == 0


def code_for(oid, nonce, data="A1*A9.99EUR*IDE44"):
    s = d.run("sign-offline", "/operation/authorize/offline", nonce,
              "--body", "%s&%s" % (oid, data))[1]
    digits = s.replace("-", "")
    return "-".join(digits[i:i + 4] for i in range(0, len(digits), 4))


oid = create()
r = qr_for(oid)
q = r.json() or {}
qr = q.get("operationQrCodeData", "")
lines = qr.split("\n")
t.ok(r.status == 200 and lines[0] == oid and
     lines[3] == "A1*A9.99EUR*IDE44" and lines[-2] == q.get("nonce") and
     lines[-1].startswith("1"), "QR: id, data, nonce, K=1 (personalized)", q)
t.eq(lines[1:3], ["Payment Approval", "Confirm the payment of 9.99 EUR to "
                  "DE44."], "QR: title and message with parameters")
t.ok(verify_qr(qr), "QR signature verifies with the registration's key")
otp_url = "%s/%s/offline/otp" % (OPS, oid)
wrong = e.request("POST", otp_url, body={
    "otp": "1234-5678-1234-5678", "nonce": q.get("nonce"),
    "registrationId": rid}, auth=A).json() or {}
t.eq((wrong.get("otpValid"), (e.request("GET", OPS + "/" + oid, auth=A)
                              .json() or {}).get("failureCount")),
     (False, 1), "a wrong code: otpValid false, a failure counted")
good = e.request("POST", otp_url, body={
    "otp": code_for(oid, q.get("nonce")), "nonce": q.get("nonce"),
    "registrationId": rid}, auth=A).json() or {}
g = e.request("GET", OPS + "/" + oid, auth=A).json() or {}
t.ok(good.get("otpValid") is True and good.get("registrationId") == rid and
     g.get("status") == "APPROVED", "the right code (typed with dashes): "
     "APPROVED", (good, g.get("status")))
t.eq(g.get("additionalData", {}).get("activationId"), rid,
     "additionalData names the registration")
r = e.request("POST", otp_url, body={
    "otp": code_for(oid, q.get("nonce")), "nonce": q.get("nonce"),
    "registrationId": rid}, auth=A)
t.ok(r.status == 400 and r.error_code() == "ERROR_OPERATION_STATE_CHANGE",
     "a code for an approved operation: ERROR_OPERATION_STATE_CHANGE", r)
r = qr_for(oid)
t.ok(r.status == 400 and r.error_code() == "ERROR_OPERATION_STATE_CHANGE",
     "no QR for an approved operation", r)

oid2 = create()
r = qr_for(oid2, orid)
t.ok(r.status == 400 and r.error_code() == "ERROR_REGISTRATION_NOT_FOUND",
     "another user's registration: ERROR_REGISTRATION_NOT_FOUND", r)
r = e.request("POST", "%s/%s/offline/otp" % (OPS, oid2), body={
    "otp": "12-34", "nonce": "AAAAAAAAAAAAAAAAAAAAAA==",
    "registrationId": rid}, auth=A)
t.ok(r.status == 400 and r.error_code() == "ERROR_OTP_INVALID",
     "a malformed code: ERROR_OTP_INVALID", r)
prox = (e.request("POST", OPS, body={
    "userId": user, "appId": app.get("id"), "template": "default.login",
    "proximityCheckEnabled": True}, auth=A).json() or {}).get("operationId")
r = qr_for(prox)
t.ok(r.status == 400 and r.error_code() == "ERROR_REQUEST",
     "an operation with a proximity check has no offline QR", r)
# The device simulator reads the QR itself (op-offline).
oid3 = create()
q3 = qr_for(oid3).json() or {}
rc, code, err = d.run("op-offline", q3.get("operationQrCodeData", ""))
ok = e.request("POST", "%s/%s/offline/otp" % (OPS, oid3), body={
    "otp": code, "nonce": q3.get("nonce"), "registrationId": rid},
    auth=A).json() or {}
t.ok(rc == 0 and ok.get("otpValid") is True,
     "pa-device op-offline: the code from the QR approves", (code, err, ok))
bad = q3.get("operationQrCodeData", "").replace("A1*A9.99EUR",
                                                  "A1*A9999.99EUR")
rc, _, err = d.run("op-offline", bad)
t.ok(rc != 0 and "does not verify" in err,
     "a tampered QR code: the phone refuses it", err)
other_user = e.new_user("e2e-off-other-", e.new_app("e2e-off-", t).get("id"),
                        t)
r = e.request("GET", "%s/%s/offline/qr?registrationId=%s"
              % (OPS, oid2, rid), auth=other_user)
t.ok(r.status == 400 and r.error_code() == "ERROR_OPERATION_NOT_FOUND",
     "another tenant: ERROR_OPERATION_NOT_FOUND", r)
t.done()
