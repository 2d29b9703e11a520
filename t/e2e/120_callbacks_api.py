#!/usr/bin/env python3
"""Managing webhook callbacks (doc/webhooks.md "Managing callbacks"):
callbacks of an application are created, listed, read, replaced and
deleted by administrators and by integration users for the applications
granted to them; every rule is checked before anything is stored; the
HMAC key is shown once (and again after a rotation); receiver secrets are
never shown and not stored in clear; a registration made after the
callback exists gets a PENDING delivery (the fan-out trigger), seen
through the deliveries call. No dispatcher runs here: nothing is said
about sending."""
import base64
import os
import re
import secrets
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(114)
A = e.admin_auth()
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}"
                  r"-[0-9a-f]{12}$")
ANY_UUID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
app = e.new_app("e2e-cb-", t).get("id", "")
other = e.new_app("e2e-cb-o-", t).get("id", "")
U = e.new_user("e2e-cb-u-", app, t)
BASE = "/powerauth-cloud/v2/admin/applications/%s/callbacks"
CBS = BASE % app
PASSWORD = "pw-" + secrets.token_hex(8)
TOKEN = "tok-" + secrets.token_hex(8)


def req(method, path, body=None, auth=A):
    return e.request(method, path, body=body, auth=auth)


def bad(method, path, body, what, code="ERROR_REQUEST", auth=A):
    r = req(method, path, body, auth)
    t.ok(r.status == 400 and r.error_code() == code, what, r)
    return r


def column(cid, col):
    return e.mysql("SELECT %s FROM callback WHERE id = '%s'"
                   % (col, cid)).strip()


# Create with every field.
full = {"name": "reg-hook", "type": "REGISTRATION_STATUS_CHANGE",
        "callbackUrl": "https://receiver.invalid:8443/hook?x=1",
        "attributes": ["userId", "activationStatus"],
        "authentication": {"httpBasic": {"enabled": True,
                                         "username": "hookuser",
                                         "password": PASSWORD}},
        "maxAttempts": 7, "initialBackoff": "PT1M30S",
        "backoffMultiplier": 2, "maxBackoff": 3600000,
        "retentionPeriod": "P7D"}
r = req("POST", CBS, full)
cb = r.json() or {}
cid = cb.get("id", "")
t.eq(r.status, 200, "create: 200")
t.ok(UUID.match(cid), "create: a UUID id", cb)
key = cb.get("secret", "")
t.eq(len(base64.b64decode(key)) if key else 0, 32,
     "create: the HMAC key, 32 bytes in Base64")
shown = {k: v for k, v in cb.items()
         if k not in ("id", "secret", "timestampCreated",
                      "timestampLastUpdated")}
want = dict(full, applicationId=app, initialBackoff="PT1M30S",
            backoffMultiplier=2.0, maxBackoff="PT1H",
            authentication={"httpBasic": {"enabled": True,
                                          "username": "hookuser",
                                          "passwordSet": True}})
t.eq(shown, want, "create: every field echoed, durations in ISO-8601, "
     "the password hidden")
t.ok(isinstance(cb.get("timestampCreated"), int) and
     cb.get("timestampCreated") == cb.get("timestampLastUpdated"),
     "create: timestamps", cb)
t.ok(PASSWORD.encode() not in r.body, "create: the password is not in "
     "the answer")
t.eq([column(cid, c) for c in ("max_attempts", "initial_backoff_ms",
                               "backoff_multiplier_pct", "max_backoff_ms",
                               "retention_s", "type", "event_type")],
     ["7", "90000", "200", "3600000", "604800",
      "REGISTRATION_STATUS_CHANGE", "ACTIVATION"],
     "stored policy in ms / percent / s")
enc = column(cid, "CONCAT(auth_enc, ' ', secret_enc)")
t.ok(enc and PASSWORD not in enc and "hookuser" not in enc and
     key not in enc and base64.b64decode(key).hex() not in enc.lower(),
     "auth_enc and secret_enc hold no secret in clear")

