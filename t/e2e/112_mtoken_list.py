#!/usr/bin/env python3
"""The Mobile Token list and detail (api.md §3.6): MAC-token
authenticated; the phone sees its user's PENDING operations (unbound or
bound to it, not another device's, not another user's, not finished ones,
not types without a display template) as UserOperation objects rendered in
its language with fallback to English; detail of another user's operation
is INVALID_REQUEST."""
import json
import os
import re
import secrets
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(31)
OPS = "/powerauth-cloud/v2/operations"
BASE = "/enrollment-server/api/auth/token/app/operation/"
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")
work = tempfile.mkdtemp(prefix="paserv-e2e-mt-")
A = e.admin_auth()
app = e.new_app("e2e-mt-", t)
user = "mt-user-" + secrets.token_hex(3)
rid, d = e.active_device(app, user, work, "phone", "3.3", t)
rid2, d2 = e.active_device(app, user, work, "phone2", "3.2", t)
_, d3 = e.active_device(app, "mt-other-" + secrets.token_hex(3), work,
                        "other", "3.1", t)
tid = d.run("token-create")[1]
tid2 = d2.run("token-create")[1]
tid3 = d3.run("token-create")[1]


def create(uid=user, **extra):
    body = {"userId": uid, "appId": app.get("id"),
            "template": "default.payment",
            "parameters": {"amount": "1234.5", "currency": "EUR",
                           "account": "AT11"}}
    body.update(extra)
    return (e.request("POST", OPS, body=body, auth=A).json() or {}).get(
        "operationId", "")


def call(dev, tok, path, body, lang=None):
    hdr = {"X-PowerAuth-Token": dev.run("token-header", tok)[1]}
    if lang:
        hdr["Accept-Language"] = lang
    return e.request("POST", BASE + path, body=body, headers=hdr)


def listing(dev, tok, lang=None):
    r = call(dev, tok, "list", {}, lang)
    return r, [x.get("id") for x in (r.json() or {}).get(
        "responseObject", [])]


mine = create()
bound_here = create(registrationId=rid)
bound_there = create(registrationId=rid2)
canceled = create()
e.request("DELETE", OPS + "/" + canceled, auth=A)
theirs = create(uid=e.mysql("SELECT user_id FROM activation WHERE id ="
                            " (SELECT id FROM activation WHERE app_id = '%s'"
                            " AND user_id LIKE 'mt-other-%%' LIMIT 1)"
                            % app.get("id")).strip())
# A type without a display template is not shown.
tname = "e2e.hidden." + secrets.token_hex(3)
e.mysql("INSERT INTO operation_template (name, operation_type,"
        " data_template, signature_types, expiration_s, max_failures,"
        " created_at) VALUES ('%s', 'hidden_type', 'H1',"
        " '[\"possession_knowledge\"]', 300, 5, UTC_TIMESTAMP(3))" % tname)
hidden = create(template=tname, parameters={})

r, ids = listing(d, tid)
t.eq(r.status, 200, "list: 200")
t.ok(DATE_RE.match((r.json() or {}).get("currentTimestamp", "")),
     "list: currentTimestamp in the SDK's date format")
t.eq(sorted(ids), sorted([mine, bound_here]),
     "list: the user's pending, unbound or bound to this phone")
_, ids2 = listing(d2, tid2)
t.eq(sorted(ids2), sorted([mine, bound_there]),
     "the other phone sees its bound one, not this one's")
_, ids3 = listing(d3, tid3)
t.ok(mine not in ids3 and theirs in ids3, "another user's phone: its own")
op = [x for x in (r.json() or {}).get("responseObject", [])
      if x.get("id") == mine]
op = op[0] if op else {}
t.eq((op.get("name"), op.get("data"), op.get("status")),
     ("payment", "A1*A1234.5EUR*IAT11", "PENDING"), "UserOperation: basics")
t.ok(DATE_RE.match(op.get("operationCreated", "")) and
     DATE_RE.match(op.get("operationExpires", "")), "UserOperation: dates")
t.eq(op.get("allowedSignatureType"),
     {"type": "2FA", "variants": ["possession_knowledge",
                                  "possession_biometry"]},
     "allowedSignatureType from the template")
fd = op.get("formData", {})
t.eq((fd.get("title"), fd.get("message")),
     ("Payment Approval", "Confirm the payment of 1234.5 EUR to AT11."),
     "formData in English by default, parameters filled in")
