#!/usr/bin/env python3
"""Managing templates through the admin API (doc/operations.md "Managing
templates"): operation templates and display templates are created,
listed, read, replaced and deleted; every rule of a template is checked
before anything is stored; a change shows at once in new operations and
on the phone (language fallback included); an operation made from a
deleted template can still be approved; integration users may not manage
templates; the seeded default.login and default.payment (en, cs) are
there."""
import os
import secrets
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(73)
A = e.admin_auth()
TPL = "/powerauth-cloud/admin/operation-templates"
DSP = "/powerauth-cloud/admin/display-templates"
OPS = "/powerauth-cloud/v2/operations"
MT = "/enrollment-server/api/auth/token/app/operation/"
tag = secrets.token_hex(3)
name = "e2e.tpl." + tag
otype = "e2e_type_" + tag


def req(method, path, body=None, auth=A):
    return e.request(method, path, body=body, auth=auth)


def bad(method, path, body, what, code="ERROR_REQUEST"):
    r = req(method, path, body)
    t.ok(r.status == 400 and r.error_code() == code, what, r)


# The seeded templates.
r = req("GET", TPL)
names = {x.get("name"): x for x in (r.json() or {}).get("templates", [])}
t.eq(r.status, 200, "list operation templates: 200")
pay = names.get("default.payment", {})
t.eq((pay.get("operationType"), pay.get("dataTemplate"), pay.get(
    "signatureTypes"), pay.get("expiration"), pay.get("maxFailureCount"),
    pay.get("proximityCheckEnabled")),
    ("payment", "A1*A${amount}${currency}*I${account}",
     ["possession_knowledge", "possession_biometry"], 300, 5, False),
    "seeded default.payment with every field")
t.ok("default.login" in names, "seeded default.login")
r = req("GET", DSP)
pairs = sorted((x.get("operationType"), x.get("language")) for x in
               (r.json() or {}).get("displayTemplates", [])
               if x.get("operationType") in ("login", "payment"))
t.eq(pairs, [("login", "cs"), ("login", "en"), ("payment", "cs"),
             ("payment", "en")], "seeded display templates: login and "
     "payment in en and cs")

# Only the administrator manages templates.
app = e.new_app("e2e-tpl-", t)
U = e.new_user("e2e-tpl-u-", app.get("id"), t)
t.eq(req("GET", TPL, auth=U).status, 403, "ROLE_USER: GET 403")
t.eq(req("POST", TPL, {"name": name}, auth=U).status, 403,
     "ROLE_USER: POST 403")
t.eq(req("DELETE", TPL + "/default.login", auth=U).status, 403,
     "ROLE_USER: DELETE 403")

# Create with every field; read it back.
full = {"name": name, "operationType": otype,
        "dataTemplate": "A1*A${amount}${currency}*Q${account}*N${note}",
        "signatureTypes": ["POSSESSION_KNOWLEDGE"], "expiration": 120,
        "maxFailureCount": 2, "riskFlags": "XF",
        "proximityCheckEnabled": True}
r = req("POST", TPL, full)
want = dict(full, signatureTypes=["possession_knowledge"])
t.eq((r.status, r.json()), (200, want),
     "create: 200, the stored template (signature types lower-case)")
r = req("GET", TPL + "/" + name)
t.eq((r.status, r.json()), (200, want), "GET by name: the same")
bad("POST", TPL, full, "create again: ERROR_REQUEST (exists)")
bad("GET", TPL + "/e2e.none." + tag, None,
    "GET unknown: ERROR_TEMPLATE_NOT_FOUND", "ERROR_TEMPLATE_NOT_FOUND")

# Defaults.
r = req("POST", TPL, {"name": name + ".min", "operationType": otype,
                      "dataTemplate": "A2"})
