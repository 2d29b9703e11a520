#!/usr/bin/env python3
"""The integration tutorial's "Implement Mobile Device Registration" and
"Self-Service" curl commands, run with curl exactly as printed there (only
the base URL, the integration user and the registration id substituted),
with a simulated phone doing its part in between. Responses are checked
against the fields and statuses the tutorial shows."""
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(39)
A = e.admin_auth()
TUTORIAL_ID = "c8a1faf6-2dcd-4a66-b309-43a57afa8ca6"

# The commands as the tutorial prints them.
CREATE = """curl -X 'POST' \\
'http://localhost:8080/powerauth-cloud/v2/registrations' \\
-u integration-user:${INTEGRATION_PASSWORD} \\
-H 'Content-Type: application/json' \\
-d '{
"userId": "end-user-1234",
"appId": "my-application"
}'"""
CREATE_OTP = """curl -X 'POST' \\
'http://localhost:8080/powerauth-cloud/v2/registrations' \\
-u integration-user:${INTEGRATION_PASSWORD} \\
-H 'Content-Type: application/json' \\
-d '{
"userId": "end-user-1234",
"appId": "my-application",
"otp": "${OTP}",
"otpValidation": "ON_KEY_EXCHANGE",
}'"""
GET = """curl -X 'GET' \\
'http://localhost:8080/powerauth-cloud/v2/registrations/c8a1faf6-2dcd-4a66-b309-43a57afa8ca6' \\
-u integration-user:${INTEGRATION_PASSWORD} \\
-H 'Content-Type: application/json'"""
COMMIT = """curl -X 'POST' \\
'http://localhost:8080/powerauth-cloud/v2/registrations/c8a1faf6-2dcd-4a66-b309-43a57afa8ca6/commit' \\
-u integration-user:${INTEGRATION_PASSWORD} \\
-H 'Content-Type: application/json' \\
-d '{
}'"""
LIST = """curl -X 'GET' \\
'http://localhost:8080/powerauth-cloud/v2/registrations?userId=end-user-1234' \\
-u integration-user:${INTEGRATION_PASSWORD} \\
-H 'Content-Type: application/json'"""
BLOCK = """curl -X 'PUT' \\
'http://localhost:8080/powerauth-cloud/v2/registrations/c8a1faf6-2dcd-4a66-b309-43a57afa8ca6' \\
-u integration-user:${INTEGRATION_PASSWORD} \\
-H 'Content-Type: application/json' \\
-d '{
"change": "BLOCK"
}'"""
UNBLOCK = BLOCK.replace('"BLOCK"', '"UNBLOCK"')
DELETE = """curl -X 'DELETE' \\
'http://localhost:8080/powerauth-cloud/v2/registrations/c8a1faf6-2dcd-4a66-b309-43a57afa8ca6' \\
-u integration-user:${INTEGRATION_PASSWORD} \\
-H 'Content-Type: application/json'"""

# Our credentials: the application of the tutorial and a fresh integration
# user granted to it.
app_id = "my-application"
SDK = e.ensure_app(app_id, t).get("mobileSdkConfig", "")
user = "integration-user-" + secrets.token_hex(3)
pw = (e.request("POST", "/powerauth-cloud/admin/users",
                body={"username": user}, auth=A).json() or {}).get("password")
e.request("POST", "/powerauth-cloud/admin/users/%s/applications/%s"
          % (user, app_id), auth=A)
env = dict(os.environ, INTEGRATION_PASSWORD=pw or "")
work = tempfile.mkdtemp(prefix="paserv-e2e-seed-")


def curl(cmd, rid=None):
    """Runs a tutorial command; returns (HTTP status, JSON body)."""
    cmd = cmd.replace("http://localhost:8080", e.URL)
    cmd = cmd.replace("-u integration-user:", "-u %s:" % user)
    if rid:
        cmd = cmd.replace(TUTORIAL_ID, rid)
    cmd = cmd.replace("curl ", "curl -sS -w '\\n%{http_code}' ", 1)
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True,
                       env=env, timeout=30)
    body, _, status = p.stdout.rpartition("\n")
    try:
        return int(status), json.loads(body) if body else None
    except ValueError:
        return -1, p.stdout + p.stderr


def has_no_nulls(o):
    return all(v is not None for v in o.values())


# Obtaining the activation code.
st, c = curl(CREATE)
t.eq(st, 200, "create: 200")
t.eq(sorted((c or {}).keys()), ["activationCode", "activationCodeSignature",
                                "activationQrCodeData", "registrationId"],
     "create: the four fields of the tutorial")
rid = (c or {}).get("registrationId", "")
t.ok(re.match(r"^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$",
              (c or {}).get("activationCode", "")),
     "create: activation code format")
t.eq((c or {}).get("activationQrCodeData"), "%s#%s" % (
    (c or {}).get("activationCode"), (c or {}).get("activationCodeSignature")),
    "create: activationQrCodeData = code#signature")

# Mobile-only flow (the tutorial's JSON has a trailing comma).
st, c2 = curl(CREATE_OTP)
t.eq(st, 200, "create with otp/ON_KEY_EXCHANGE (as printed): 200")
rid2 = (c2 or {}).get("registrationId", "")
t.eq(sorted((c2 or {}).keys()), sorted((c or {}).keys()),
     "mobile-only create: the same response as above")

# Polling the registration status.
st, g = curl(GET, rid)
g = g or {}
t.eq(st, 200, "poll: 200")
shown = ["registrationId", "registrationStatus", "applicationId", "flags",
         "timestampCreated", "timestampLastUsed", "userId",
         "activationQrCodeData", "activationCode", "activationCodeSignature"]
t.eq(sorted(g.keys()), sorted(shown),
     "poll CREATED: exactly the fields the tutorial shows")