# Read it back: the same, without the key.
r = req("GET", CBS + "/" + cid)
got = r.json() or {}
t.eq((r.status, "secret" in got), (200, False), "GET: 200, no key")
t.eq(got, {k: v for k, v in cb.items() if k != "secret"},
     "GET: the created callback")
t.ok(PASSWORD.encode() not in r.body, "GET: no password")

# Defaults.
r = req("POST", CBS, {"name": "op-hook", "type": "OPERATION_STATUS_CHANGE",
                      "callbackUrl": "http://127.0.0.1:9/x"})
op = r.json() or {}
t.eq((r.status, op.get("attributes"), op.get("maxAttempts"),
      op.get("initialBackoff"), op.get("backoffMultiplier"),
      op.get("maxBackoff"), op.get("retentionPeriod"),
      "authentication" in op),
     (200, [], 50, "PT2S", 1.5, "PT5M", "P30D", False),
     "defaults: [], 50 attempts, PT2S, x1.5, PT5M, P30D, no authentication")
t.ok(op.get("secret") and op.get("secret") != key, "each callback has its "
     "own key")
bad("POST", CBS, dict(full, authentication=None), "same name again: "
    "ERROR_REQUEST")
r = req("POST", CBS, {"name": "reg-hook", "type": "OPERATION_STATUS_CHANGE",
                      "callbackUrl": "https://a.example"})
t.eq((r.json() or {}).get("responseObject", {}).get("message"),
     "Callback already exists", "duplicate: 'Callback already exists'")

# The list, by name.
r = req("GET", CBS)
lst = (r.json() or {}).get("callbacks", [])
t.eq((r.status, [x.get("name") for x in lst]), (200, ["op-hook", "reg-hook"]),
     "list: both, by name")
t.ok(all("secret" not in x for x in lst) and PASSWORD.encode() not in
     r.body, "list: no key, no password")
r = req("GET", BASE % other)
t.eq((r.status, r.json()), (200, {"callbacks": []}),
     "list of another application: its own (none)")

# Every rule.
base = {"name": "bad", "type": "REGISTRATION_STATUS_CHANGE",
        "callbackUrl": "https://receiver.example/hook"}