t.eq(r.json(), {"name": name + ".min", "operationType": otype,
                "dataTemplate": "A2", "signatureTypes": [
                    "possession_knowledge", "possession_biometry"],
                "expiration": 300, "maxFailureCount": 5,
                "proximityCheckEnabled": False},
     "create with the required fields only: defaults")

# Every rule.
base = {"name": name + ".bad", "operationType": otype, "dataTemplate": "A2"}
for change, what in [
        ({"name": "has space"}, "name with a space"),
        ({"name": "x" * 65}, "name of 65 characters"),
        ({"operationType": "a/b"}, "operationType with a slash"),
        ({"dataTemplate": None}, "no dataTemplate"),
        ({"dataTemplate": "B1*X"}, "dataTemplate without the A header"),
        ({"dataTemplate": "A123"}, "dataTemplate header A123"),
        ({"dataTemplate": "A1*A${amount"}, "dataTemplate with an open ${"),
        ({"dataTemplate": "A1*A${a b}"}, "placeholder name with a space"),
        ({"dataTemplate": "A1*N\u0001"}, "control character"),
        ({"signatureTypes": []}, "no signature types"),
        ({"signatureTypes": ["possession", "POSSESSION"]},
         "a signature type twice"),
        ({"signatureTypes": ["fingerprint"]}, "unknown signature type"),
        ({"expiration": 0}, "expiration 0"),
        ({"expiration": 2592001}, "expiration over 30 days"),
        ({"maxFailureCount": 101}, "maxFailureCount 101"),
        ({"riskFlags": "XX"}, "risk flag twice"),
        ({"riskFlags": "Q"}, "unknown risk flag"),
        ({"proximityCheckEnabled": "yes"}, "proximityCheckEnabled string")]:
    body = dict(base, **change)
    body = {k: v for k, v in body.items() if v is not None}
    bad("POST", TPL, body, "refused: " + what)
t.eq(e.mysql("SELECT COUNT(*) FROM operation_template WHERE name = '%s'"
             % (name + ".bad")).strip(), "0", "nothing stored when refused")

# Display templates for the new type: en and de.
attrs = [{"id": "operation.amount", "type": "AMOUNT", "text": "Amount",
          "params": {"amount": "amount", "currency": "currency"}},
         {"id": "operation.note", "type": "NOTE", "text": "Note",
          "params": {"note": "note"}},
         {"id": "operation.heading", "type": "HEADING", "text": "Details"}]
en = {"operationType": otype, "language": "en", "title": "Pay ${amount}",
      "message": "To ${account}", "attributes": attrs,
      "resultTexts": {"success": "Paid", "reject": "Not paid"},
      "ui": {"blockApprovalOnCall": True,
             "preApprovalScreen": {"type": "QR_SCAN",
                                   "heading": "Scan: ${note}"}}}
r = req("POST", DSP, en)
t.eq((r.status, r.json()), (200, en), "display create (en): 200, stored")
de = dict(en, language="de", title="Zahlen ${amount}", message="An ${account}")
del de["ui"]
r = req("POST", DSP, de)
t.eq((r.status, (r.json() or {}).get("resultTexts")),
     (200, {"success": "Paid", "reject": "Not paid"}),
     "display create (de, no ui): 200")
bad("POST", DSP, de, "display create again: ERROR_REQUEST (exists)")
r = req("GET", DSP + "?operationType=" + otype)
t.eq([x.get("language") for x in (r.json() or {}).get("displayTemplates",
                                                       [])],
     ["de", "en"], "display list for one type: de, en")
r = req("GET", DSP + "/%s/de" % otype)
t.eq((r.status, "ui" in (r.json() or {})), (200, False),
     "display GET (de): 200, no ui")
bad("GET", DSP + "/%s/fr" % otype, None, "display GET (fr): not found",
    "ERROR_TEMPLATE_NOT_FOUND")
dbase = {"operationType": otype, "language": "fr", "title": "T",
         "message": "M"}
