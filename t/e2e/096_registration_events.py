#!/usr/bin/env python3
"""Every registration status change writes its event into the outbox in
the same transaction (schema/006_events.sql): creation, key exchange,
commit, blocking by failed signatures, unblock, removal by the phone, and
expiry by the housekeeping job; a refused key exchange (rolled back)
writes none. Payloads carry every attribute a callback may select."""
import json
import os
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(11)
REG = "/powerauth-cloud/v2/registrations"
work = tempfile.mkdtemp(prefix="paserv-e2e-ev-")
app = e.new_app("e2e-ev-", t)
app_id = app.get("id", "")


def events(rid):
    rows = e.mysql("SELECT payload FROM event_outbox WHERE object_id = '%s'"
                   " ORDER BY id" % rid).splitlines()
    return [json.loads(r) for r in rows]


def statuses(rid):
    return [x.get("activationStatus") for x in events(rid)]


c = e.admin_post("/v2/registrations", {"userId": "ev-user", "appId": app_id,
                                       "flags": ["VERIFIED"]}, t)
rid = c.get("registrationId", "")
t.eq(statuses(rid), ["CREATED"], "create: one CREATED event")
ev = events(rid)[0] if events(rid) else {}
t.eq(sorted(ev.keys()), sorted([
    "type", "activationId", "userId", "activationName", "deviceInfo",
    "platform", "protocol", "activationFlags", "activationStatus",
    "blockedReason", "applicationId", "timestamp"]),
    "payload: type, id and every selectable attribute")
t.eq((ev.get("type"), ev.get("activationId"), ev.get("activationFlags"),
      ev.get("applicationId")), ("ACTIVATION", rid, ["VERIFIED"], app_id),
     "payload values")
d = e.Device(work, "phone")
d.setup(app.get("mobileSdkConfig", ""), "3.2")
d.activate("AAAAA-AAAAA-AAAAA-AAAAA")      # refused: unknown code
d.activate(c.get("activationQrCodeData", ""), otp="123")  # refused: no OTP
t.eq(statuses(rid), ["CREATED"], "refused key exchanges: no event")
d.activate(c.get("activationQrCodeData", ""))
e.request("POST", REG + "/" + rid + "/commit", body={}, auth=e.admin_auth())
t.eq(statuses(rid), ["CREATED", "PENDING_COMMIT", "ACTIVE"],
     "key exchange and commit: PENDING_COMMIT, ACTIVE")
t.eq(events(rid)[-1].get("platform"), "android",
     "the device's attributes are in the later events")
for _ in range(5):
    h = d.run("sign", "POST", "/x", "--body", "{}", "--wrong-knowledge")[1]
    e.request("POST", "/powerauth-cloud/v2/signature/verify", body={
        "method": "POST", "uriId": "/x", "authHeader": h,
        "requestBody": "e30="}, auth=e.admin_auth())
t.eq(statuses(rid)[-1], "BLOCKED", "blocked by failed signatures: BLOCKED")
t.eq(events(rid)[-1].get("blockedReason"), "MAX_FAILED_ATTEMPTS",
     "... with blockedReason MAX_FAILED_ATTEMPTS")
t.eq(len(statuses(rid)), 4, "failed attempts themselves write no event")
e.request("PUT", REG + "/" + rid, body={"change": "UNBLOCK"},
          auth=e.admin_auth())
d.run("remove")
t.eq(statuses(rid)[-2:], ["ACTIVE", "REMOVED"],
     "unblock, removal by the phone: ACTIVE, REMOVED")
# Expiry by the housekeeping job.
c2 = e.admin_post("/v2/registrations", {"userId": "ev-user",
                                        "appId": app_id}, t)
rid2 = c2.get("registrationId", "")
e.mysql("UPDATE activation SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1"
        " SECOND WHERE id = '%s'" % rid2)
p = subprocess.run([e.ADMIN_BIN, "-c", e.CONF, "housekeeping"],
                   capture_output=True, text=True)
if "busy" in p.stdout:   # the worker's own job holds the lease: wait for it
    import time
    for _ in range(40):
        if statuses(rid2)[-1:] == ["REMOVED"]:
            break
        time.sleep(0.5)
t.eq(statuses(rid2), ["CREATED", "REMOVED"],
     "expired by housekeeping: CREATED, REMOVED")
t.done()