for change, what in [
        ({"name": None}, "no name"),
        ({"name": ""}, "empty name"),
        ({"name": "x" * 256}, "name of 256 characters"),
        ({"name": "a\tb"}, "control character in the name"),
        ({"name": 5}, "name a number"),
        ({"type": None}, "no type"),
        ({"type": "ACTIVATION"}, "type ACTIVATION (payload name)"),
        ({"callbackUrl": None}, "no callbackUrl"),
        ({"callbackUrl": "ftp://receiver.example/"}, "ftp URL"),
        ({"callbackUrl": "receiver.example/hook"}, "URL without scheme"),
        ({"callbackUrl": "https://"}, "URL without host"),
        ({"callbackUrl": "https://receiver.example/a b"}, "URL with space"),
        ({"callbackUrl": "https://u:p@receiver.example/"},
         "URL with credentials"),
        ({"callbackUrl": "https://receiver.example:99999/"}, "port 99999"),
        ({"callbackUrl": "https://r.example/" + "x" * 2040},
         "URL over 2048 characters"),
        ({"attributes": "userId"}, "attributes not an array"),
        ({"attributes": ["status"]}, "operation attribute on registration"),
        ({"attributes": ["userId", "userId"]}, "attribute twice"),
        ({"type": "OPERATION_STATUS_CHANGE",
          "attributes": ["activationName"]},
         "registration attribute on operation"),
        ({"maxAttempts": 0}, "maxAttempts 0"),
        ({"maxAttempts": 1001}, "maxAttempts 1001"),
        ({"maxAttempts": 1.5}, "maxAttempts 1.5"),
        ({"initialBackoff": "PT0S"}, "initialBackoff PT0S"),
        ({"initialBackoff": 99}, "initialBackoff 99 ms"),
        ({"initialBackoff": "PT2H"}, "initialBackoff PT2H"),
        ({"initialBackoff": "2s"}, "initialBackoff 2s"),
        ({"initialBackoff": "P1M"}, "initialBackoff P1M (months)"),
        ({"backoffMultiplier": 0.5}, "multiplier 0.5"),
        ({"backoffMultiplier": 11}, "multiplier 11"),
        ({"backoffMultiplier": "1.5"}, "multiplier as text"),
        ({"initialBackoff": "PT10S", "maxBackoff": "PT5S"},
         "maxBackoff below initialBackoff"),
        ({"maxBackoff": "P2D"}, "maxBackoff P2D"),
        ({"retentionPeriod": "PT30M"}, "retentionPeriod PT30M"),
        ({"retentionPeriod": "P400D"}, "retentionPeriod P400D"),
        ({"authentication": "basic"}, "authentication a string"),
        ({"authentication": {"oauth2": {"enabled": True}}},
         "authentication oauth2"),
        ({"authentication": {"httpBasic": {"enabled": True,
                                           "username": "u"}}},
         "httpBasic without password"),
        ({"authentication": {"httpBasic": {"username": "u",
                                           "password": "p"}}},
         "httpBasic without enabled"),
        ({"authentication": {"httpBasic": {"enabled": True,
                                           "username": "a:b",
                                           "password": "p"}}},
         "username with a colon"),
        ({"authentication": {"bearer": {"enabled": True,
                                        "token": "a b"}}},
         "bearer token with a space"),
        ({"authentication": {"bearer": {"enabled": True, "token": "t"},
                             "httpBasic": {"enabled": True,
                                           "username": "u",
                                           "password": "p"}}},
         "bearer and httpBasic together"),
        ({"authentication": {"certificate": {
            "enabled": True, "certificateFile": "cert.pem",
            "keyFile": "/k.pem"}}}, "relative certificate path"),
        ({"authentication": {"certificate": {
            "enabled": True, "certificateFile": "/c.pem"}}},
         "certificate without keyFile")]:
    body = dict(base, **change)
    body = {k: v for k, v in body.items() if v is not None}
    bad("POST", CBS, body, "refused: " + what)
t.eq(e.mysql("SELECT COUNT(*) FROM callback WHERE app_id = '%s' AND "
             "name = 'bad'" % app).strip(), "0", "nothing stored when refused")
bad("POST", CBS, "{", "malformed JSON: ERROR_REQUEST")

# Not found.
nf = "ERROR_CALLBACK_NOT_FOUND"
bad("GET", CBS + "/" + "00000000-0000-4000-8000-000000000000", None,
    "GET unknown id: " + nf, nf)
bad("GET", CBS + "/not-a-uuid", None, "GET malformed id: " + nf, nf)
bad("GET", (BASE % other) + "/" + cid, None,
    "GET through another application: " + nf, nf)
bad("GET", (BASE % ("e2e-none-" + secrets.token_hex(4))) + "/" + cid, None,
    "unknown application: ERROR_APPLICATION_NOT_FOUND",
    "ERROR_APPLICATION_NOT_FOUND")

# An integration user: its application, not another.
anf = "ERROR_APPLICATION_NOT_FOUND"
r = req("GET", CBS, auth=U)
t.eq((r.status, len((r.json() or {}).get("callbacks", []))), (200, 2),
     "integration user: lists its application's callbacks")
r = req("POST", CBS, {"name": "user-hook", "type":
                      "OPERATION_STATUS_CHANGE",
                      "callbackUrl": "https://receiver.example/u"}, auth=U)
uid = (r.json() or {}).get("id", "")
t.eq((r.status, bool((r.json() or {}).get("secret"))), (200, True),
     "integration user: creates on its application")
t.eq(req("GET", CBS + "/" + cid, auth=U).status, 200,
     "integration user: reads its application's callback")
