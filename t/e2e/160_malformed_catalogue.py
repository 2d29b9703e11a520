#!/usr/bin/env python3
"""The malformed-request catalogue (issue 9, done-when 2): several hundred
malformed or abusive requests over every endpoint of both contexts,
generated from tables (route lists of src/cloud/cloud.c and
src/enroll/enroll.c, request schemas of doc/openapi/*.yaml): broken JSON,
wrong types, missing and extra fields, huge, negative and overflowing
numbers, invalid UUIDs, control characters, NUL, invalid UTF-8, overlong
strings, wrong methods, bad query parameters, garbled PowerAuth headers
(X-PowerAuth-Authorization, -Token, -Encryption), bad Basic credentials,
broken ECIES envelopes and JWTs, path traversal, duplicate keys, empty
bodies, wrong content types, malformed HTTP.

Every answer must be a 4xx (never a 5xx) whose body is the documented JSON
error envelope {"status":"ERROR","responseObject":{"code","message"}} with
a code from the Error schema of the context's OpenAPI file (nginx's own
errors included), and a PowerAuth ERR_* code must carry a POWER_AUTH_*
constant as its message (api.md §3.2).

The database must not change where a request was refused: a checksum of
every row of every table (each column, order independent) is taken before
and after each group. The test runs its own stack (paserv_stack.py: own
MariaDB server, workers, nginx; housekeeping off, no dispatcher), so other
tests writing to the shared database at the same time cannot disturb the
comparison. Exclusions, each for one group only:
  - "counted failures": a well-formed signature of a real registration
    that does not verify counts a failed attempt (doc/mobile-api.md,
    doc/authentication.md; possession-only types count in the possession
    window instead), and a failed approval counts on the operation
    (doc/operations.md), whose trigger writes an event: the columns
    activation.failed_attempts, possession_failures,
    possession_window_start, operation.failure_count and the table
    event_outbox (with the callback_delivery rows a callback makes of the
    events) are left out there, and the test checks the figures instead
    (no status change, exact counts).
  - "mobile token bodies": a valid X-PowerAuth-Token header is spent
    (recorded in replay_value) when it verifies, even if the body is then
    refused: a token header verifies once (doc/authentication.md). The
    table replay_value is left out there; at most one record per request.
Nothing else is excluded (but the audit log, which records refused
requests by design: doc/security.md): replay records elsewhere, temporary
keys, tokens and counters must all stay as they were.
"""
import base64
import http.client
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

if not e.URL:
    e.Tap(0)            # prints the skip line and exits
import paserv_stack  # noqa: E402

CLOUD = "/powerauth-cloud"
ENROLL = "/enrollment-server"
MT = ENROLL + "/api/auth/token/app/operation/"
RAND_UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
started = time.monotonic()


# --- documented error codes -----------------------------------------------

def doc_codes(yaml_name):
    """The code enum of components.schemas.Error in doc/openapi/<name>."""
    path = os.path.join(e.TOP_SRCDIR, "doc", "openapi", yaml_name)
    lines = open(path).read().splitlines()
    i = lines.index("    Error:")
    while lines[i].strip() != "enum:":
        i += 1
    out = set()
    for line in lines[i + 1:]:
        m = re.match(r"^\s+- ([A-Z0-9_]+)$", line)
        if not m:
            break
        out.add(m.group(1))
    return out


CODES = {CLOUD: doc_codes("powerauth-cloud.yaml"),
         ENROLL: doc_codes("enrollment-server.yaml")}


# --- bodies with raw bytes --------------------------------------------------

class Raw:
    """A JSON value given as raw bytes (invalid UTF-8, 1e400, ...)."""

    def __init__(self, data):
        self.data = data


MISSING = object()


def enc(obj):
    """JSON text of obj as bytes, Raw values spliced in as given."""
    raws = []

    def walk(o):
        if isinstance(o, Raw):
            raws.append(o.data)
            return "\x00raw%d\x00" % (len(raws) - 1)
        if isinstance(o, dict):
            return {k: walk(v) for k, v in o.items() if v is not MISSING}
        if isinstance(o, list):
            return [walk(v) for v in o]
        return o
    text = json.dumps(walk(obj)).encode("utf-8")
    for n, data in enumerate(raws):
        text = text.replace(b'"\\u0000raw%d\\u0000"' % n, data)
    return text


# --- mutations of one value, by kind ---------------------------------------

BAD_UTF8 = Raw(b'"a\xff\xfeb"')
STR_TYPES = [("a number", 12345), ("true", True), ("an array", ["x"]),
             ("an object", {"a": "b"})]
# 70,001 characters: too long for any field, and not Base64 either.
STR_CONTENT = [("NUL inside", "a\u0000b"), ("invalid UTF-8", BAD_UTF8),
               ("70,001 characters", "x" * 70001)]
INT_BAD = [("a string", "12"), ("1e400", Raw(b"1e400")),
           ("2^64", Raw(b"18446744073709551616")),
           ("-2^63-1", Raw(b"-9223372036854775809")), ("true", True),
           ("an array", [1]), ("an object", {})]


def mutations(kind, required):
    """(label, value) pairs that make a field of this kind invalid."""
    out = []
    if required:
        out += [("missing", MISSING), ("null", None)]
    if kind in ("str", "id", "uuid", "b64", "b64n", "enum", "ctl"):
        out += STR_TYPES + STR_CONTENT
        if required or kind in ("id", "uuid", "b64n", "enum"):
            out.append(("empty", ""))
    if kind == "ctl":
        out += [("a control character", "a\x01b"), ("a newline", "a\nb")]
    if kind == "id":
        out += [("a space and a slash", "a b/c"), ("'../x'", "../x")]
    if kind == "uuid":
        out += [("not a UUID", "not-a-uuid"),
                ("a UUID with a 'g'", RAND_UUID[:-1] + "g"),
                ("a UUID without dashes", RAND_UUID.replace("-", ""))]
    if kind in ("b64", "b64n"):
        out += [("not Base64", "***not base64***"),
                ("Base64 with a bad length", "QUJ")]
    if kind == "b64n":
        out.append(("Base64 of the wrong size", "QUJD"))
    if kind == "enum":
        out += [("an unknown value", "NOT_A_VALUE"),
                ("a value with NUL", "BLOCK\u0000")]
    if kind == "int":
        out += INT_BAD
    if kind == "posint":
        out += INT_BAD + [("-1", -1), ("0", 0), ("2^31", 2 ** 31)]
    if kind == "duration":
        out += [("true", True), ("an array", []), ("an object", {}),
                ("a negative number", -1), ("prose", "five minutes"),
                ("a negative ISO duration", "P-1D"), ("empty", ""),
                ("NUL inside", "PT2S\u0000")]
    if kind == "bool":
        out += [("a string", "true"), ("a number", 1), ("an array", [])]
    if kind == "obj":
        out += [("a string", "x"), ("an array", []), ("a number", 1)]
    if kind == "strmap":
        out += [("a string", "x"), ("an array", []),
                ("a member that is a number", {"a": 1}),
                ("a member that is an object", {"a": {}}),
                ("1000 members", {"k%d" % i: "v" for i in range(1000)})]
    if kind == "arr":
        out += [("a string", "x"), ("an object", {}),
                ("an array of numbers", [1, 2]),
                ("an array of 1000", ["a%d" % i for i in range(1000)])]
    return out


