#!/usr/bin/env python3
"""The message inbox (doc/inbox.md; api.md §2.5, §3.8): the back end
creates messages (applications default to the integration user's grants),
reads, lists and deletes them within its applications; a non-silent
message writes one INBOX event_outbox row per application in the same
transaction (no webhook delivery picks them up); the phone (MAC token)
counts, lists (pages, onlyUnread), shows and marks read its user's messages
of its application only, a message read in one application being read in
all; bad input is refused with 4xx JSON and writes nothing; housekeeping
purges messages past inbox.retention_days."""
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

t = e.Tap(136)
MSGS = "/powerauth-cloud/v2/inbox/messages"
MOBILE = "/enrollment-server/api/inbox/"
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")
LIST_KEYS = ["id", "read", "subject", "summary", "timestampCreated", "type"]
work = tempfile.mkdtemp(prefix="paserv-e2e-inbox-")
A = e.admin_auth()
app_a = e.new_app("e2e-inbox-a-", t)
app_b = e.new_app("e2e-inbox-b-", t)
A_ID, B_ID = app_a.get("id", ""), app_b.get("id", "")
UA = e.new_user("e2e-inbox-ua-", A_ID, t)       # granted A only
UB = e.new_user("e2e-inbox-ub-", B_ID, t)       # granted B only
tag = secrets.token_hex(3)
user = "inbox-user-" + tag
other = "inbox-other-" + tag
_, d1 = e.active_device(app_a, user, work, "phone-a", "3.3", t)
_, d1b = e.active_device(app_b, user, work, "phone-b", "3.2", t)
_, d2 = e.active_device(app_a, other, work, "other-a", "3.1", t)


class Phone:
    """A device and its token; every call takes a fresh token header."""

    def __init__(self, dev):
        self.dev = dev
        self.tid = dev.run("token-create")[1]
        self.headers = []

    def header(self):
        if not self.headers:
            rc, out, err = self.dev.run("token-header-batch", self.tid, "40")
            self.headers = out.split("\n") if rc == 0 else ["x"]
        return self.headers.pop(0)

    def call(self, path, body, raw=False):
        hdr = {"X-PowerAuth-Token": self.header()}
        if raw:
            return e.request("POST", MOBILE + path, body=body.encode()
                             if isinstance(body, str) else body, headers=hdr)
        return e.request("POST", MOBILE + path, body=body, headers=hdr)

    def count(self):
        r = self.call("count", {})
        return ((r.json() or {}).get("responseObject") or {}).get(
            "countUnread")

    def listing(self, **req):
        r = self.call("message/list", {"requestObject": req})
        return r, (r.json() or {}).get("responseObject")

    def ids(self, **req):
        return [m.get("id") for m in self.listing(**req)[1] or []]

    def detail(self, mid):
        return self.call("message/detail", {"requestObject": {"id": mid}})


p1, p1b, p2 = Phone(d1), Phone(d1b), Phone(d2)


def sql(q):
    return e.mysql(q).strip()


def create(auth=A, **fields):
    body = {"userId": user, "type": "text", "subject": "Subject",
            "summary": "Summary", "body": "Body"}
    body.update(fields)
    return e.request("POST", MSGS, body=body, auth=auth)


def events(mid):
    """[(app_id, payload)] of the INBOX events of a message."""
    out = sql("SELECT app_id, payload FROM event_outbox WHERE type ="
              " 'INBOX' AND object_id = '%s' ORDER BY app_id" % mid)
    return [(ln.split("\t", 1)[0], json.loads(ln.split("\t", 1)[1]))
            for ln in out.splitlines() if ln]


# --- creation through the integration API ---------------------------------
body1 = "Dear customer,\n\tyour statement for May is ready.\r\nBye"
r = create(UA, subject="Statement", summary="May statement\nready",
           body=body1)
m1 = r.json() or {}
M1 = m1.get("id", "")
t.eq((r.status, m1.get("userId"), m1.get("type"), m1.get("subject"),
      m1.get("summary"), m1.get("body"), m1.get("read"), m1.get("silent")),
     (200, user, "text", "Statement", "May statement\nready", body1, False,
      False), "create (integration user): the message as stored")
