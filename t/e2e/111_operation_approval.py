#!/usr/bin/env python3
"""Approving and rejecting operations from the phone (Mobile Token API
authorize/cancel, api.md §2.4 and §3.6) with pa-device signatures:
approve -> APPROVED (+timestampFinalized, additionalData); reject with a
reason -> REJECTED; wrong data counts failures -> FAILED at the maximum;
a bad signature counts too; canceled / expired / finished operations;
device binding; proximity OTP; activation flag; another user's operation;
and an event for every failure-count change."""
import json
import os
import secrets
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(25)
OPS = "/powerauth-cloud/v2/operations"
AUTHZ = "/api/auth/token/app/operation/authorize"
CANCEL = "/api/auth/token/app/operation/cancel"
work = tempfile.mkdtemp(prefix="paserv-e2e-appr-")
app = e.new_app("e2e-appr-", t)
A = e.admin_auth()
user = "appr-user-" + secrets.token_hex(3)
rid, d = e.active_device(app, user, work, "phone", "3.3", t)
rid2, d2 = e.active_device(app, user, work, "phone2", "3.1", t)
other, d3 = e.active_device(app, "other-" + secrets.token_hex(3), work,
                            "other-phone", "3.2", t)
PARAMS = {"amount": "100.00", "currency": "CZK", "account": "CZ123"}
DATA = "A1*A100.00CZK*ICZ123"


def create(**extra):
    body = {"userId": user, "appId": app.get("id"),
            "template": "default.payment", "parameters": PARAMS}
    body.update(extra)
    return (e.request("POST", OPS, body=body, auth=A).json() or {}).get(
        "operationId", "")


def get(oid):
    return e.request("GET", OPS + "/" + oid, auth=A).json() or {}


def authorize(dev, oid, data=DATA, typ=None, wrong=False, otp=None):
    ro = {"id": oid, "data": data}
    if otp is not None:
        ro["proximityCheck"] = {"otp": otp, "type": "QR_CODE"}
    args = ["call", AUTHZ, "/operation/authorize", "--body",
            json.dumps({"requestObject": ro})]
    if typ:
        args += ["--type", typ]
    if wrong:
        args.append("--wrong-knowledge")
    rc, out, err = dev.run(*args)
    status, _, body = out.partition(" ")
    try:
        return int(status), json.loads(body)
    except ValueError:
        return -1, {"raw": out + err}


def code(resp):
    return (resp[1].get("responseObject") or {}).get("code")


def reject(dev, oid, reason="UNEXPECTED_OPERATION"):
    rc, out, _ = dev.run("call", CANCEL, "/operation/cancel", "--body",
                         json.dumps({"requestObject": {"id": oid,
                                                       "reason": reason}}),
                         "--type", "possession")
    return out


oid = create()
r = authorize(d, oid)
t.eq(r, (200, {"status": "OK"}), "authorize: 200 OK")
g = get(oid)
t.ok(g.get("status") == "APPROVED" and
     isinstance(g.get("timestampFinalized"), int), "APPROVED, finalized", g)
ad = g.get("additionalData", {})
t.eq((ad.get("activationId"), ad.get("applicationId"), ad.get("authFactor")),
     (rid, app.get("id"), "possession_knowledge"),
     "additionalData: activation, application, factor")
t.ok(ad.get("ipAddress") and "pa-device" in ad.get("userAgent", ""),
     "additionalData: ipAddress and userAgent", ad)
t.eq((ad.get("device") or {}).get("product"), "pa-device",
     "additionalData.device parsed from the User-Agent")
t.eq(code(authorize(d, oid)), "OPERATION_ALREADY_FINISHED",
     "authorize again: OPERATION_ALREADY_FINISHED")

oid = create()
out = reject(d, oid)
g = get(oid)
t.ok(out.startswith("200 ") and g.get("status") == "REJECTED" and
     g.get("statusReason") == "UNEXPECTED_OPERATION" and
     g.get("additionalData", {}).get("rejectReason") ==
     "UNEXPECTED_OPERATION", "reject with a reason: REJECTED", (out, g))

oid = create()
for i in range(4):
    r = authorize(d, oid, data="A1*A999.00CZK*ICZ123")
