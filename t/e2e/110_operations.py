#!/usr/bin/env python3
"""Operations on the integration API (api.md §2.4, doc/operations.md): the
tutorial's "Implement Out-of-Band Approvals" curl commands as printed
(create default.payment, poll it), then the rules around them: a user
without an ACTIVE registration, unknown template, missing parameters,
device binding, cancel (PENDING only), expiry on read and by the
housekeeping job, list filters and paging, tenant isolation, proximity OTP,
and the OPERATION events in the outbox."""
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(39)
OPS = "/powerauth-cloud/v2/operations"
work = tempfile.mkdtemp(prefix="paserv-e2e-op-")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}"
                     r"-[0-9a-f]{12}$")

CREATE = """curl -X 'POST' \\
'http://localhost:8080/powerauth-cloud/v2/operations' \\
-u integration-user:${INTEGRATION_PASSWORD} \\
-H 'Content-Type: application/json' \\
-d '{
"userId": "end-user-1234",
"template": "default.payment",
"parameters": {
"amount": "63.99",
"currency": "EUR",
"account": "CZ32493745329497374923"
}
}'"""
GET = """curl -X 'GET' \\
'http://localhost:8080/powerauth-cloud/v2/operations/bd75ce63-a89f-4258-b172-5e51ced8df14' \\
-u integration-user:${INTEGRATION_PASSWORD} \\
-H 'Content-Type: application/json'"""

# The tutorial's set-up: my-application, an integration user granted only
# that application, and end-user-1234 with an active registration.
app = e.ensure_app("my-application", t)
user = "integration-user-" + secrets.token_hex(3)
pw = e.admin_post("/admin/users", {"username": user}, t).get("password", "")
e.admin_post("/admin/users/%s/applications/my-application" % user, None, t)
U = e.basic(user, pw)


def activate(user_id, app_info, name):
    return e.active_device(app_info, user_id, work, name, tap=t)


rid, _ = activate("end-user-1234", app, "phone")


def curl(cmd, oid=None):
    cmd = cmd.replace("http://localhost:8080", e.URL)
    cmd = cmd.replace("-u integration-user:", "-u %s:" % user)
    if oid:
        cmd = cmd.replace("bd75ce63-a89f-4258-b172-5e51ced8df14", oid)
    cmd = cmd.replace("curl ", "curl -sS -w '\\n%{http_code}' ", 1)
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True,
                       env=dict(os.environ, INTEGRATION_PASSWORD=pw),
                       timeout=30)
    body, _, status = p.stdout.rpartition("\n")
    try:
        return int(status), json.loads(body)
    except ValueError:
        return -1, p.stdout + p.stderr


PARAMS = {"amount": "63.99", "currency": "EUR",
          "account": "CZ32493745329497374923"}
st, op = curl(CREATE)
op = op if isinstance(op, dict) else {}
t.eq(st, 200, "tutorial create: 200")
shown = ["operationId", "userId", "status", "template", "operationType",
         "parameters", "failureCount", "maxFailureCount", "timestampCreated",
         "timestampExpires"]
t.ok(all(k in op for k in shown), "create: the fields the tutorial shows",
     op)
oid = op.get("operationId", "")
t.ok(UUID_RE.match(oid), "operationId is a UUID v4", oid)
t.eq((op.get("userId"), op.get("status"), op.get("template"),
      op.get("operationType"), op.get("parameters"), op.get("failureCount"),
      op.get("maxFailureCount")),
     ("end-user-1234", "PENDING", "default.payment", "payment", PARAMS, 0, 5),
     "create: values as in the tutorial")
t.eq(op.get("timestampExpires", 0) - op.get("timestampCreated", 0), 300000,
     "expires 300 s after creation (the template's)")
st, g = curl(GET, oid)
g = g if isinstance(g, dict) else {}
t.eq(st, 200, "tutorial poll: 200")
t.ok(all(k in g for k in shown + ["additionalData"]) and
     g.get("additionalData") == {} and g.get("status") == "PENDING",
     "poll: PENDING with the fields shown there (additionalData {})", g)
data = e.mysql("SELECT data FROM operation WHERE id = '%s'" % oid).strip()
t.eq(data, "A1*A63.99EUR*ICZ32493745329497374923",
     "data built from the template with the parameters")

# Creation rules.
def create(body, auth=U):
    return e.request("POST", OPS, body=body, auth=auth)