t.eq(m1.get("applications"), [A_ID], "applications default to the "
     "integration user's granted ones")
t.ok(re.match(r"^[0-9a-f-]{36}$", M1) and
     abs(m1.get("timestamp", 0) - time.time() * 1000) < 60000 and
     "timestampRead" not in m1, "id is a UUID, timestamp is epoch ms now",
     m1)
ev = events(M1)
t.eq([a for a, _ in ev], [A_ID], "one INBOX event for its one application")
t.eq(ev[0][1] if ev else None,
     {"type": "INBOX", "inboxId": M1, "userId": user, "applicationId": A_ID,
      "subject": "Statement", "timestamp": m1.get("timestamp")},
     "INBOX event payload")

html = "<p>Hello <b>there</b></p>"
r = create(A, type="html", subject="News", body=html,
           applications=[B_ID, A_ID])
m2 = r.json() or {}
M2 = m2.get("id", "")
t.eq((r.status, m2.get("type"), m2.get("body"), m2.get("applications")),
     (200, "html", html, sorted([A_ID, B_ID])),
     "create (admin): html body, two named applications")
t.eq(sorted(a for a, _ in events(M2)), sorted([A_ID, B_ID]),
     "one INBOX event per application")
r = create(UA, subject="Quiet", silent=True)
m3 = r.json() or {}
M3 = m3.get("id", "")
t.eq((r.status, m3.get("silent"), events(M3)), (200, True, []),
     "silent: created, no INBOX event")
r = create(A, applications=[A_ID])
t.eq((r.status, (r.json() or {}).get("applications")), (200, [A_ID]),
     "admin naming one application")
M4 = (r.json() or {}).get("id", "")
M5 = (create(UA, subject="Fifth").json() or {}).get("id", "")
t.eq(sql("SELECT COUNT(*) FROM inbox_message WHERE user_id = '%s'" % user),
     "5", "DB: five messages of the user")
t.eq(sql("SELECT COUNT(*) FROM inbox_message_app WHERE user_id = '%s'"
         " AND app_id = '%s'" % (user, A_ID)), "5",
     "DB: five application rows in A")

# Webhooks: the fan-out trigger takes only ACTIVATION and OPERATION events.
for cbtype in ("OPERATION_STATUS_CHANGE", "REGISTRATION_STATUS_CHANGE"):
    e.request("POST", "/powerauth-cloud/v2/admin/applications/%s/callbacks"
              % A_ID, body={"name": "hook-" + cbtype[:3].lower(),
                            "type": cbtype,
                            "callbackUrl": "http://127.0.0.1:9/x"}, auth=A)
M6 = (create(UA, subject="After hooks").json() or {}).get("id", "")
t.eq(sql("SELECT COUNT(*) FROM callback c WHERE c.app_id = '%s'" % A_ID),
     "2", "application A has two callbacks")
t.eq((len(events(M6)), sql(
    "SELECT COUNT(*) FROM callback_delivery d JOIN event_outbox o ON o.id ="
    " d.event_id WHERE o.type = 'INBOX' AND o.app_id IN ('%s', '%s')"
    % (A_ID, B_ID))), (1, "0"),
    "INBOX events get no webhook deliveries")

# --- reading, listing, deleting through the integration API ---------------
r = e.request("GET", MSGS + "/" + M1, auth=UA)
t.eq((r.status, r.json()), (200, m1), "GET: the created message")
r = e.request("GET", MSGS + "/" + M1, auth=UB)
t.ok(r.status == 400 and
     r.error_code() == "ERROR_INBOX_MESSAGE_NOT_FOUND",
     "GET by a user without its application: not found", r)
r = e.request("GET", MSGS + "/" + M2, auth=UB)
t.eq((r.status, (r.json() or {}).get("applications")), (200, [B_ID]),
     "GET: only the caller's applications are shown")
r = e.request("GET", MSGS + "?userId=" + user, auth=UA)
lst = (r.json() or {}).get("messages", [])
t.eq((r.status, [m.get("id") for m in lst]), (200, [M6, M5, M4, M3, M2, M1]),
     "list: the user's messages, newest first")