for change, what in [
        ({"language": "EN"}, "language upper-case"),
        ({"language": "eng"}, "language of three letters"),
        ({"title": None}, "no title"),
        ({"title": "x" * 256}, "title of 256 characters"),
        ({"attributes": {}}, "attributes an object"),
        ({"attributes": [{"id": "a", "type": "MAGIC"}]}, "unknown type"),
        ({"attributes": [{"id": "a", "type": "NOTE",
                          "params": {"value": "v"}}]},
         "a params key the type does not read"),
        ({"attributes": [{"id": "a", "type": "NOTE"},
                         {"id": "a", "type": "NOTE"}]}, "repeated id"),
        ({"attributes": [{"id": "a", "type": "NOTE", "label": "x"}]},
         "an unknown attribute member"),
        ({"resultTexts": {"done": "x"}}, "unknown result text"),
        ({"ui": {"preApprovalScreen": {"type": "LOUD"}}},
         "unknown pre-approval screen type"),
        ({"ui": {"flipButtons": "yes"}}, "flipButtons a string"),
        ({"ui": {"colour": "red"}}, "unknown ui member")]:
    body = dict(dbase, **change)
    body = {k: v for k, v in body.items() if v is not None}
    bad("POST", DSP, body, "display refused: " + what)
t.eq(e.mysql("SELECT COUNT(*) FROM operation_display WHERE operation_type"
             " = '%s' AND language = 'fr'" % otype).strip(), "0",
     "nothing stored when refused")

# The template at work: an operation of it, seen by a phone.
work = tempfile.mkdtemp(prefix="paserv-e2e-tpl-")
user = "tpl-user-" + tag
rid, d = e.active_device(app, user, work, "phone", "3.3", t)
tok = d.run("token-create")[1]


def create_op(**params):
    r = req("POST", OPS, {"userId": user, "appId": app.get("id"),
                          "template": name, "parameters": params})
    return r.json() or {}


def phone_list(lang):
    hdr = {"X-PowerAuth-Token": d.run("token-header", tok)[1],
           "Accept-Language": lang}
    r = e.request("POST", MT + "list", body={}, headers=hdr)
    return {x.get("id"): x for x in (r.json() or {}).get(
        "responseObject", [])}


op = create_op(amount="10", currency="EUR", account="AT11", note='rent "May"')
oid = op.get("operationId", "")
t.eq((op.get("operationType"), op.get("maxFailureCount"),
      op.get("timestampExpires", 0) - op.get("timestampCreated", 0)),
     (otype, 2, 120000), "operation: type, max failures, expiry from it")
t.ok(len(op.get("proximityOtp", "")) == 8,
     "operation: proximity check from the template", op)
seen = phone_list("de").get(oid, {})
t.eq((seen.get("data"), seen.get("formData", {}).get("title"),
      seen.get("allowedSignatureType")),
     ('A1*A10EUR*QAT11*Nrent "May"', "Zahlen 10",
      {"type": "2FA", "variants": ["possession_knowledge"]}),
     "phone (de): data from the template, German title, signature types")
t.eq(seen.get("ui"), {"flipButtons": True, "preApprovalScreen": {
    "type": "WARNING", "approvalType": "SLIDER"}},
    "phone (de), a display without ui: ui from the risk flags X and F")
seen = phone_list("fr").get(oid, {})
t.eq((seen.get("formData", {}).get("title"), seen.get("ui")),
     ("Pay 10", {"blockApprovalOnCall": True, "preApprovalScreen": {
         "type": "QR_SCAN", "heading": 'Scan: rent "May"'}}),
     "phone (fr): English fallback, its ui with the parameters filled in")
# Without a proximity check the QR_SCAN screen is dropped; only the two
# variants the SDKs know are offered.
req("PUT", TPL + "/" + name + ".min", {
    "operationType": otype, "dataTemplate": "A2", "signatureTypes": [
        "possession_knowledge_biometry", "possession_biometry"]})