t.eq((g.get("registrationId"), g.get("registrationStatus"),
      g.get("applicationId"), g.get("userId"), g.get("flags")),
     (rid, "CREATED", app_id, "end-user-1234", []), "poll CREATED: values")
t.ok(isinstance(g.get("timestampCreated"), int) and
     g.get("timestampCreated") == g.get("timestampLastUsed"),
     "poll CREATED: timestamps are equal epoch ms")
t.eq(g.get("activationCode"), (c or {}).get("activationCode"),
     "poll CREATED: the activation code can be re-obtained")

# The phone registers itself.
d = e.Device(work, "phone")
d.setup(SDK, "3.3")
got = d.activate((c or {}).get("activationQrCodeData", ""),
                 name="John's iPhone")
t.ok(got is not None, "the phone activates with the QR data", d.last)
st, g = curl(GET, rid)
g = g or {}
t.eq(g.get("registrationStatus"), "PENDING_COMMIT", "poll: PENDING_COMMIT")
t.ok(got is not None and g.get("activationFingerprint") == got[1],
     "poll PENDING_COMMIT: activationFingerprint as on the phone")
t.ok("activationCode" not in g and has_no_nulls(g),
     "poll PENDING_COMMIT: no code fields, no null fields")

# Committing the registration.
st, cm = curl(COMMIT, rid)
t.eq(st, 200, "commit (as printed, body '{ }'): 200")
st, g = curl(GET, rid)
t.eq((g or {}).get("registrationStatus"), "ACTIVE", "poll: ACTIVE")

# The mobile-only registration: the phone sends the OTP, auto-commit.
d2 = e.Device(work, "phone2")
d2.setup(SDK, "3.2")
got2 = d2.activate((c2 or {}).get("activationQrCodeData", ""), otp="${OTP}")
t.ok(got2 is not None, "mobile-only: the phone activates with the OTP",
     d2.last)
st, g2 = curl(GET, rid2)
t.eq((g2 or {}).get("registrationStatus"), "ACTIVE",
     "mobile-only: auto-committed during the key exchange (ACTIVE)")

# Listing active devices.
st, lst = curl(LIST)
regs = {x.get("registrationId"): x for x in (lst or {}).get("registrations",
                                                            [])}
t.eq(st, 200, "list: 200")
t.ok(rid in regs and rid2 in regs, "list: both registrations of the user")
item = regs.get(rid, {})
item_fields = ["registrationId", "registrationStatus", "applicationId",
               "name", "platform", "deviceInfo", "flags",
               "timestampCreated", "timestampLastUsed"]
t.ok(all(k in item for k in item_fields) and has_no_nulls(item),
     "list item: the fields the tutorial shows", item)
t.eq((item.get("registrationStatus"), item.get("name"), item.get("platform"),
      item.get("flags")), ("ACTIVE", "John's iPhone", "android", []),
     "list item: values")
t.ok("activationCode" not in item, "list item: no code fields")

# Block, unblock, remove.
st, b = curl(BLOCK, rid)
t.eq(st, 200, "block: 200")
st, lst = curl(LIST)
item = {x.get("registrationId"): x for x in
        (lst or {}).get("registrations", [])}.get(rid, {})
t.eq((item.get("registrationStatus"), item.get("blockedReason")),
     ("BLOCKED", "NOT_SPECIFIED"),
     "list: BLOCKED with a blockedReason (none given: NOT_SPECIFIED)")
t.eq((d.status() or {}).get("status"), "BLOCKED", "the phone sees BLOCKED")
st, b = curl(BLOCK, rid)
t.ok(st == 400 and ((b or {}).get("responseObject") or {}).get("code") ==
     "ERROR_REGISTRATION_CHANGE", "block again: ERROR_REGISTRATION_CHANGE")
st, u = curl(UNBLOCK, rid)
t.eq(st, 200, "unblock: 200")
st, g = curl(GET, rid)
t.ok((g or {}).get("registrationStatus") == "ACTIVE" and
     "blockedReason" not in (g or {}), "poll: ACTIVE, no blockedReason")
st, u = curl(UNBLOCK, rid)
t.eq(st, 400, "unblock an ACTIVE one: 400")
st, dl = curl(DELETE, rid)
t.eq(st, 200, "remove: 200")
st, g = curl(GET, rid)
t.eq((g or {}).get("registrationStatus"), "REMOVED", "poll: REMOVED")
t.eq((d.status() or {}).get("status"), "REMOVED", "the phone sees REMOVED")
st, lst = curl(LIST)
ids = [x.get("registrationId") for x in (lst or {}).get("registrations", [])]
t.ok(rid not in ids and rid2 in ids, "list: removed one gone, other stays")
st, lst = curl(LIST.replace("userId=end-user-1234",
                            "userId=end-user-1234&removed=true"))
ids = [x.get("registrationId") for x in (lst or {}).get("registrations", [])]
t.ok(rid in ids, "list &removed=true: the removed one is back")
st, dl = curl(DELETE, rid2)
t.eq(st, 200, "remove the mobile-only one: 200")
st, g = curl(GET, "0f8fad5b-d9cb-469f-a165-70867728950e")
t.ok(st == 400 and ((g or {}).get("responseObject") or {}).get("code") ==
     "ERROR_REGISTRATION_NOT_FOUND", "poll an unknown id: "
     "ERROR_REGISTRATION_NOT_FOUND")
st, g = curl(COMMIT, rid)
t.ok(st == 400 and ((g or {}).get("responseObject") or {}).get("code") ==
     "ERROR_REGISTRATION_CHANGE", "commit a removed one: "
     "ERROR_REGISTRATION_CHANGE")
t.done()