bad("GET", BASE % other, None, "integration user, other app: list " + anf,
    anf, U)
bad("POST", BASE % other, base, "integration user, other app: create " +
    anf, anf, U)
bad("GET", (BASE % other) + "/" + cid, None,
    "integration user, other app: GET " + anf, anf, U)
bad("PUT", (BASE % other) + "/" + cid, base,
    "integration user, other app: PUT " + anf, anf, U)
bad("DELETE", (BASE % other) + "/" + cid, None,
    "integration user, other app: DELETE " + anf, anf, U)
bad("GET", (BASE % other) + "/" + cid + "/deliveries", None,
    "integration user, other app: deliveries " + anf, anf, U)
t.eq(req("DELETE", CBS + "/" + uid, auth=U).status, 204,
     "integration user: deletes on its application")
t.eq(req("GET", CBS, auth="Basic eDp5").status, 401, "bad credentials: 401")

# Replace: a GET body round-trips and keeps the password.
old_secret_enc = column(cid, "secret_enc")
body = dict(got, name="reg-hook-2",
            callbackUrl="https://receiver.invalid/hook2", maxAttempts=9)
r = req("PUT", CBS + "/" + cid, body)
rep = r.json() or {}
t.eq((r.status, rep.get("name"), rep.get("callbackUrl"),
      rep.get("maxAttempts"), rep.get("authentication"), "secret" in rep),
     (200, "reg-hook-2", "https://receiver.invalid/hook2", 9,
      {"httpBasic": {"enabled": True, "username": "hookuser",
                     "passwordSet": True}}, False),
     "PUT the GET body with changes: 200, password kept, no key shown")
t.ok(rep.get("timestampLastUpdated", 0) >= cb.get("timestampCreated", 0)
     and rep.get("timestampCreated") == cb.get("timestampCreated"),
     "PUT: created kept, updated moved on", rep)
t.eq(column(cid, "secret_enc"), old_secret_enc, "PUT: the key stays")
t.eq(column(cid, "name"), "reg-hook-2", "PUT: stored")
# Every field is replaced: what is left out takes its default.
r = req("PUT", CBS + "/" + cid, {"name": "reg-hook",
                                 "type": "REGISTRATION_STATUS_CHANGE",
                                 "callbackUrl": "https://receiver.invalid/h",
                                 "authentication": {"bearer": {
                                     "enabled": True, "token": TOKEN}}})
rep = r.json() or {}
t.eq((r.status, rep.get("attributes"), rep.get("maxAttempts"),
      rep.get("initialBackoff"), rep.get("authentication")),
     (200, [], 50, "PT2S", {"bearer": {"enabled": True, "tokenSet": True}}),
     "PUT replaces every field (defaults for what is left out)")
t.ok(TOKEN.encode() not in r.body and TOKEN not in column(cid, "auth_enc"),
     "the bearer token is neither shown nor stored in clear")
bad("PUT", CBS + "/" + cid, dict(base, authentication={"httpBasic": {
    "enabled": True, "username": "u", "passwordSet": True}}),
    "PUT httpBasic without a password and none stored: ERROR_REQUEST")
bad("PUT", CBS + "/" + cid, dict(base, name="op-hook"),
    "PUT to another callback's name: ERROR_REQUEST")
bad("PUT", CBS + "/" + cid, dict(base, maxAttempts=0),
    "PUT breaking a rule: ERROR_REQUEST")
t.eq(column(cid, "name"), "reg-hook", "refused PUTs change nothing")
bad("PUT", CBS + "/00000000-0000-4000-8000-000000000000", base,
    "PUT unknown: " + nf, nf)
bad("PUT", (BASE % other) + "/" + cid, base, "PUT through another "
    "application: " + nf, nf)