r = create({"userId": "nobody-" + secrets.token_hex(3),
            "template": "default.login"})
t.ok(r.status == 400 and r.error_code() == "ERROR_REGISTRATION_NOT_FOUND",
     "user without a registration: ERROR_REGISTRATION_NOT_FOUND", r)
r = create({"userId": "end-user-1234", "template": "no.such.template"})
t.ok(r.status == 400 and r.error_code() == "ERROR_REQUEST",
     "unknown template: ERROR_REQUEST", r)
r = create({"userId": "end-user-1234", "template": "default.payment",
            "parameters": {"amount": "1"}})
t.ok(r.status == 400 and "missing" in (r.json() or {}).get(
    "responseObject", {}).get("message", ""),
    "a parameter the template needs is missing: ERROR_REQUEST", r)
r = create({"userId": "end-user-1234", "template": "default.login",
            "parameters": {"x": 1}})
t.eq(r.status, 400, "a non-string parameter: 400")
r = create({"userId": "end-user-1234", "template": "default.login",
            "timestampExpires": int(time.time() * 1000) - 1000})
t.eq(r.status, 400, "timestampExpires in the past: 400")
r = create({"userId": "end-user-1234", "template": "default.login",
            "language": "english"})
t.eq(r.status, 400, "language not ISO 639-1: 400")
r = create({"userId": "end-user-1234", "template": "default.login",
            "registrationId": rid, "externalId": "TX-1", "flag": "VERIFIED"})
o = r.json() or {}
t.ok(r.status == 200 and o.get("registrationId") == rid and
     o.get("externalId") == "TX-1" and o.get("operationType") == "login",
     "device-bound login with externalId: 200", r)
r = create({"userId": "end-user-1234", "template": "default.login",
            "registrationId": "0f8fad5b-d9cb-469f-a165-70867728950e"})
t.ok(r.status == 400 and r.error_code() == "ERROR_REGISTRATION_NOT_FOUND",
     "bound to a registration the user does not have: refused", r)
r = create({"userId": "end-user-1234", "template": "default.login",
            "proximityCheckEnabled": True})
o = r.json() or {}
t.ok(r.status == 200 and re.match(r"^[0-9]{8}$", o.get("proximityOtp", "")),
     "proximity check: an 8-digit proximityOtp", o)
g = e.request("GET", OPS + "/" + o.get("operationId", "x"), auth=U).json()
t.ok(re.match(r"^[0-9]{8}$", (g or {}).get("proximityOtp", "")),
     "the proximity OTP is readable while PENDING", g)

# Tenant isolation: another integration user, another application.
other = e.new_app("e2e-op-", t)
U2 = e.new_user("e2e-op-", other.get("id"), t)
r = e.request("GET", OPS + "/" + oid, auth=U2)
t.ok(r.status == 400 and r.error_code() == "ERROR_OPERATION_NOT_FOUND",
     "another tenant reads it: ERROR_OPERATION_NOT_FOUND", r)
r = e.request("DELETE", OPS + "/" + oid, auth=U2)
t.ok(r.status == 400 and r.error_code() == "ERROR_OPERATION_NOT_FOUND",
     "another tenant cancels it: ERROR_OPERATION_NOT_FOUND", r)
r = create({"userId": "end-user-1234", "template": "default.login",
            "appId": "my-application"}, auth=U2)
t.ok(r.status == 400 and r.error_code() == "ERROR_REQUEST",
     "another tenant creates in my-application: refused", r)
r = e.request("GET", OPS + "?userId=end-user-1234", auth=U2)
t.eq((r.json() or {}).get("operations"), [],
     "another tenant lists: nothing")

# Cancel.
r = e.request("DELETE", OPS + "/" + oid + "?statusReason=USER_CANCELED",
              auth=U)
o = r.json() or {}
t.ok(r.status == 200 and o.get("status") == "CANCELED" and
     o.get("statusReason") == "USER_CANCELED" and
     isinstance(o.get("timestampFinalized"), int),
     "cancel: CANCELED with statusReason and timestampFinalized", r)
r = e.request("DELETE", OPS + "/" + oid, auth=U)
t.ok(r.status == 400 and r.error_code() == "ERROR_OPERATION_STATE_CHANGE",
     "cancel again: ERROR_OPERATION_STATE_CHANGE", r)