# --- the cases --------------------------------------------------------------

class Case:
    __slots__ = ("group", "name", "method", "path", "body", "headers",
                 "want", "raw")

    def __init__(self, group, name, method, path, body=None, headers=None,
                 want=None, raw=None):
        self.group = group
        self.name = name
        self.method = method
        self.path = path
        self.body = body
        self.headers = headers or {}
        self.want = (want,) if isinstance(want, int) else want
        self.raw = raw              # raw HTTP bytes instead of the above


cases = []


def add(group, name, method, path, body=None, headers=None, want=None,
        ctype="application/json"):
    h = {}
    if body is not None:
        if not isinstance(body, bytes):
            body = enc(body)
        if ctype:
            h["Content-Type"] = ctype
    h.update(headers or {})
    cases.append(Case(group, name, method, path, body, h, want))


def field_cases(group, label, method, path, base, fields, headers=None,
                wrap=None):
    """One case per invalid value of each field of a valid body. wrap
    puts the object into another (e.g. requestObject)."""
    for name, kind, required in fields:
        for what, value in mutations(kind, required):
            body = dict(base)
            body[name] = value
            if wrap:
                body = wrap(body)
            add(group, "%s: %s %s" % (label, name, what), method, path,
                body, headers)


def body_cases(group, label, method, path, headers=None, valid=None,
               optional_body=False):
    """Broken bodies: not JSON, not an object, duplicate keys, deep
    nesting, NUL, invalid UTF-8, wrong content types."""
    v = enc(valid if valid is not None else {})
    items = [
        ("truncated JSON", v[:max(1, len(v) // 2)]),
        ("a JSON array", b"[1,2,3]"),
        ("a JSON string", b'"text"'),
        ("JSON null", b"null"),
        ("an unclosed string", b'{"a":"b'),
        ("garbage after the object", v + b"garbage"),
        ("two objects", v + v),
        ("a NUL byte in the body", v[:1] + b"\x00" + v[1:]),
        ("invalid UTF-8 in a key", b'{"\xff\xfe":1}'),
        ("5,000 nested arrays", b"[" * 5000 + b"]" * 5000),
        ("a bare number 1e400", b"1e400"),
        ("single quotes", b"{'a':'b'}"),
        ("a comment", b'{/* c */"a":1}'),
    ]
    if not optional_body:
        items.append(("an empty body", b""))
    for what, body in items:
        add(group, "%s: %s" % (label, what), method, path, body, headers)
    add(group, "%s: broken JSON sent as text/plain" % label, method, path,
        b"{not json", headers, ctype="text/plain")
    add(group, "%s: a form sent as multipart/form-data" % label, method,
        path, b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1"
        b"\r\n--x--\r\n", headers, ctype="multipart/form-data; boundary=x")


# --- set-up: a private stack and its fixtures -------------------------------

stack = paserv_stack.Stack("catalogue",
                           conf_extra="housekeeping.interval = 0")
try:
    stack.start()
except paserv_stack.StackError as ex:
    t = e.Tap(1)
    t.ok(False, "private stack starts", str(ex))
    stack.stop()
    t.done()
stack.use()
work = tempfile.mkdtemp(prefix="paserv-e2e-cat-")
ADMIN = e.admin_auth()


def must(r, what):
    if r.status != 200:
        raise RuntimeError("set-up %s: %r" % (what, r))
    return r.json()


def setup():
    f = {}
    app = must(e.request("POST", CLOUD + "/admin/applications",
                         body={"id": "cat-app"}, auth=ADMIN), "app")
    must(e.request("POST", CLOUD + "/admin/applications",
                   body={"id": "cat-other"}, auth=ADMIN), "other app")
    f["app"] = app
    u = must(e.request("POST", CLOUD + "/admin/users",
                       body={"username": "cat-user"}, auth=ADMIN), "user")
    must(e.request("POST", CLOUD + "/admin/users/cat-user/applications/"
                   "cat-app", auth=ADMIN), "grant")
    f["user"] = e.basic("cat-user", u["password"])
    rid, d = e.active_device(app, "alice", work, "d1", "3.3")
    rid2, d2 = e.active_device(app, "bob", work, "d2", "3.3")
    f["rid"], f["dev"], f["rid2"], f["dev2"] = rid, d, rid2, d2
    st = must(e.request("GET", CLOUD + "/v2/registrations/" + rid,
                        auth=ADMIN), "registration")
    if st.get("registrationStatus") != "ACTIVE":
        raise RuntimeError("device not active: %r" % (d.last,))
    c = must(e.request("POST", CLOUD + "/v2/registrations",
                       body={"userId": "carol", "appId": "cat-app"},
                       auth=ADMIN), "created registration")
    f["rid_created"] = c["registrationId"]
    f["tid"] = d.run("token-create")[1]
    d.run("vault-unlock")
    op = must(e.request("POST", CLOUD + "/v2/operations", body={
        "userId": "alice", "appId": "cat-app", "template": "default.login"},
        auth=ADMIN), "operation")
    f["op"] = op["operationId"]
    op2 = must(e.request("POST", CLOUD + "/v2/operations", body={
        "userId": "bob", "appId": "cat-app", "template": "default.login"},
        auth=ADMIN), "operation 2")
    f["op2"] = op2["operationId"]
    cb = must(e.request("POST", CLOUD + "/v2/admin/applications/cat-app/"
                        "callbacks", body={
                            "name": "cat-cb", "type":
                            "OPERATION_STATUS_CHANGE",
                            "callbackUrl": "http://127.0.0.1:9/hook"},
                        auth=ADMIN), "callback")
    f["cb"] = cb["id"]
    must(e.request("POST", CLOUD + "/admin/operation-templates", body={
        "name": "cat.tpl", "operationType": "login", "dataTemplate": "A2"},
        auth=ADMIN), "template")
    # Traced requests of the phone (used once already: replays).
    for key, path in (("x_create", "/pa/v3/activation/create"),
                      ("x_keystore", "/pa/v3/keystore/create"),
                      ("x_token", "/pa/v3/token/create"),
                      ("x_vault", "/pa/v3/vault/unlock")):
        x = d.exchanges(path)
        if not x:
            raise RuntimeError("no traced %s" % path)
        f[key] = x[-1]
    f["tok_hdrs"] = d.run("token-header-batch", f["tid"], "60")[1].split(
        "\n")
    f["sig"] = d.run("sign", "POST", "/pa/signature/validate", "--body",
                     "{}")[1]
    f["sig2"] = d2.run("sign-batch", "POST", "/pa/signature/validate", "6",
                       "--body", "{}")[1].split("\n")
    return f


try:
    F = setup()
except (RuntimeError, KeyError, ValueError) as ex:
    t = e.Tap(1)
    t.ok(False, "fixtures", str(ex))
    stack.failed = True             # keep its logs
    stack.stop()
    shutil.rmtree(work, ignore_errors=True)
    t.done()
USER = F["user"]
# Well-formed headers that name nothing (an unknown activation or token):
# whatever a variant of them gets through, nothing can be counted.
SIG_NOBODY = re.sub(r'pa_activation_id="[^"]*"',
                    'pa_activation_id="%s"' % RAND_UUID, F["sig"])
TOK_NOBODY = re.sub(r'token_id="[^"]*"', 'token_id="%s"' % RAND_UUID,
                    F["tok_hdrs"][0])
APP = F["app"]
RID = F["rid"]


def hdrs_of(x):
    return dict(h.split(": ", 1) for h in x["headers"])


def attrs(header):
    """PowerAuth k="v", ... -> ordered dict."""
    out = {}
    for k, v in re.findall(r'(\w+)="([^"]*)"', header):
        out[k] = v
    return out


def powerauth(a):
    return "PowerAuth " + ", ".join('%s="%s"' % kv for kv in a.items())


def variants(header, malformed_only):
    """Garbled forms of a PowerAuth header value. Malformed ones fail to
    parse; the others parse but name nothing that exists (an unknown
    activation, token or application key), so nothing is counted."""
    a = attrs(header)
    out = [("missing", None), ("empty", ""), ("just 'PowerAuth'",
                                              "PowerAuth"),
           ("garbage", "PowerAuth ###"),
           ("another scheme", "Basic " + base64.b64encode(
               b"a:b").decode()),
           ("unterminated quote", header[:-1]),
           ("8,000 characters", header + ", x=\"" + "y" * 8000 + "\""),
           ("NUL-free binary junk", "PowerAuth \x01\x02\x7f"),
           ("no separators", header.replace(", ", " ")),
           ("a key twice", header + ', ' + header.split(" ", 1)[1]
            .split(", ")[0])]
    for k, bad in (("version", "2.0"), ("version", "4.0"),
                   ("version", "3.3.1"), ("pa_version", "2.1"),
                   ("pa_version", "3.9"),
                   ("activation_id", "not-a-uuid"),
                   ("pa_activation_id", "../../etc/passwd"),
                   ("application_key", "%%%"),
                   ("pa_application_key", "QUJD"),
                   ("pa_nonce", "short"), ("nonce", "!!"),
                   ("pa_signature_type", "telepathy"),
                   ("pa_signature", "-"), ("token_id", "x"),
                   ("token_digest", "AAAA"), ("timestamp", "-5"),
                   ("timestamp", "99999999999999999999")):
        if k in a:
            b = dict(a)
            b[k] = bad
            out.append(("%s=%s" % (k, bad[:20]), powerauth(b)))
    for k in list(a)[:3]:
        b = dict(a)
        del b[k]
        out.append(("without %s" % k, powerauth(b)))
    if not malformed_only:
        for k in ("pa_activation_id", "activation_id", "token_id"):
            if k in a:
                b = dict(a)
                b[k] = RAND_UUID
                out.append(("an unknown %s" % k, powerauth(b)))
        for k in ("pa_application_key", "application_key"):
            if k in a:
                b = dict(a)
                b[k] = base64.b64encode(secrets.token_bytes(16)).decode()
                out.append(("an unknown %s" % k, powerauth(b)))
    return out


def header_cases(group, label, method, path, name, header, body,
                 malformed_only=False, extra=None):
    for what, value in variants(header, malformed_only):
        h = dict(extra or {})
        if value is not None:
            h[name] = value
        add(group, "%s: %s %s" % (label, name, what), method, path, body, h)


# --- catalogue: /powerauth-cloud -------------------------------------------

def cloud_auth_cases():
    g = "cloud auth"
    targets = [("GET", "/admin/applications"), ("POST", "/v2/registrations"),
               ("POST", "/v2/signature/verify"), ("GET", "/v2/operations"),
               ("GET", "/metrics"), ("GET", "/admin/webhooks")]
    creds = [("no Authorization", None, 401),
             ("wrong password", e.basic("admin", "nope"), 401),
             ("unknown user", e.basic("nobody", "x"), 401),
             ("empty password", e.basic("admin", ""), 401),
             ("no colon", "Basic " + base64.b64encode(b"admin").decode(),
              401),
             ("not Base64", "Basic %%%%", 401),
             ("Bearer scheme", "Bearer abc", 401),
             ("'Basic' alone", "Basic", 401),
             ("4 kB of Base64", "Basic " + "QUFB" * 1000, 401),
             ("NUL in the user name", "Basic " + base64.b64encode(
                 b"adm\x00in:x").decode(), 401),
             ("invalid UTF-8 user", "Basic " + base64.b64encode(
                 b"\xff\xfe:x").decode(), 401)]
    for i, (what, value, want) in enumerate(creds):
        m, p = targets[i % len(targets)]
        add(g, "%s %s: %s" % (m, p, what), m, CLOUD + p,
            {} if m == "POST" else None,
            {"Authorization": value} if value else {}, want)
    for m, p in (("GET", "/admin/applications"),
                 ("POST", "/admin/applications"), ("POST", "/admin/users"),
                 ("GET", "/admin/operation-templates"),
                 ("DELETE", "/admin/operation-templates/cat.tpl"),
                 ("PUT", "/admin/display-templates/login/en"),
                 ("GET", "/admin/webhooks"), ("GET", "/metrics"),
                 ("POST", "/admin/users/cat-user/applications/cat-other")):
        add(g, "integration user on ROLE_ADMIN %s %s" % (m, p), m,
            CLOUD + p, {"id": "x"} if m in ("POST", "PUT") else None,
            {"Authorization": USER}, 403)
    # Not granted: the other application's data.
    for m, p, b in (("POST", "/v2/registrations",
                     {"userId": "u", "appId": "cat-other"}),
                    ("GET", "/v2/admin/applications/cat-other/callbacks",
                     None),
                    ("POST", "/v2/operations", {
                        "userId": "u", "appId": "cat-other",
                        "template": "default.login"})):
        add(g, "integration user, application not granted: %s %s" % (m, p),
            m, CLOUD + p, b, {"Authorization": USER})


def cloud_method_cases():
    g = "cloud methods and paths"
    for m, p in (("DELETE", "/admin/applications"), ("PUT", "/admin/users"),
                 ("GET", "/admin/users"), ("PATCH", "/v2/registrations"),
                 ("POST", "/v2/registrations/" + RID),
                 ("GET", "/v2/signature/verify"),
                 ("PUT", "/v2/token/verify"),
                 ("GET", "/v2/authentication/verify"),
                 ("DELETE", "/v2/signature/offline/verify"),
                 ("PUT", "/v2/operations"), ("POST", "/v2/operations/" +
                                              F["op"]),
                 ("GET", "/v2/operations/%s/offline/otp" % F["op"]),
                 ("POST", "/v2/operations/%s/offline/qr" % F["op"]),
                 ("GET", "/v2/registrations/%s/commit" % RID),
                 ("POST", "/metrics"), ("POST", "/admin/webhooks"),
                 ("PATCH", "/admin/operation-templates/cat.tpl"),
                 ("POST", "/admin/display-templates/login/en"),
                 ("PATCH", "/v2/admin/applications/cat-app/callbacks"),
                 ("POST", "/actuator/health"),
                 ("OPTIONS", "/v2/registrations"),
                 ("TRACE", "/admin/applications")):
        add(g, "%s %s" % (m, p), m, CLOUD + p, None,
            {"Authorization": ADMIN}, (405,))
    for p in ("/nope", "/v3/registrations", "/admin", "/v2/registrations/" +
              RID + "/extra", "/admin/applications/cat-app/x",
              "/internal/auth/x", "/%00", "/admin/applications/%2e%2e",
              "/v2/registrations/..%2f..%2fadmin%2fapplications",
              "/v2/operations/" + "a" * 300, "/v2/registrations/%ff%fe",
              "/../enrollment-server/pa/v3/status",
              "/v2//registrations", "/admin/applications/ca%20t"):
        # Traversal resolved by nginx lands on an admin route: the
        # integration user's credentials must not reach it.
        add(g, "GET %s (integration user)" % p[:60], "GET", CLOUD + p,
            None, {"Authorization": USER if ".." in p or "%2e" in p
                   else ADMIN})
    for p, what in (("/v2/registrations/" + RAND_UUID, "unknown"),
                    ("/v2/registrations/not-a-uuid", "not a UUID"),
                    ("/v2/operations/" + RAND_UUID, "unknown"),
                    ("/v2/operations/not-a-uuid", "not a UUID"),
                    ("/admin/applications/nope", "unknown"),
                    ("/admin/operation-templates/nope", "unknown"),
                    ("/admin/display-templates/login/xx", "unknown"),
                    ("/v2/admin/applications/cat-app/callbacks/" +
                     RAND_UUID, "unknown"),
                    ("/v2/admin/applications/cat-app/callbacks/x",
                     "not a UUID"),
                    ("/v2/admin/applications/nope/callbacks", "unknown")):
        add(g, "GET %s (%s)" % (p[:60], what), "GET", CLOUD + p, None,
            {"Authorization": ADMIN})
    for m, p in (("DELETE", "/v2/registrations/" + RAND_UUID),
                 ("DELETE", "/v2/operations/" + RAND_UUID),
                 ("DELETE", "/admin/operation-templates/nope"),
                 ("DELETE", "/admin/display-templates/nope/en"),
                 ("DELETE", "/v2/admin/applications/cat-app/callbacks/" +
                  RAND_UUID),
                 ("POST", "/v2/registrations/%s/commit" % RAND_UUID),
                 ("POST", "/v2/registrations/%s/commit" % RID),
                 ("POST", "/admin/users/nobody/applications/cat-app"),
                 ("POST", "/admin/users/cat-user/applications/nope")):
        add(g, "%s %s (nothing to act on)" % (m, p[:70]), m, CLOUD + p,
            None, {"Authorization": ADMIN})


def cloud_query_cases():
    g = "cloud query parameters"
    ops = "/v2/operations?userId=alice"
    qs = [("/v2/operations", "userId missing"),
          ("/v2/operations?userId=", "userId empty"),
          (ops + "&pageSize=-1", "pageSize -1"),
          (ops + "&pageSize=0", "pageSize 0"),
          (ops + "&pageSize=501", "pageSize 501"),
          (ops + "&pageSize=abc", "pageSize abc"),
          (ops + "&pageSize=99999999999999999999", "pageSize 1e20"),
          (ops + "&pageNumber=-1", "pageNumber -1"),
          (ops + "&pageNumber=1e3", "pageNumber 1e3"),
          (ops + "&pageNumber=1000000000", "pageNumber too big"),
          (ops + "&status=FOO", "status FOO"),
          (ops + "&status=", "status empty"),
          (ops + "&nope=1", "an unknown parameter"),
          (ops + "&userId=%00", "a NUL"),
          (ops + "&pageSize=%zz", "bad percent-encoding"),
          ("/v2/operations?userId=" + "u" * 300, "userId 300"),
          ("/v2/registrations?userId=alice&removed=maybe", "removed maybe"),
          ("/v2/registrations?userId=alice&x=1", "unknown parameter"),
          ("/v2/registrations", "userId missing"),
          ("/admin/display-templates?lang=en", "unknown parameter"),
          ("/admin/applications?x=1", "a parameter where none is allowed"),
          ("/v2/operations/%s/offline/qr" % F["op"], "registrationId "
           "missing"),
          ("/v2/operations/%s/offline/qr?registrationId=x" % F["op"],
           "registrationId not a UUID"),
          ("/v2/operations/%s/offline/qr?registrationId=%s" % (
              F["op"], RAND_UUID), "registrationId unknown"),
          ("/v2/admin/applications/cat-app/callbacks/%s/deliveries"
           "?limit=-1" % F["cb"], "limit -1"),
          ("/v2/admin/applications/cat-app/callbacks/%s/deliveries"
           "?limit=abc" % F["cb"], "limit abc"),
          ("/v2/admin/applications/cat-app/callbacks/%s/deliveries"
           "?status=WHATEVER" % F["cb"], "status WHATEVER")]
    for q, what in qs:
        add(g, "GET %s: %s" % (q.split("?")[0][:50], what), "GET",
            CLOUD + q, None, {"Authorization": ADMIN})
    for q, what in (("?statusReason=" + "r" * 40, "statusReason 40"),
                    ("?statusReason=a%20b", "statusReason with a space"),
                    ("?statusReason=%00", "statusReason NUL"),
                    ("?reason=x", "an unknown parameter")):
        add(g, "DELETE operation: %s" % what, "DELETE",
            CLOUD + "/v2/operations/" + F["op"] + q, None,
            {"Authorization": ADMIN})
    add(g, "POST registration: incompleteStatusCheck=maybe", "POST",
        CLOUD + "/v2/registrations?incompleteStatusCheck=maybe",
        {"userId": "q", "appId": "cat-app"}, {"Authorization": ADMIN})
    add(g, "POST registration: an unknown parameter", "POST",
        CLOUD + "/v2/registrations?x=1", {"userId": "q", "appId": "cat-app"},
        {"Authorization": ADMIN})


def cloud_body_cases():
    g = "cloud bodies"
    A = {"Authorization": ADMIN}
    U = {"Authorization": USER}
    sig_body = {"method": "POST", "uriId": "/login",
                "authHeader": SIG_NOBODY, "requestBody": "e30="}
    specs = [
        ("registration create", "POST", "/v2/registrations",
         {"userId": "new-user", "appId": "cat-app"},
         [("userId", "ctl", True), ("appId", "id", True),
          ("otp", "ctl", False), ("otpValidation", "enum", False),
          ("commitPhase", "enum", False), ("flags", "arr", False),
          ("timestampRegistrationExpire", "posint", False)], U),
        ("operation create", "POST", "/v2/operations",
         {"userId": "alice", "appId": "cat-app",
          "template": "default.login"},
         [("userId", "ctl", False), ("template", "id", True),
          ("appId", "id", False), ("parameters", "strmap", False),
          ("language", "enum", False), ("externalId", "ctl", False),
          ("flag", "id", False), ("timestampExpires", "posint", False),
          ("proximityCheckEnabled", "bool", False),
          ("silent", "bool", False), ("registrationId", "uuid", False)],
         U),
        ("signature verify", "POST", "/v2/signature/verify", sig_body,
         [("method", "enum", True), ("uriId", "ctl", True),
          ("authHeader", "str", True), ("requestBody", "b64", False)],
         U),
        ("signature verify (query)", "POST", "/v2/signature/verify",
         {"method": "GET", "uriId": "/x", "authHeader": SIG_NOBODY,
          "queryParams": {"a": "b"}}, [("queryParams", "strmap", False)],
         U),
        ("authentication verify", "POST", "/v2/authentication/verify",
         sig_body, [("authHeader", "str", True),
                    ("requestBody", "b64", False)], U),
        ("offline verify", "POST", "/v2/signature/offline/verify",
         {"registrationId": RAND_UUID, "data": "A2*Xlogin",
          "signature": "12345678-12345678"},
         [("registrationId", "uuid", True), ("data", "ctl", True),
          ("signature", "str", True), ("allowBiometry", "bool", False),
          ("componentLength", "posint", False)], U),
        ("token verify", "POST", "/v2/token/verify",
         {"authHeader": "PowerAuth x"}, [("authHeader", "str", True)], U),
        ("registration change", "PUT", "/v2/registrations/" + RID,
         {"change": "BLOCK"}, [("change", "enum", True),
                               ("blockedReason", "ctl", False)], U),
        ("offline otp", "POST", "/v2/operations/%s/offline/otp" % F["op"],
         {"otp": "12345678", "nonce": "AAAAAAAAAAAAAAAAAAAAAA==",
          "registrationId": RAND_UUID},
         [("otp", "ctl", True), ("nonce", "b64n", True),
          ("registrationId", "uuid", True)], U),
        ("application create", "POST", "/admin/applications",
         {"id": "cat-new-app"}, [("id", "id", True),
                                 ("roles", "arr", False)], A),
        ("user create", "POST", "/admin/users", {"username": "cat-new"},
         [("username", "id", True)], A),
        ("operation template create", "POST", "/admin/operation-templates",
         {"name": "cat.new", "operationType": "login",
          "dataTemplate": "A2"},
         [("name", "id", True), ("operationType", "id", True),
          ("dataTemplate", "ctl", True), ("signatureTypes", "arr", False),
          ("expiration", "posint", False),
          ("maxFailureCount", "posint", False),
          ("riskFlags", "ctl", False),
          ("proximityCheckEnabled", "bool", False)], A),
        ("operation template replace", "PUT",
         "/admin/operation-templates/cat.tpl",
         {"operationType": "login", "dataTemplate": "A2"},
         [("operationType", "id", True), ("dataTemplate", "ctl", True),
          ("expiration", "posint", False)], A),
        ("display template create", "POST", "/admin/display-templates",
         {"operationType": "cat", "language": "en", "title": "T",
          "message": "M"},
         [("operationType", "id", True), ("language", "enum", True),
          ("title", "ctl", True), ("message", "str", True),
          ("attributes", "arr", False), ("resultTexts", "obj", False),
          ("ui", "obj", False)], A),
        ("display template replace", "PUT",
         "/admin/display-templates/login/en", {"title": "T",
                                               "message": "M"},
         [("title", "ctl", True), ("message", "str", True),
          ("attributes", "arr", False)], A),
        ("callback create", "POST", "/v2/admin/applications/cat-app/"
         "callbacks", {"name": "cat-cb2", "type": "OPERATION_STATUS_CHANGE",
                       "callbackUrl": "http://127.0.0.1:9/x"},
         [("name", "ctl", True), ("type", "enum", True),
          ("callbackUrl", "ctl", True), ("attributes", "arr", False),
          ("authentication", "obj", False),
          ("maxAttempts", "posint", False),
          ("initialBackoff", "duration", False),
          ("backoffMultiplier", "int", False),
          ("retentionPeriod", "duration", False)], U),
        ("callback replace", "PUT", "/v2/admin/applications/cat-app/"
         "callbacks/" + F["cb"], {"name": "cat-cb",
                                  "type": "OPERATION_STATUS_CHANGE",
                                  "callbackUrl": "http://127.0.0.1:9/y"},
         [("name", "ctl", True), ("callbackUrl", "ctl", True),
          ("maxBackoff", "duration", False)], U),
    ]
    for label, m, p, base, fields, auth in specs:
        field_cases(g, label, m, CLOUD + p, base, fields, auth)
        body_cases(g, label, m, CLOUD + p, auth, base)
    # Values that are the right type but out of range or unsafe.
    more = [
        ("operation create", "POST", "/v2/operations",
         {"userId": "alice", "appId": "cat-app", "template": "nope"}),
        ("operation create", "POST", "/v2/operations",
         {"userId": "alice", "appId": "nope", "template": "default.login"}),
        ("operation create, 33 parameters", "POST", "/v2/operations",
         {"userId": "alice", "appId": "cat-app", "template":
          "default.login", "parameters": {"p%d" % i: "v"
                                          for i in range(33)}}),
        ("operation create, expiry in the past", "POST", "/v2/operations",
         {"userId": "alice", "appId": "cat-app", "template":
          "default.login", "timestampExpires": 1000}),
        ("registration create, unknown app", "POST", "/v2/registrations",
         {"userId": "x", "appId": "nope"}),
        ("registration create, 33 flags", "POST", "/v2/registrations",
         {"userId": "x", "appId": "cat-app",
          "flags": ["f%d" % i for i in range(33)]}),
        ("registration create, expiry in the past", "POST",
         "/v2/registrations", {"userId": "x", "appId": "cat-app",
                               "timestampRegistrationExpire": 1000}),
        ("callback create, ftp URL", "POST",
         "/v2/admin/applications/cat-app/callbacks",
         {"name": "x", "type": "OPERATION_STATUS_CHANGE",
          "callbackUrl": "ftp://example.com/"}),
        ("callback create, both basic and bearer", "POST",
         "/v2/admin/applications/cat-app/callbacks",
         {"name": "x", "type": "OPERATION_STATUS_CHANGE",
          "callbackUrl": "http://127.0.0.1:9/", "authentication": {
              "httpBasic": {"enabled": True, "username": "a",
                            "password": "b"},
              "bearer": {"enabled": True, "token": "t"}}}),
        ("callback create, relative certificate path", "POST",
         "/v2/admin/applications/cat-app/callbacks",
         {"name": "x", "type": "OPERATION_STATUS_CHANGE",
          "callbackUrl": "https://127.0.0.1:9/", "authentication": {
              "certificate": {"enabled": True,
                              "certificateFile": "../../etc/shadow",
                              "keyFile": "k"}}}),
        ("callback create, an attribute of the other type", "POST",
         "/v2/admin/applications/cat-app/callbacks",
         {"name": "x", "type": "OPERATION_STATUS_CHANGE",
          "callbackUrl": "http://127.0.0.1:9/",
          "attributes": ["activationName"]}),
        ("callback create, duplicate name", "POST",
         "/v2/admin/applications/cat-app/callbacks",
         {"name": "cat-cb", "type": "OPERATION_STATUS_CHANGE",
          "callbackUrl": "http://127.0.0.1:9/"}),
        ("template create, existing name", "POST",
         "/admin/operation-templates",
         {"name": "cat.tpl", "operationType": "login",
          "dataTemplate": "A2"}),
        ("template create, broken data grammar", "POST",
         "/admin/operation-templates",
         {"name": "cat.x", "operationType": "login",
          "dataTemplate": "Z9*${"}),
        ("template create, signature type unknown", "POST",
         "/admin/operation-templates",
         {"name": "cat.x", "operationType": "login",
          "dataTemplate": "A2", "signatureTypes": ["telepathy"]}),
        ("template create, riskFlags XXX", "POST",
         "/admin/operation-templates",
         {"name": "cat.x", "operationType": "login",
          "dataTemplate": "A2", "riskFlags": "XXX"}),
        ("application create, existing id", "POST", "/admin/applications",
         {"id": "cat-app"}),
        ("user create, existing name", "POST", "/admin/users",
         {"username": "cat-user"}),
        ("registration change, BLOCK with bad reason", "PUT",
         "/v2/registrations/" + RID, {"change": "BLOCK",
                                      "blockedReason": "bad reason"}),
        ("registration change, UNBLOCK an ACTIVE one", "PUT",
         "/v2/registrations/" + RID, {"change": "UNBLOCK"}),
        ("registration change, BLOCK a CREATED one", "PUT",
         "/v2/registrations/" + F["rid_created"], {"change": "BLOCK"}),
        ("signature verify, lower-case method", "POST",
         "/v2/signature/verify", dict(sig_body, method="post")),
        ("signature verify, 65 query params", "POST",
         "/v2/signature/verify", {"method": "GET", "uriId": "/x",
                                  "authHeader": SIG_NOBODY, "queryParams": {
                                      "q%d" % i: "v" for i in range(65)}}),
        ("offline verify, componentLength 9", "POST",
         "/v2/signature/offline/verify",
         {"registrationId": RID, "data": "A2", "signature": "1-2",
          "componentLength": 9}),
    ]
    for label, m, p, body in more:
        add(g, label, m, CLOUD + p, body, A)
    # Extra fields do not rescue a request missing a required one.
    for label, p, body in (
            ("registration create", "/v2/registrations",
             {"appId": "cat-app", "userid": "x", "admin": True}),
            ("operation create", "/v2/operations",
             {"userId": "alice", "Template": "default.login",
              "status": "APPROVED"}),
            ("signature verify", "/v2/signature/verify",
             {"method": "POST", "uriId": "/x", "authheader": F["sig"]})):
        add(g, "%s: required field only under another name, extra fields"
            % label, "POST", CLOUD + p, body, A)
    # Duplicate keys: the last one is invalid.
    for label, p, text in (
            ("registration create", "/v2/registrations",
             b'{"userId":"dup","appId":"cat-app","userId":42}'),
            ("operation create", "/v2/operations",
             b'{"userId":"alice","appId":"cat-app","template":'
             b'"default.login","template":["x"]}'),
            ("application create", "/admin/applications",
             b'{"id":"cat-dup","id":null}')):
        add(g, "%s: a key twice, the second invalid" % label, "POST",
            CLOUD + p, text, A)
    # Over http.max_body: nginx answers 413 before the worker.
    add(g, "registration create: 1.1 MB body", "POST",
        CLOUD + "/v2/registrations", b'{"userId":"' + b"x" * 1100000 +
        b'"}', A, (413,))


# --- catalogue: /enrollment-server -----------------------------------------

def enroll_cases():
    g = "mobile"
    xc = F["x_create"]
    ch = hdrs_of(xc)
    env = json.loads(xc["body"])
    create = ENROLL + "/pa/v3/activation/create"
    hname = "X-PowerAuth-Encryption"
    # The envelope, field by field (with the real encryption header).
    field_cases(g, "activation/create", "POST", create, env,
                [("ephemeralPublicKey", "b64n", True),
                 ("encryptedData", "b64", True), ("mac", "b64n", True),
                 ("nonce", "b64n", False), ("timestamp", "posint", False),
                 ("temporaryKeyId", "uuid", False)], {hname: ch[hname]})
    for what, change in (
            ("ephemeral key not a point", {"ephemeralPublicKey":
                                           base64.b64encode(b"\x02" +
                                                            b"\xff" * 32)
                                           .decode()}),
            ("encryptedData not a block multiple",
             {"encryptedData": base64.b64encode(b"x" * 17).decode()}),
            ("encryptedData empty", {"encryptedData": ""}),
            ("mac of 31 bytes", {"mac": base64.b64encode(b"m" * 31)
                                 .decode()}),
            ("nonce of 15 bytes", {"nonce": base64.b64encode(b"n" * 15)
                                   .decode()}),
            ("timestamp 0", {"timestamp": 0}),
            ("timestamp an hour ahead", {"timestamp": int(time.time() *
                                                          1000) + 3600000}),
            ("unknown temporaryKeyId", {"temporaryKeyId": RAND_UUID}),
            ("the envelope again (replay)", {}),
            ("an extra member", {"admin": True})):
        add(g, "activation/create: %s" % what, "POST", create,
            dict(env, **change), {hname: ch[hname]})
    body_cases(g, "activation/create", "POST", create, {hname: ch[hname]},
               env)
    header_cases(g, "activation/create", "POST", create, hname, ch[hname],
                 env)
    # Status.
    status = ENROLL + "/pa/v3/activation/status"
    field_cases(g, "activation/status", "POST", status,
                {"activationId": RID,
                 "challenge": "AAAAAAAAAAAAAAAAAAAAAA=="},
                [("activationId", "uuid", True),
                 ("challenge", "b64n", False)], None,
                lambda o: {"requestObject": o})
    for what, body in (("no requestObject", {"activationId": RID}),
                       ("requestObject a string", {"requestObject": "x"}),
                       ("requestObject an array", {"requestObject": []}),
                       ("requestObject null", {"requestObject": None})):
        add(g, "activation/status: %s" % what, "POST", status, body)
    body_cases(g, "activation/status", "POST", status, None,
               {"requestObject": {"activationId": RID}})
    # Keystore.
    ks = ENROLL + "/pa/v3/keystore/create"
    jwt = json.loads(F["x_keystore"]["body"])["requestObject"]["jwt"]
    jh, jp, js = jwt.split(".")

    def b64u(o):
        raw = o if isinstance(o, bytes) else json.dumps(o).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    for what, value in (
            ("two parts", jh + "." + jp), ("four parts", jwt + ".x"),
            ("alg none", b64u({"alg": "none", "typ": "JWT"}) + "." + jp +
             "."),
            ("alg RS256", b64u({"alg": "RS256"}) + "." + jp + "." + js),
            ("header not JSON", b64u(b"{{{") + "." + jp + "." + js),
            ("payload not JSON", jh + "." + b64u(b"\xff") + "." + js),
            ("payload an array", jh + "." + b64u([1]) + "." + js),
            ("standard Base64 with padding", jh + "==." + jp + "." + js),
            ("signature cut", jh + "." + jp + "." + js[:10]),
            ("claims of another app key", jh + "." + b64u(dict(
                json.loads(base64.urlsafe_b64decode(jp + "==")),
                applicationKey=base64.b64encode(b"k" * 16).decode())) +
             "." + js),
            ("300 kB", "a" * 300000 + "." + jp + "." + js)):
        add(g, "keystore/create: jwt %s" % what, "POST", ks,
            {"requestObject": {"jwt": value}})
    field_cases(g, "keystore/create", "POST", ks, {"jwt": jwt},
                [("jwt", "str", True)], None,
                lambda o: {"requestObject": o})
    body_cases(g, "keystore/create", "POST", ks)
    # Signed endpoints: garbled signature headers.
    sig = SIG_NOBODY
    xt, xv = F["x_token"], F["x_vault"]
    for label, path, body in (
            ("activation/remove", "/pa/v3/activation/remove", b"{}"),
            ("token/create", "/pa/v3/token/create", xt["body"].encode()),
            ("vault/unlock", "/pa/v3/vault/unlock", xv["body"].encode()),
            ("token/remove", "/pa/v3/token/remove",
             enc({"requestObject": {"tokenId": F["tid"]}})),
            ("signature/validate", "/pa/v3/signature/validate", b"{}"),
            ("upgrade/commit", "/pa/v3/upgrade/commit", b"{}"),
            ("operation/authorize", "/api/auth/token/app/operation/"
             "authorize", enc({"requestObject": {"id": F["op"],
                                                 "data": "A2"}})),
            ("operation/cancel", "/api/auth/token/app/operation/cancel",
             enc({"requestObject": {"id": F["op"], "reason": "x"}})),
            ("operation/history", "/api/auth/token/app/operation/history",
             b"{}")):
        header_cases(g, label, "POST", ENROLL + path,
                     "X-PowerAuth-Authorization", sig, body)
    for m in ("GET", "PUT", "DELETE"):
        add(g, "signature/validate %s: no header" % m, m,
            ENROLL + "/pa/v3/signature/validate?a=1", None)
    # upgrade/start: activation-scope encryption header.
    up = ENROLL + "/pa/v3/upgrade/start"
    enc_act = ch[hname] + ', activation_id="%s"' % RID
    header_cases(g, "upgrade/start", "POST", up, hname, enc_act, env)
    # Token-authenticated Mobile Token endpoints.
    tok = TOK_NOBODY
    for label, path, body in (
            ("operation/list", "list", {}),
            ("operation/detail", "detail", {"requestObject": {
                "id": F["op"]}}),
            ("operation/detail/claim", "detail/claim",
             {"requestObject": {"id": F["op"]}})):
        header_cases(g, label, "POST", MT + path, "X-PowerAuth-Token", tok,
                     body)
    # A real token header with a broken digest: refused, not counted.
    a = attrs(F["tok_hdrs"][1])
    a["token_digest"] = base64.b64encode(b"\x00" * 32).decode()
    add(g, "operation/list: a real token, wrong digest", "POST", MT + "list",
        {}, {"X-PowerAuth-Token": powerauth(a)}, (401,))
    # Mobile Token bodies, with fresh valid token headers: refused at the
    # body (a token verified for a refused request is still spent: a
    # replay record, so these go to their own group below).
    # Methods and paths.
    for m, p in (("GET", "/pa/v3/activation/create"),
                 ("PUT", "/pa/v3/activation/status"),
                 ("GET", "/pa/v3/status"), ("DELETE", "/pa/v3/token/create"),
                 ("PATCH", "/pa/v3/signature/validate"),
                 ("GET", "/pa/v3/keystore/create"),
                 ("GET", "/api/auth/token/app/operation/list"),
                 ("DELETE", "/api/auth/token/app/operation/authorize"),
                 ("POST", "/actuator/health"),
                 ("TRACE", "/pa/v3/status")):
        add(g, "%s %s" % (m, p), m, ENROLL + p, None, None, (405,))
    for p in ("/pa/v2/activation/create", "/pa/v3/activation",
              "/pa/v3/recovery/confirm", "/pa/v3/user/info",
              "/pa/v4/status", "/pa/v3/status/",
              "/pa/v3/%00", "/pa/v3/activation/create%00",
              "/api/auth/token/app/operation/list/x",
              "/pa/v3/../../powerauth-cloud/admin/applications",
              "/%2e%2e/powerauth-cloud/admin/users", "/metrics",
              "/pa/v3/../metrics"):
        add(g, "POST %s" % p, "POST", ENROLL + p, b"{}")
    for q in ("?x=1", "?activationId=" + RID, "?%zz", "?a=%00"):
        add(g, "POST /pa/v3/activation/status%s" % q, "POST",
            status + q, {"requestObject": {"activationId": RID}})
    add(g, "POST /pa/v3/status: 1.1 MB body", "POST",
        ENROLL + "/pa/v3/status", b"[" + b"1," * 550000 + b"1]", None,
        (413,))


def mtoken_body_cases():
    """Bodies of the Mobile Token endpoints behind a valid token."""
    g = "mobile token bodies"
    hdrs = iter(F["tok_hdrs"][2:])
    for label, path in (("detail", "detail"), ("claim", "detail/claim")):
        for what, body in (("no requestObject", {}),
                           ("id missing", {"requestObject": {}}),
                           ("id a number", {"requestObject": {"id": 1}}),
                           ("id not a UUID", {"requestObject": {
                               "id": "../x"}}),
                           ("id with NUL", {"requestObject": {
                               "id": F["op"][:-1] + "\u0000"}}),
                           ("id unknown", {"requestObject": {
                               "id": RAND_UUID}}),
                           ("another user's operation", {
                               "requestObject": {"id": F["op2"]}}),
                           ("truncated JSON", b'{"requestObject":{"id"'),
                           ("an array", [1])):
            add(g, "operation/%s: %s" % (label, what), "POST", MT + path,
                body, {"X-PowerAuth-Token": next(hdrs)})


def counted_cases():
    """Well-formed signatures of a real registration that do not verify:
    refused with 401, counted (the only DB change allowed)."""
    g = "counted failures"
    d2 = F["sig2"]
    a = attrs(d2[0])
    a["pa_signature"] = base64.b64encode(b"\x00" * 16).decode()
    add(g, "signature/validate: wrong signature value", "POST",
        ENROLL + "/pa/v3/signature/validate", b"{}",
        {"X-PowerAuth-Authorization": powerauth(a)}, (401,))
    add(g, "signature/validate: signed another body", "POST",
        ENROLL + "/pa/v3/signature/validate", b'{"x":1}',
        {"X-PowerAuth-Authorization": d2[1]}, (401,))
    add(g, "signature/validate: signed for POST, sent as PUT", "PUT",
        ENROLL + "/pa/v3/signature/validate", b"{}",
        {"X-PowerAuth-Authorization": d2[2]}, (401,))
    add(g, "operation/authorize: signed with another uriId", "POST",
        MT + "authorize", {"requestObject": {"id": F["op2"], "data": "A2"}},
        {"X-PowerAuth-Authorization": d2[3]})


# --- running ----------------------------------------------------------------

def checksum(exclude=None):
    return stack.checksum(exclude)


def send(c):
    u = e.URL.split("//", 1)[1]
    host, port = u.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(c.method, c.path, skip_accept_encoding=True)
        body = c.body if c.body is not None else b""
        for k, v in c.headers.items():
            conn.putheader(k, v.encode("latin-1", "replace")
                           if isinstance(v, str) else v)
        if c.body is not None or c.method in ("POST", "PUT"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body if body else None)
        r = conn.getresponse()
        return e.Response(r.status, r.getheaders(), r.read())
    except (OSError, http.client.HTTPException) as ex:
        return e.Response(None, [], repr(ex).encode())
    finally:
        conn.close()


def judge(c, r):
    """None when the answer is a documented 4xx JSON error, else why."""
    if r.status is None or not 400 <= r.status < 500:
        return "status %s" % r.status
    if c.want is not None and r.status not in c.want:
        return "status %s, want %s" % (r.status, c.want)
    if not (r.header("Content-Type") or "").startswith("application/json"):
        return "Content-Type %r" % r.header("Content-Type")
    code = r.error_code()
    if code is None:
        return "not the error envelope"
    ctx = CLOUD if c.path.startswith(CLOUD) else ENROLL \
        if c.path.startswith(ENROLL) else None
    if ".." in c.path or "%2e" in c.path.lower():
        ctx = None      # nginx may resolve it into the other context
        allowed = CODES[CLOUD] | CODES[ENROLL]
    else:
        allowed = CODES[ctx] if ctx else CODES[CLOUD] & CODES[ENROLL]
    if code not in allowed:
        return "code %s not documented for %s" % (code, ctx)
    msg = r.json()["responseObject"]["message"]
    if code.startswith("ERR_") and not msg.startswith("POWER_AUTH_"):
        return "%s with message %r" % (code, msg)
    return None


# Raw HTTP that http.client will not produce.
RAW = [
    ("a NUL in a header value", b"POST /enrollment-server/pa/v3/status "
     b"HTTP/1.1\r\nHost: x\r\nX-PowerAuth-Token: a\x00b\r\n"
     b"Content-Length: 2\r\n\r\n{}"),
    ("a header name with a space", b"POST /enrollment-server/pa/v3/status"
     b" HTTP/1.1\r\nHost: x\r\nX Bad: 1\r\nContent-Length: 2\r\n\r\n{}"),
    ("Content-Length not a number", b"POST /powerauth-cloud/v2/"
     b"registrations HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
    ("two different Content-Lengths", b"POST /enrollment-server/pa/v3/"
     b"status HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
     b"Content-Length: 3\r\n\r\n{}x"),
    ("a negative Content-Length", b"POST /enrollment-server/pa/v3/status "
     b"HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
    ("chunked with a broken chunk size", b"POST /enrollment-server/pa/v3/"
     b"status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"zz\r\n{}\r\n0\r\n\r\n"),
    ("a 20 kB URI", b"GET /powerauth-cloud/" + b"a" * 20000 +
     b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("a 20 kB header", b"GET /powerauth-cloud/actuator/health HTTP/1.1\r\n"
     b"Host: x\r\nX-Big: " + b"b" * 20000 + b"\r\n\r\n"),
    ("HTTP/1.1 without Host", b"GET /enrollment-server/actuator/health "
     b"HTTP/1.1\r\n\r\n"),
    ("an unknown HTTP version", b"GET /enrollment-server/actuator/health "
     b"HTTP/7.0\r\nHost: x\r\n\r\n"),
    ("a path outside the root", b"GET /../../etc/passwd HTTP/1.1\r\n"
     b"Host: x\r\n\r\n"),
    ("a lower-case method", b"post /enrollment-server/pa/v3/status "
     b"HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"),
]


def run_raw():
    out = []
    port = int(e.URL.rsplit(":", 1)[1])
    for name, data in RAW:
        c = Case("raw HTTP", name, "RAW", "/", raw=data)
        raw = e.raw_http(port, data, half_close=False)
        head, _, body = raw.partition(b"\r\n\r\n")
        try:
            st = int(head[9:12])
        except ValueError:
            st = None
        hdrs = []
        for line in head.decode("latin-1").split("\r\n")[1:]:
            k, _, v = line.partition(":")
            hdrs.append((k.strip(), v.strip()))
        if "chunked" in dict((k.lower(), v) for k, v in hdrs).get(
                "transfer-encoding", ""):
            body = dechunk(body)
        out.append((c, e.Response(st, hdrs, body)))
    return out


def dechunk(b):
    out = b""
    while b:
        size, _, rest = b.partition(b"\r\n")
        n = int(size.split(b";")[0] or b"0", 16)
        if n == 0:
            break
        out += rest[:n]
        b = rest[n + 2:]
    return out


def main():
    global t
    cloud_auth_cases()
    cloud_method_cases()
    cloud_query_cases()
    cloud_body_cases()
    enroll_cases()
    mtoken_body_cases()
    counted_cases()
    groups = []
    for c in cases:
        if not groups or groups[-1][0] != c.group:
            groups.append((c.group, []))
        groups[-1][1].append(c)
    COUNTED = {"activation": ["failed_attempts", "possession_failures",
                              "possession_window_start"],
               "operation": ["failure_count"], "event_outbox": "*",
               "callback_delivery": "*"}
    SPENT = {"replay_value": "*"}
    EXCL = {"counted failures": COUNTED, "mobile token bodies": SPENT}
    t = e.Tap(len(cases) + len(RAW) + len(groups) + 1 + 4)
    results = {}
    for name, group in groups:
        excl = EXCL.get(name)
        before = checksum(excl)
        spent0 = int(stack.mysql("SELECT COUNT(*) FROM replay_value"))
        if name == "counted failures":
            ev0 = int(stack.mysql("SELECT COUNT(*) FROM event_outbox"))
        for c in group:
            r = send(c)
            why = judge(c, r)
            results.setdefault(c.group, []).append(r.status)
            t.ok(why is None, "[%s] %s %s: %s -> %s %s" % (
                c.group, c.method, c.path[len(CLOUD) if c.path.startswith(
                    CLOUD) else len(ENROLL) if c.path.startswith(ENROLL)
                    else 0:][:50], c.name[:110], r.status, r.error_code()),
                 "%s (%r)" % (why, r))
        after = checksum(excl)
        diff = sorted(k for k in set(before) | set(after)
                      if before.get(k) != after.get(k))
        t.ok(not diff, "[%s] %d requests refused: the database is unchanged "
             "(%d tables%s)" % (name, len(group), len(after),
                                ", see the exclusions" if excl else ""),
             "tables changed: %s" % diff)
        if excl is SPENT:
            n = int(stack.mysql("SELECT COUNT(*) FROM replay_value")) - \
                spent0
            t.ok(0 <= n <= len(group), "[%s] %d replay records, at most "
                 "one per (valid, single-use) token header" % (name, n))
    # The counted failures counted exactly what they should.
    row = stack.mysql("SELECT status, failed_attempts FROM activation WHERE "
                      "id = '%s'" % F["rid2"]).split()
    t.eq(row, ["3", "4"], "counted failures: bob's registration ACTIVE, 4 "
         "failed attempts (one per wrong 2FA signature)")
    row = stack.mysql("SELECT status, failure_count FROM operation WHERE "
                      "id = '%s'" % F["op2"]).split()
    t.eq(row, ["1", "1"], "counted failures: bob's operation PENDING, one "
         "failure")
    ev = int(stack.mysql("SELECT COUNT(*) FROM event_outbox")) - ev0
    t.eq(ev, 1, "counted failures: one event (the operation's failure count)")
    before = checksum()
    for c, r in run_raw():
        why = judge(c, r)
        t.ok(why is None, "[raw HTTP] %s -> %s %s" % (c.name, r.status,
                                                      r.error_code()),
             "%s (%r)" % (why, r))
    t.ok(checksum() == before, "[raw HTTP] the database is unchanged")
    total = len(cases) + len(RAW)
    fivexx = sum(1 for v in results.values() for s in v if s and s >= 500)
    t.diag("catalogue: %d requests in %d groups, %d 5xx, %.1f s (stack start "
           "%.1f s)" % (total, len(groups) + 1, fivexx,
                        time.monotonic() - started, stack.start_seconds))


t = None
try:
    main()
except (OSError, ValueError, KeyError, paserv_stack.StackError) as ex:
    if t is None:
        t = e.Tap(1)
    t.ok(False, "the catalogue ran to its end", repr(ex))
finally:
    if t is None or t.failed or t.n != t.plan:
        stack.failed = True         # keep its logs
    stack.stop()
    shutil.rmtree(work, ignore_errors=True)
t.done()