t.ok(all("body" not in m for m in lst) and (r.json() or {}).get("size") ==
     100 and (r.json() or {}).get("page") == 0,
     "list: no bodies; page 0, size 100 by default")
r = e.request("GET", MSGS + "?userId=%s&page=1&size=4" % user, auth=UA)
t.eq([m.get("id") for m in (r.json() or {}).get("messages", [])], [M2, M1],
     "list: page 1 of size 4")
r = e.request("GET", MSGS + "?userId=" + user, auth=UB)
t.eq([m.get("id") for m in (r.json() or {}).get("messages", [])], [M2],
     "list by the user of B: the one message in B")

# --- the phone: count, list, detail ----------------------------------------
t.eq(p1.count(), 6, "count: six unread in A")
t.eq(p1b.count(), 1, "count: one unread in B")
t.eq(p2.count(), 0, "count: nothing for another user")
r, items = p1.listing(page=0, size=10, onlyUnread=False)
t.eq((r.status, (r.json() or {}).get("status"), [m.get("id") for m in
                                                 items or []]),
     (200, "OK", [M6, M5, M4, M3, M2, M1]), "list: newest first")
first = (items or [{}])[-1]
t.eq(sorted(first.keys()), LIST_KEYS, "list item: the SDK's fields, no body")
t.eq((first.get("type"), first.get("subject"), first.get("summary"),
      first.get("read")), ("text", "Statement", "May statement\nready",
                           False), "list item values")
t.ok(DATE_RE.match(str(first.get("timestampCreated"))),
     "timestampCreated in the SDK's date format", first)
t.eq(p1.ids(page=0, size=4), [M6, M5, M4, M3], "page 0 of size 4")
t.eq(p1.ids(page=1, size=4), [M2, M1], "page 1 of size 4")
t.eq(p1.ids(page=2, size=4), [], "page 2: empty")
t.eq(len(p1.ids()), 6, "list without paging fields: defaults (size 10)")
r = p1.call("message/list", {})
t.eq((r.status, len((r.json() or {}).get("responseObject", []))), (200, 6),
     "list with {}: the defaults")
t.eq(p1b.ids(), [M2], "the phone of B lists its application's message")
t.eq(p2.ids(), [], "another user's phone lists nothing of the user")
r = p1.detail(M1)
d = (r.json() or {}).get("responseObject") or {}
t.eq((r.status, d.get("id"), d.get("body"), d.get("type"), d.get("read")),
     (200, M1, body1, "text", False), "detail: with body")
t.eq(sorted(d.keys()), sorted(LIST_KEYS + ["body"]), "detail: fields")
r = p1.detail(M2)
t.eq(((r.json() or {}).get("responseObject") or {}).get("body"), html,
     "detail of an html message")

# Isolation: another user's or another application's message is unknown.
for ph, mid, what in ((p2, M1, "another user's phone"),
                      (p1b, M1, "the user's phone of another application")):
    r = ph.detail(mid)
    t.ok(r.status == 400 and r.error_code() == "INBOX_FAILED" and
         M1 not in r.body.decode(), "detail: %s: INBOX_FAILED" % what, r)
    r = ph.call("message/read", {"requestObject": {"id": mid}})
    t.ok(r.status == 400 and r.error_code() == "INBOX_FAILED",
         "read: %s: INBOX_FAILED" % what, r)
r = p1.detail("6f1e2a44-0000-4000-8000-000000000000")
t.ok(r.status == 400 and r.error_code() == "INBOX_FAILED",
     "detail of an unknown id: INBOX_FAILED", r)
r = p1.detail("not-a-uuid")
t.ok(r.status == 400 and r.error_code() == "INBOX_FAILED",
     "detail of a malformed id: INBOX_FAILED", r)
t.eq(sql("SELECT COUNT(*) FROM inbox_message WHERE id = '%s' AND read_at IS"
         " NOT NULL" % M1), "0", "foreign reads left the message unread")

# --- marking read ----------------------------------------------------------
r = p1.call("message/read", {"requestObject": {"id": M1}})
t.eq((r.status, r.json()), (200, {"status": "OK"}), "read: OK")
t.eq(p1.count(), 5, "count drops by one")
t.eq(((p1.detail(M1).json() or {}).get("responseObject") or {}).get("read"),
     True, "detail: read")