amount = [a for a in fd.get("attributes", []) if a.get("type") == "AMOUNT"]
t.ok(amount and amount[0].get("amount") == 1234.5 and
     amount[0].get("amountFormatted") == "1234.50" and
     amount[0].get("currencyFormatted") == "€",
     "AMOUNT attribute with formatted values", amount)
r, _ = listing(d, tid, "cs-CZ,cs;q=0.9")
cz = [x for x in (r.json() or {}).get("responseObject", [])
      if x.get("id") == mine]
cz = cz[0].get("formData", {}) if cz else {}
t.ok(cz.get("title") == "Schválení platby" and any(
    a.get("amountFormatted") == "1234,50" for a in cz.get("attributes", [])),
    "Accept-Language cs: Czech texts and decimal comma", cz)
r, _ = listing(d, tid, "de-DE")
de = [x for x in (r.json() or {}).get("responseObject", [])
      if x.get("id") == mine]
t.eq(de[0].get("formData", {}).get("title") if de else None,
     "Payment Approval", "a language without texts falls back to English")

r = call(d, tid, "detail", {"requestObject": {"id": mine}})
t.eq((r.status, ((r.json() or {}).get("responseObject") or {}).get("id")),
     (200, mine), "detail of the user's operation")
r = call(d, tid, "detail", {"requestObject": {"id": theirs}})
t.ok(r.status == 400 and r.error_code() == "INVALID_REQUEST",
     "detail of another user's operation: INVALID_REQUEST", r)
r = e.request("POST", BASE + "list", body={})
t.ok(r.status == 401 and r.error_code() == "POWERAUTH_AUTH_FAIL",
     "list without a token: 401 POWERAUTH_AUTH_FAIL", r)
h = d.run("token-header", tid)[1]
e.request("POST", BASE + "list", body={}, headers={"X-PowerAuth-Token": h})
r = e.request("POST", BASE + "list", body={},
              headers={"X-PowerAuth-Token": h})
t.eq(r.status, 401, "a replayed token header: 401")
t.ok(hidden not in ids, "an operation type without a display template is "
     "not listed")

# The same through the device simulator's op-* commands.
rc, out, _ = d.run("op-list", tid)
t.ok(rc == 0 and out.startswith("200 ") and mine in out,
     "pa-device op-list shows the operation", out[:200])
rc, out, _ = d.run("op-approve", mine, "A1*A1234.5EUR*IAT11")
t.ok(out == '200 {"status":"OK"}' and (e.request(
    "GET", OPS + "/" + mine, auth=A).json() or {}).get("status") ==
    "APPROVED", "pa-device op-approve: APPROVED", out)
rc, out, _ = d.run("op-reject", bound_here, "INCORRECT_DATA")
t.ok(out.startswith("200 ") and (e.request(
    "GET", OPS + "/" + bound_here, auth=A).json() or {}).get(
    "statusReason") == "INCORRECT_DATA", "pa-device op-reject: REJECTED",
    out)

# History: every status, for a 2FA signature.
rc, out, _ = d.run("call", BASE.replace("/enrollment-server", "") +
                   "history", "/operation/history", "--body", "{}")
status, _, body = out.partition(" ")
hist = {x.get("id"): x.get("status") for x in
        (json.loads(body or "{}").get("responseObject") or [])}
t.ok(status == "200" and hist.get(mine) == "APPROVED" and
     hist.get(bound_here) == "REJECTED" and hist.get(canceled) == "CANCELED"
     and theirs not in hist, "history: the user's operations, all states",
     out[:300])
rc, out, _ = d.run("call", BASE.replace("/enrollment-server", "") +
                   "history", "/operation/history", "--body", "{}",
                   "--type", "possession")
t.ok(out.startswith("401 "), "history with a possession-only signature: 401",
     out)