t.eq((r[0], code(r), get(oid).get("failureCount")),
     (401, "OPERATION_FAILED", 4), "wrong data 4x: 401 OPERATION_FAILED, 4")
r = authorize(d, oid, data="A1*A999.00CZK*ICZ123")
t.eq((r[0], code(r), get(oid).get("status")),
     (400, "OPERATION_ALREADY_FAILED", "FAILED"),
     "5th wrong data: FAILED (OPERATION_ALREADY_FAILED)")
t.eq(code(authorize(d, oid)), "OPERATION_ALREADY_FAILED",
     "the right data now: still FAILED")
ev = [json.loads(x) for x in e.mysql(
    "SELECT payload FROM event_outbox WHERE object_id = '%s' ORDER BY id"
    % oid).splitlines()]
t.eq([(x.get("status"), x.get("failureCount")) for x in ev],
     [("PENDING", 0), ("PENDING", 1), ("PENDING", 2), ("PENDING", 3),
      ("PENDING", 4), ("FAILED", 5)], "an event for every failure")

oid = create()
r = authorize(d, oid, wrong=True)
t.eq((r[0], code(r), get(oid).get("failureCount")),
     (401, "POWERAUTH_AUTH_FAIL", 1), "wrong PIN: 401, counted on the op")
r = authorize(d, oid, typ="knowledge")
t.eq((r[0], get(oid).get("failureCount")), (401, 2),
     "knowledge-only signature (not allowed): 401, counted")
t.eq(authorize(d, oid)[0], 200, "then the right one: approved")

oid = create()
e.request("DELETE", OPS + "/" + oid, auth=A)
t.eq(code(authorize(d, oid)), "OPERATION_ALREADY_CANCELED",
     "canceled by the bank: OPERATION_ALREADY_CANCELED")
oid = create(timestampExpires=int(time.time() * 1000) + 1000)
time.sleep(1.3)
t.eq(code(authorize(d, oid)), "OPERATION_EXPIRED",
     "expired: OPERATION_EXPIRED")

oid = create(registrationId=rid)
r = authorize(d2, oid)
t.eq((r[0], get(oid).get("failureCount")), (401, 1),
     "bound to another device: refused and counted")
t.eq(authorize(d, oid)[0], 200, "the bound device approves")

oid = create()
r = authorize(d3, oid)
t.eq((code(r), get(oid).get("failureCount")), ("INVALID_OPERATION", 0),
     "another user's phone: INVALID_OPERATION, not counted")

oid = create(flag="VERIFIED")
r = authorize(d, oid)
t.eq((code(r), get(oid).get("failureCount")),
     ("OPERATION_REQUIRES_ACTIVATION_FLAG", 0),
     "flag the activation lacks: refused, not counted")

op = e.request("POST", OPS, body={"userId": user, "appId": app.get("id"),
                                  "template": "default.login",
                                  "proximityCheckEnabled": True},
               auth=A).json() or {}
oid, otp = op.get("operationId", ""), op.get("proximityOtp", "")
wrong = "%08d" % ((int(otp or "0") + 1) % 100000000)
r = authorize(d, oid, data="A2", otp=wrong)
t.eq((r[0], get(oid).get("failureCount")), (401, 1),
     "wrong proximity OTP: refused and counted")
r = authorize(d, oid, data="A2")
t.eq(r[0], 401, "no proximity OTP: refused")
r = authorize(d, oid, data="A2", otp=get(oid).get("proximityOtp"))
t.eq((r[0], get(oid).get("status")), (200, "APPROVED"),
     "the current proximity OTP: APPROVED")

r = e.request("POST", "/enrollment-server" + AUTHZ,
              body={"requestObject": {"id": "x"}})
t.ok(r.status == 400 and r.error_code() == "INVALID_REQUEST",
     "malformed request: 400 INVALID_REQUEST", r)
r = e.request("POST", "/enrollment-server" + AUTHZ, body={
    "requestObject": {"id": create(), "data": DATA}})
t.ok(r.status == 401 and r.error_code() == "POWERAUTH_AUTH_FAIL",
     "no signature: 401 POWERAUTH_AUTH_FAIL", r)
t.done()