r = e.request("GET", MSGS + "/" + M1, auth=UA)
g = r.json() or {}
t.ok(g.get("read") is True and g.get("timestampRead", 0) >=
     g.get("timestamp", 1), "integration GET: read, timestampRead", g)
r = p1.call("message/read", {"requestObject": {"id": M1}})
t.eq((r.status, p1.count(), (e.request("GET", MSGS + "/" + M1, auth=UA)
                             .json() or {}).get("timestampRead")),
     (200, 5, g.get("timestampRead")),
     "reading again: OK, nothing changes (first read time kept)")
t.eq(p1.ids(onlyUnread=True), [M6, M5, M4, M3, M2], "onlyUnread list")
# Read in B: read in A too (the flag is the message's).
r = p1b.call("message/read", {"requestObject": {"id": M2}})
t.eq((r.status, p1b.count(), p1.count()), (200, 0, 4),
     "read in B: unread counts drop in B and in A")
t.eq(sql("SELECT GROUP_CONCAT(is_read) FROM inbox_message_app WHERE"
         " message_id = '%s'" % M2), "1,1", "DB: both application rows read")
t.eq(p1.ids(onlyUnread=True, size=2), [M6, M5], "onlyUnread, size 2")
t.eq(p1.ids(onlyUnread=True, size=2, page=1), [M4, M3],
     "onlyUnread, page 1")
r = p1.call("message/read-all", {})
t.eq((r.status, r.json()), (200, {"status": "OK"}), "read-all: OK")
t.eq((p1.count(), p1.ids(onlyUnread=True)), (0, []),
     "after read-all: count 0, no unread")
t.eq(sql("SELECT COUNT(*) FROM inbox_message WHERE user_id = '%s' AND"
         " read_at IS NULL" % user), "0", "DB: every message read")
M7 = (create(A, applications=[A_ID, B_ID]).json() or {}).get("id", "")
t.eq((p1.count(), p1b.count()), (1, 1), "a new message: unread in both")
r = p1b.call("message/read-all", {"requestObject": {}})
t.eq((r.status, p1b.count(), p1.count()), (200, 0, 0),
     "read-all in B reads it in A too")
r = p1.call("message/read-all", "", raw=True)
t.eq(r.status, 200, "read-all with an empty body")

# --- tokens ------------------------------------------------------------------
for path in ("count", "message/list", "message/detail", "message/read",
             "message/read-all"):
    r = e.request("POST", MOBILE + path, body={"requestObject": {"id": M1}})
    t.ok(r.status == 401 and r.error_code() == "POWERAUTH_AUTH_FAIL",
         "%s without a token: 401 POWERAUTH_AUTH_FAIL" % path, r)
h = p1.header()
e.request("POST", MOBILE + "count", body={}, headers={"X-PowerAuth-Token": h})
r = e.request("POST", MOBILE + "count", body={},
              headers={"X-PowerAuth-Token": h})
t.ok(r.status == 401 and r.error_code() == "POWERAUTH_AUTH_FAIL",
     "a replayed token header: 401", r)

# --- deleting ----------------------------------------------------------------
r = e.request("DELETE", MSGS + "/" + M7, auth=UB)
t.eq((r.status, r.body), (204, b""), "DELETE by the user of B: 204")
r = e.request("GET", MSGS + "/" + M7, auth=A)
t.eq((r.status, (r.json() or {}).get("applications")), (200, [A_ID]),
     "the message stays in A")
t.ok(M7 not in p1b.ids() and M7 in p1.ids(), "gone from B's phone only")
r = e.request("DELETE", MSGS + "/" + M7, auth=UB)
t.ok(r.status == 400 and r.error_code() == "ERROR_INBOX_MESSAGE_NOT_FOUND",
     "DELETE again by B: not found", r)
r = e.request("DELETE", MSGS + "/" + M7, auth=UA)
t.eq(r.status, 204, "DELETE by the user of A: 204")
t.eq(sql("SELECT (SELECT COUNT(*) FROM inbox_message WHERE id = '%s') +"
         " (SELECT COUNT(*) FROM inbox_message_app WHERE message_id = '%s')"
         % (M7, M7)), "0", "DB: the message and its rows are gone")