# Every attribute type of api.md §3.6.2, from a display template of its own.
ctype = "rich_" + secrets.token_hex(3)
cname = "e2e.rich." + secrets.token_hex(3)
attrs = [
    {"id": "h", "type": "HEADING", "text": "Details", "params": {"level": "lvl"}},
    {"id": "al", "type": "ALERT", "text": "Alert",
     "params": {"type": "atype", "title": "atitle", "message": "amsg"}},
    {"id": "pi", "type": "PARTY_INFO", "text": "Merchant",
     "params": {"name": "pname", "websiteUrl": "purl"}},
    {"id": "im", "type": "IMAGE", "text": "Image",
     "params": {"thumbnailUrl": "thumb"}},
    {"id": "im2", "type": "IMAGE", "text": "No image",
     "params": {"thumbnailUrl": "missing"}},
    {"id": "cv", "type": "AMOUNT_CONVERSION", "text": "Exchange",
     "params": {"dynamic": "dyn", "sourceAmount": "sa",
                "sourceCurrency": "sc", "targetAmount": "ta",
                "targetCurrency": "tc"}},
    {"id": "nt", "type": "NOTE", "text": "Note", "params": {"note": "n"}},
    {"id": "zz", "type": "SOMETHING_NEW", "text": "Other",
     "params": {"value": "n"}}]
e.mysql("INSERT INTO operation_template (name, operation_type, data_template,"
        " signature_types, expiration_s, max_failures, created_at) VALUES"
        " ('%s', '%s', 'A0', '[\"possession\"]', 300, 5, UTC_TIMESTAMP(3))"
        % (cname, ctype))
e.mysql("INSERT INTO operation_display (operation_type, language, title,"
        " message, attributes, result_texts) VALUES ('%s', 'en', 'T', 'M',"
        " '%s', '{}')" % (ctype, json.dumps(attrs)))
rich = create(template=cname, parameters={
    "lvl": "2", "atype": "WARNING", "atitle": "Careful", "amsg": "Check",
    "pname": "Shop", "purl": "https://shop.example", "thumb": "https://i/1",
    "dyn": "true", "sa": "100", "sc": "EUR", "ta": "2500", "tc": "CZK",
    "n": "hello"})
r = call(d, tid, "detail", {"requestObject": {"id": rich}})
ro = (r.json() or {}).get("responseObject") or {}
got = {a.get("id"): a for a in ro.get("formData", {}).get("attributes", [])}
t.eq(sorted(got), ["al", "cv", "h", "im", "nt", "pi", "zz"],
     "attributes rendered; an IMAGE without its thumbnail is dropped")
t.ok(got.get("h", {}).get("level") == 2 and
     got.get("al", {}).get("alertType") == "WARNING" and
     got.get("pi", {}).get("partyInfo", {}).get("name") == "Shop" and
     got.get("im", {}).get("thumbnailUrl") == "https://i/1",
     "HEADING level, ALERT type, PARTY_INFO, IMAGE", got)
cv = got.get("cv", {})
t.ok(cv.get("dynamic") is True and cv.get("sourceAmount") == 100 and
     cv.get("targetCurrencyFormatted") == "Kč" and
     cv.get("targetValueFormatted") == "2500.00 Kč",
     "AMOUNT_CONVERSION with both sides formatted", cv)
t.eq((ro.get("allowedSignatureType"), got.get("zz", {}).get("type"),
      got.get("zz", {}).get("value")),
     ({"type": "1FA", "variants": []}, "KEY_VALUE", "hello"),
     "possession template: 1FA; an unknown type renders as KEY_VALUE")

# Anonymous operations: created without a user, claimed by a phone.
r = e.request("POST", OPS, body={"appId": app.get("id"),
                                 "template": "default.login"}, auth=A)
anon = (r.json() or {}).get("operationId", "")
t.ok(r.status == 200 and "userId" not in (r.json() or {}),
     "create without userId: an anonymous operation", r)
r = call(d3, tid3, "detail/claim", {"requestObject": {"id": anon}})
t.eq((r.status, ((r.json() or {}).get("responseObject") or {}).get("id")),
     (200, anon), "the first phone claims it")
r = call(d, tid, "detail/claim", {"requestObject": {"id": anon}})
t.ok(r.status == 400 and r.error_code() == "INVALID_REQUEST",
     "another user's phone cannot claim it again", r)
owner = (e.request("GET", OPS + "/" + anon, auth=A).json() or {}).get(
    "userId")
t.ok(owner and owner.startswith("mt-other-"), "it is now the claimer's",
     owner)
r = e.request("POST", OPS, body={"appId": app.get("id"),
                                 "template": "default.login",
                                 "registrationId": rid}, auth=A)
t.eq((r.json() or {}).get("userId"), user,
     "create with only registrationId: the registration's user")
t.done()