r = req("POST", OPS, {"userId": user, "appId": app.get("id"),
                      "template": name + ".min", "parameters": {}})
seen = phone_list("en").get((r.json() or {}).get("operationId"), {})
t.eq((seen.get("ui"), seen.get("allowedSignatureType")),
     ({"blockApprovalOnCall": True},
      {"type": "2FA", "variants": ["possession_biometry"]}),
     "phone: no proximity check, no QR_SCAN screen; known variants only")

# Replace: new operations and the phone see it at once.
r = req("PUT", TPL + "/" + name, dict(full, dataTemplate="A1*A${amount}"
                                      "${currency}", expiration=60,
                                      name="ignored"))
t.eq((r.status, (r.json() or {}).get("name"),
      (r.json() or {}).get("expiration")), (200, name, 60),
     "PUT: 200, the name is the path's")
r = req("PUT", TPL + "/" + name, dict(full, dataTemplate="A1*A${amount}"
                                      "${currency}", expiration=60))
t.eq(r.status, 200, "PUT with nothing changed: 200")
bad("PUT", TPL + "/e2e.none." + tag, full, "PUT unknown: not found",
    "ERROR_TEMPLATE_NOT_FOUND")
bad("PUT", TPL + "/" + name, dict(full, expiration=-1),
    "PUT breaking a rule: ERROR_REQUEST")
op2 = create_op(amount="20", currency="EUR")
t.eq(op2.get("timestampExpires", 0) - op2.get("timestampCreated", 0),
     60000, "new operation: the replaced expiry")
r = req("PUT", DSP + "/%s/de" % otype, dict(de, title="Neu ${amount}",
                                            language="xx"))
t.eq((r.status, (r.json() or {}).get("language"),
      (r.json() or {}).get("title")), (200, "de", "Neu ${amount}"),
     "display PUT: 200, keyed by the path")
bad("PUT", DSP + "/%s/fr" % otype, de, "display PUT unknown: not found",
    "ERROR_TEMPLATE_NOT_FOUND")
lst = phone_list("de")
t.eq((lst.get(oid, {}).get("formData", {}).get("title"),
      lst.get(op2.get("operationId"), {}).get("data")),
     ("Neu 10", "A1*A20EUR"),
     "phone: the new title on an old operation, the new data on a new one")

# Delete the German display: the phone falls back to English.
r = req("DELETE", DSP + "/%s/de" % otype)
t.eq((r.status, r.body), (204, b""), "display DELETE: 204, no body")
bad("DELETE", DSP + "/%s/de" % otype, None, "display DELETE again: "
    "not found", "ERROR_TEMPLATE_NOT_FOUND")
t.eq(phone_list("de").get(oid, {}).get("formData", {}).get("title"),
     "Pay 10", "phone (de) after the delete: English")

# Delete the template: no new operations; the old one still approves.
r = req("DELETE", TPL + "/" + name)
t.eq(r.status, 204, "DELETE template: 204")
bad("DELETE", TPL + "/" + name, None, "DELETE again: not found",
    "ERROR_TEMPLATE_NOT_FOUND")
r = req("POST", OPS, {"userId": user, "appId": app.get("id"),
                      "template": name, "parameters": {}})
t.ok(r.status == 400 and r.error_code() == "ERROR_REQUEST" and
     "template" in str(r.json()), "operation of a deleted template: "
     "ERROR_REQUEST", r)
rc, out, err = d.run("op-approve", op2.get("operationId", ""), "A1*A20EUR",
                     "--otp", op2.get("proximityOtp", ""))
t.ok(rc == 0 and out == '200 {"status":"OK"}',
     "an operation made before the delete still approves", (out, err))
t.eq(req("GET", OPS + "/" + op2.get("operationId", "")).json().get(
    "status"), "APPROVED", "GET: APPROVED")
req("DELETE", TPL + "/" + name + ".min")
t.done()