r = e.request("GET", MSGS + "/" + M7, auth=A)
t.ok(r.status == 400 and r.error_code() == "ERROR_INBOX_MESSAGE_NOT_FOUND",
     "GET of a deleted message: not found", r)
t.ok(M7 not in p1.ids(), "gone from A's phone")

# --- bad input: 4xx JSON, nothing written ------------------------------------
bad_user = "inbox-bad-" + tag
BAD = [
    ("not JSON", "{"),
    ("an array", "[]"),
    ("no userId", {"userId": None}),
    ("userId a number", {"userId": 7}),
    ("userId of 256", {"userId": "u" * 256}),
    ("type TEXT", {"type": "TEXT"}),
    ("no type", {"type": None}),
    ("type markdown", {"type": "markdown"}),
    ("no subject", {"subject": None}),
    ("subject of two lines", {"subject": "a\nb"}),
    ("subject of 256", {"subject": "s" * 256}),
    ("markup in the subject", {"subject": "<b>x</b>"}),
    ("no summary", {"summary": None}),
    ("summary of 1025", {"summary": "m" * 1025}),
    ("markup in the summary", {"summary": "see <a href=x>"}),
    ("no body", {"body": None}),
    ("empty body", {"body": ""}),
    ("body of 65536", {"body": "b" * 65536}),
    ("control character in the body", {"body": "a\u0001b"}),
    ("escape sequence in the summary", {"summary": "a\u001b[31m"}),
    ("markup in a text body", {"body": "<p>hi</p>"}),
    ("silent a string", {"silent": "yes"}),
    ("applications a string", {"applications": A_ID}),
    ("applications empty", {"applications": []}),
    ("applications of numbers", {"applications": [1]}),
    ("an application twice", {"applications": [A_ID, A_ID]}),
    ("65 applications", {"applications": ["x%d" % i for i in range(65)]}),
    ("application id with a space", {"applications": ["a b"]}),
]
for what, change in BAD:
    if isinstance(change, str):
        r = e.request("POST", MSGS, body=change, auth=UA)
    else:
        b = {"userId": bad_user, "type": "text", "subject": "S",
             "summary": "M", "body": "B"}
        b.update(change)
        b = {k: v for k, v in b.items() if v is not None}
        r = e.request("POST", MSGS, body=b, auth=UA)
    t.ok(r.status == 400 and r.error_code() == "ERROR_REQUEST",
         "create refused: %s" % what, r)
for auth, apps, what in ((UA, [B_ID], "an application not granted"),
                         (A, ["no-such-app-" + tag], "an unknown one")):
    r = create(auth, userId=bad_user, applications=apps)
    t.ok(r.status == 400 and r.error_code() == "ERROR_APPLICATION_NOT_FOUND",
         "create refused: %s" % what, r)
r = create(A, userId=bad_user)
t.ok(r.status == 400 and r.error_code() == "ERROR_REQUEST",
     "admin without applications: refused", r)
t.eq(sql("SELECT (SELECT COUNT(*) FROM inbox_message WHERE user_id = '%s')"
         " + (SELECT COUNT(*) FROM inbox_message_app WHERE user_id = '%s')"
         " + (SELECT COUNT(*) FROM event_outbox WHERE type = 'INBOX' AND"
         " JSON_VALUE(payload, '$.userId') = '%s')"
         % (bad_user, bad_user, bad_user)), "0",
     "refused creates wrote nothing")
for q, what in (("", "no userId"), ("?userId=", "empty userId"),
                ("?userId=x&onlyUnread=yes", "onlyUnread yes"),
                ("?userId=x&size=0", "size 0"),
                ("?userId=x&size=501", "size 501"),
                ("?userId=x&page=-1", "page -1"),
                ("?userId=x&page=100001", "page 100001"),
                ("?userId=x&pageSize=5", "an unknown parameter")):
    r = e.request("GET", MSGS + q, auth=UA)
    t.ok(r.status == 400 and r.error_code() == "ERROR_REQUEST",
         "list refused: %s" % what, r)