r = e.request("DELETE", OPS + "/not-a-uuid", auth=U)
t.ok(r.status == 400 and r.error_code() == "ERROR_OPERATION_NOT_FOUND",
     "cancel a malformed id: ERROR_OPERATION_NOT_FOUND", r)
r = e.request("DELETE", OPS + "/" + oid + "?statusReason=bad%20reason",
              auth=U)
t.eq(r.status, 400, "statusReason with a space: 400")

# Expiry: on read, then by the housekeeping job. (The workers' own job
# runs every few seconds and may write EXPIRED first; a read that finds
# the row still PENDING shows that reading does not write. Three tries.)
for _ in range(3):
    r = create({"userId": "end-user-1234", "template": "default.login",
                "timestampExpires": int(time.time() * 1000) + 1200})
    exp = (r.json() or {}).get("operationId", "")
    time.sleep(1.3)
    g = e.request("GET", OPS + "/" + exp, auth=U).json() or {}
    stored = e.mysql("SELECT status FROM operation WHERE id = '%s'"
                     % exp).strip()
    if stored == "1":
        break
t.ok(g.get("status") == "EXPIRED" and
     g.get("timestampFinalized") == g.get("timestampExpires"),
     "overdue PENDING reads as EXPIRED", g)
t.eq(stored, "1", "... without a write")
r = e.request("DELETE", OPS + "/" + exp, auth=U)
t.ok(r.status == 400 and r.error_code() == "ERROR_OPERATION_STATE_CHANGE",
     "cancel an expired one: ERROR_OPERATION_STATE_CHANGE", r)
for _ in range(40):
    p = subprocess.run([e.ADMIN_BIN, "-c", e.CONF, "housekeeping"],
                       capture_output=True, text=True)
    if e.mysql("SELECT status FROM operation WHERE id = '%s'"
               % exp).strip() == "5":
        break
    time.sleep(0.5)
t.eq(e.mysql("SELECT status, finalized_at IS NOT NULL FROM operation"
             " WHERE id = '%s'" % exp).split(), ["5", "1"],
     "housekeeping writes EXPIRED with its finalized time")

# Events.
ev = [json.loads(x) for x in e.mysql(
    "SELECT payload FROM event_outbox WHERE object_id = '%s' ORDER BY id"
    % oid).splitlines()]
t.eq([x.get("status") for x in ev], ["PENDING", "CANCELED"],
     "events: PENDING on create, CANCELED on cancel")
t.ok(ev and ev[0].get("type") == "OPERATION" and
     ev[0].get("applications") == ["my-application"] and
     ev[0].get("data") == "A1*A63.99EUR*ICZ32493745329497374923" and
     ev[0].get("signatureType") == ["POSSESSION_KNOWLEDGE",
                                    "POSSESSION_BIOMETRY"],
     "event payload: type, applications, data, signature types", ev[:1])
ev = [json.loads(x).get("status") for x in e.mysql(
    "SELECT payload FROM event_outbox WHERE object_id = '%s' ORDER BY id"
    % exp).splitlines()]
t.eq(ev, ["PENDING", "EXPIRED"], "events: EXPIRED from the housekeeping job")

# List: filters and paging (a user of its own).
lu = "list-user-" + secrets.token_hex(3)
activate(lu, app, "list-phone")
ids = []
for i in range(5):
    r = create({"userId": lu, "template": "default.login",
                "externalId": "EXT-%d" % (i % 2)})
    ids.append((r.json() or {}).get("operationId"))
e.request("DELETE", OPS + "/" + ids[0], auth=U)


def listing(q):
    r = e.request("GET", OPS + "?userId=" + lu + q, auth=U)
    return [x.get("operationId") for x in (r.json() or {}).get(
        "operations", [])]


t.eq(listing(""), ids[::-1], "list: newest first")
t.eq(listing("&status=PENDING"), ids[1:][::-1], "list: status=PENDING")
t.eq(listing("&status=CANCELED"), [ids[0]], "list: status=CANCELED")
t.eq(listing("&externalId=EXT-1"), [ids[3], ids[1]], "list: externalId")
t.eq(listing("&pageSize=2&pageNumber=1"), ids[::-1][2:4],
     "list: page 1 of size 2")
r = e.request("GET", OPS + "?userId=" + lu + "&status=DONE", auth=U)
t.eq(r.status, 400, "list: unknown status: 400")
t.done()