# Key rotation.
r = req("PUT", CBS + "/" + cid, dict(rep, rotateSecret=True))
key2 = (r.json() or {}).get("secret", "")
t.ok(r.status == 200 and key2 and key2 != key and
     len(base64.b64decode(key2)) == 32, "rotateSecret: a new key, shown",
     r)
t.ok(column(cid, "secret_enc") != old_secret_enc,
     "rotateSecret: the stored key changed")
t.eq((req("GET", CBS + "/" + cid).json() or {}).get("authentication"),
     {"bearer": {"enabled": True, "tokenSet": True}},
     "rotation keeps the token (left out: kept)")

# Fan-out: a registration made now gets a PENDING delivery.
DLV = CBS + "/" + cid + "/deliveries"
r = req("GET", DLV)
t.eq((r.status, r.json()), (200, {"deliveries": []}),
     "deliveries before any event: none")
reg = e.admin_post("/v2/registrations", {"userId": "cb-user", "appId": app},
                   t)
rid = reg.get("registrationId", "")
r = req("GET", DLV + "?status=PENDING")
dl = (r.json() or {}).get("deliveries", [])
d0 = dl[0] if dl else {}
t.eq((r.status, len(dl), d0.get("objectId"), d0.get("status")),
     (200, 1, rid, "PENDING"),
     "a registration made after the callback: one PENDING delivery")
t.ok(ANY_UUID.match(d0.get("eventId", "")) and
     isinstance(d0.get("timestampCreated"), int) and
     isinstance(d0.get("timestampNextAttempt"), int) and
     isinstance(d0.get("attempts"), int) and
     "timestampFinished" not in d0, "delivery: event id, timestamps", d0)
p = d0.get("payload", {})
t.eq((p.get("type"), p.get("activationId"), p.get("userId"),
      p.get("activationStatus")), ("ACTIVATION", rid, "cb-user", "CREATED"),
     "delivery: the event payload")
t.eq(d0.get("eventId"), e.mysql(
    "SELECT event_id FROM event_outbox WHERE object_id = '%s'" % rid).strip(),
    "delivery: eventId is the outbox event's")
r = req("GET", CBS + "/" + op.get("id", "") + "/deliveries")
t.eq((r.status, r.json()), (200, {"deliveries": []}),
     "the operation callback got nothing from a registration")
r = req("GET", DLV + "?status=DELIVERED&limit=500")
t.eq((r.status, r.json()), (200, {"deliveries": []}),
     "status=DELIVERED: none (no dispatcher runs here)")
r = req("GET", DLV + "?limit=1", auth=U)
t.eq((r.status, len((r.json() or {}).get("deliveries", []))), (200, 1),
     "integration user: deliveries of its application, limit=1")
for q, what in [("status=SENT", "unknown status"), ("limit=0", "limit 0"),
                ("limit=501", "limit 501"), ("limit=x", "limit not a number"),
                ("page=1", "unknown query key")]:
    bad("GET", DLV + "?" + q, None, "deliveries refused: " + what)
bad("GET", CBS + "/00000000-0000-4000-8000-000000000000/deliveries", None,
    "deliveries of an unknown callback: " + nf, nf)
bad("GET", BASE % app + "?status=PENDING", None,
    "list refuses a query key")

# Delete: its deliveries go with it.
t.eq(req("DELETE", (BASE % other) + "/" + cid).status, 400,
     "DELETE through another application: 400")
r = req("DELETE", CBS + "/" + cid)
t.eq((r.status, r.body), (204, b""), "DELETE: 204")
bad("GET", CBS + "/" + cid, None, "GET after DELETE: " + nf, nf)
bad("DELETE", CBS + "/" + cid, None, "DELETE again: " + nf, nf)
t.eq(e.mysql("SELECT COUNT(*) FROM callback_delivery WHERE callback_id = "
             "'%s'" % cid).strip(), "0", "its deliveries are gone")
t.eq([x.get("name") for x in (req("GET", CBS).json() or {}).get(
    "callbacks", [])], ["op-hook"], "list after DELETE: the other one")
t.done()