r = e.request("GET", MSGS + "/not-a-uuid", auth=UA)
t.ok(r.status == 400 and r.error_code() == "ERROR_INBOX_MESSAGE_NOT_FOUND",
     "GET of a malformed id: not found", r)
MBAD = [
    ("message/list", "{", "list: not JSON"),
    ("message/list", {"requestObject": []}, "list: requestObject an array"),
    ("message/list", {"requestObject": {"page": -1}}, "list: page -1"),
    ("message/list", {"requestObject": {"page": 1.5}}, "list: page 1.5"),
    ("message/list", {"requestObject": {"size": 0}}, "list: size 0"),
    ("message/list", {"requestObject": {"size": 101}}, "list: size 101"),
    ("message/list", {"requestObject": {"onlyUnread": "x"}},
     "list: onlyUnread a string"),
    ("message/detail", {}, "detail: no requestObject"),
    ("message/detail", {"requestObject": {}}, "detail: no id"),
    ("message/detail", {"requestObject": {"id": 5}}, "detail: id a number"),
    ("message/detail", {"requestObject": {"id": "x" * 65}},
     "detail: id of 65"),
    ("message/read", {"requestObject": {"id": None}}, "read: id null"),
    ("message/read", "[]", "read: an array"),
    ("count", "nonsense", "count: not JSON"),
    ("message/read-all", {"requestObject": "x"},
     "read-all: requestObject a string"),
]
M8 = (create(UA, subject="Unread").json() or {}).get("id", "")
for path, body, what in MBAD:
    r = p1.call(path, body, raw=isinstance(body, str))
    t.ok(r.status == 400 and r.error_code() == "INVALID_REQUEST",
         "mobile refused: %s" % what, r)
t.eq((p1.count(), sql("SELECT COUNT(*) FROM inbox_message WHERE user_id ="
                     " '%s' AND read_at IS NULL" % user), p1.ids()[0]),
     (1, "1", M8), "refused mobile calls changed nothing")

# --- metrics: per route, as every route -------------------------------------
r = e.request("GET", "/powerauth-cloud/metrics", auth=A)
t.ok('route="POST /v2/inbox/messages"' in r.body.decode(),
     "cloud metrics count the inbox routes", r.body[:200])

# --- housekeeping: messages past inbox.retention_days -----------------------
old_user = "inbox-old-" + tag
O1 = (create(A, userId=old_user, applications=[A_ID]).json() or {}).get(
    "id", "")
O2 = (create(A, userId=old_user, applications=[A_ID]).json() or {}).get(
    "id", "")
sql("UPDATE inbox_message SET created_at = UTC_TIMESTAMP(3) - INTERVAL 3 DAY"
    " WHERE id = '%s'" % O1)
sql("UPDATE event_outbox SET created_at = UTC_TIMESTAMP(3) - INTERVAL 31 DAY"
    " WHERE type = 'INBOX' AND object_id = '%s'" % O1)
out = {}
for _ in range(60):    # another test may hold the lease for a moment
    p = subprocess.run([e.ADMIN_BIN, "-c", e.CONF, "housekeeping"],
                       capture_output=True, text=True,
                       env=dict(os.environ, PASERV_INBOX_RETENTION_DAYS="2"))
    out = dict(ln.split(": ", 1) for ln in p.stdout.splitlines()
               if ": " in ln)
    if p.returncode == 0 and out.get("lease", "").startswith("taken"):
        break
    time.sleep(0.5)
t.ok(out.get("lease", "").startswith("taken") and
     int(out.get("purged inbox messages", "0")) >= 1,
     "paserv-admin housekeeping with inbox.retention_days = 2", out)
t.eq(sql("SELECT GROUP_CONCAT(id) FROM inbox_message WHERE user_id = '%s'"
         % old_user), O2, "the old message is purged, the new one kept")
t.eq(sql("SELECT COUNT(*) FROM inbox_message_app WHERE message_id = '%s'"
         % O1), "0", "with its application rows")
t.eq(sql("SELECT COUNT(*) FROM event_outbox WHERE type = 'INBOX' AND"
         " object_id IN ('%s', '%s')" % (O1, O2)), "1",
     "INBOX events without deliveries are purged after 30 days")
t.done()
