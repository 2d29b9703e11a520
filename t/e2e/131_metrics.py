#!/usr/bin/env python3
"""Prometheus metrics (doc/operations-guide.md "Metrics"):
GET /powerauth-cloud/metrics for administrators only (401 without
credentials, 403 for an integration user), text format 0.0.4 parsed with
prometheus_client; request counters and histograms move with traffic, the
CREATED registration gauge with a create, a malformed token is counted;
/enrollment-server/metrics is refused by the public listener and by the
worker itself without PASERV_INTERNAL, and parses when scraped on the
worker's FastCGI socket with it."""
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(35)
try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    # Debian's package, when python3 is not Debian's own (e.g. pyenv).
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        t.ok(False, "python3-prometheus-client is installed "
             "(scripts/lib.sh PA_DEBIAN_PACKAGES)")
        sys.exit(1)

A = e.admin_auth()
CLOUD = "/powerauth-cloud/metrics"
ENROLL = "/enrollment-server/metrics"


def parse(text):
    """(family names -> type, {(sample name, sorted labels): value})."""
    fams, samples = {}, {}
    for f in text_string_to_metric_families(text):
        fams[f.name] = f.type
        for s in f.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return fams, samples


def scrape(tap_name=None):
    r = e.request("GET", CLOUD, auth=A)
    if tap_name is not None:
        t.eq(r.status, 200, tap_name)
    if r.status != 200:
        t.diag(repr(r))
        return {}, {}
    return parse(r.body.decode("utf-8"))


def val(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- access ----------------------------------------------------------------
r = e.request("GET", CLOUD)
t.eq(r.status, 401, "no credentials: 401")
t.ok(r.header("WWW-Authenticate") is not None, "401 names the realm")
app = e.new_app("e2e-met-", t).get("id", "")
user = e.new_user("e2e-met-", app, t)
r = e.request("GET", CLOUD, auth=user)
t.eq(r.status, 403, "integration user: 403")
t.eq(r.error_code(), "HTTP_403", "403 in the error envelope")

r = e.request("GET", CLOUD, auth=A)
t.eq(r.status, 200, "administrator: 200")
ctype = r.header("Content-Type") or ""
t.ok(ctype.startswith("text/plain; version=0.0.4"), "text format 0.0.4",
     ctype)
text = r.body.decode("utf-8")
try:
    fams, s0 = parse(text)
    parsed = True
except Exception as ex:  # noqa: BLE001
    fams, s0, parsed = {}, {}, False
    t.diag("parse failed: %s" % ex)
t.ok(parsed, "prometheus_client parses the cloud output")
t.ok("# TYPE paserv_http_requests_total counter" in text,
     "TYPE line of the request counter")
t.eq(fams.get("paserv_http_request_duration_seconds"), "histogram",
     "latency is a histogram")
for name, typ in (("paserv_registrations", "gauge"),
                  ("paserv_operations", "gauge"),
                  ("paserv_webhook_queue_deliveries", "gauge"),
                  ("paserv_db_errors", "counter"),
                  ("paserv_signature_verifications", "counter"),
                  ("paserv_token_verifications", "counter")):
    t.eq(fams.get(name), typ, "family %s (%s)" % (name, typ))
statuses = {dict(k[1]).get("status") for k in s0
            if k[0] == "paserv_registrations"}
t.eq(statuses, {"CREATED", "PENDING_COMMIT", "ACTIVE", "BLOCKED",
                "REMOVED"}, "registration gauge: every status")
ops = {dict(k[1]).get("status") for k in s0 if k[0] == "paserv_operations"}
t.eq(ops, {"PENDING", "APPROVED", "REJECTED", "CANCELED", "EXPIRED",
           "FAILED"}, "operation gauge: every status")
t.ok(all(k[0] != "paserv_webhook_queue_deliveries" or
         dict(k[1]).get("state") in ("pending", "due", "failed")
         for k in s0), "queue gauge: pending, due, failed")

# --- counters move with traffic ---------------------------------------------
N = 5
ROUTE = "GET /admin/applications/{id}"
_, before = scrape()
for _ in range(N):
    e.request("GET", "/powerauth-cloud/admin/applications/" + app, auth=A)
e.request("GET", "/powerauth-cloud/no-such-path", auth=A)
_, after = scrape("scrape after traffic")
grew = (val(after, "paserv_http_requests_total", route=ROUTE, code="200") -
        val(before, "paserv_http_requests_total", route=ROUTE, code="200"))
t.ok(grew >= N, "request counter of %s grew by %d" % (ROUTE, N), grew)
hist = (val(after, "paserv_http_request_duration_seconds_count", route=ROUTE,
            **{"class": "2xx"}) -
        val(before, "paserv_http_request_duration_seconds_count",
            route=ROUTE, **{"class": "2xx"}))
t.ok(hist >= N, "histogram count of %s grew" % ROUTE, hist)
inf = val(after, "paserv_http_request_duration_seconds_bucket", route=ROUTE,
          le="+Inf", **{"class": "2xx"})
cnt = val(after, "paserv_http_request_duration_seconds_count", route=ROUTE,
          **{"class": "2xx"})
t.ok(inf == cnt and cnt > 0, "+Inf bucket equals the count", (inf, cnt))
t.ok(val(after, "paserv_http_requests_total", route="unmatched",
         code="404") >= 1, "an unknown path counts as unmatched 404")

# A malformed token header is counted.
tb = val(after, "paserv_token_verifications_total", result="malformed")
r = e.request("POST", "/powerauth-cloud/v2/token/verify",
              body={"authHeader": "PowerAuth garbage"}, auth=A)
t.eq(r.status, 400, "malformed token header: 400")
_, s2 = scrape()
t.ok(val(s2, "paserv_token_verifications_total", result="malformed") >=
     tb + 1, "malformed token verification counted")

# A registration create moves the CREATED gauge (other tests may run
# concurrently: a few tries for a quiet moment).
moved = False
for attempt in range(5):
    _, b = scrape()
    r = e.request("POST", "/powerauth-cloud/v2/registrations",
                  body={"userId": "met-" + str(attempt), "appId": app},
                  auth=user)
    if r.status != 200:
        t.diag("create: %r" % r)
        break
    _, a = scrape()
    d = (val(a, "paserv_registrations", status="CREATED") -
         val(b, "paserv_registrations", status="CREATED"))
    if d == 1:
        moved = True
        break
t.ok(moved, "registration create: CREATED gauge + 1")

# --- the mobile worker's metrics --------------------------------------------
r = e.request("GET", ENROLL)
t.eq(r.status, 403, "public listener refuses %s" % ENROLL)
t.eq(r.error_code(), "HTTP_403", "refusal in the error envelope")
t.ok((r.header("Content-Type") or "").startswith("application/json"),
     "refusal is JSON")
r = e.request("GET", ENROLL + "?x=1")
t.eq(r.status, 403, "query string does not get around the refusal")

for _ in range(3):
    e.request("POST", "/enrollment-server/pa/v3/status", body={})
if e.ENROLL_SOCKET:
    r = e.fcgi_request(e.ENROLL_SOCKET, "GET", ENROLL)
    t.eq(r.status if r else None, 404,
         "socket without PASERV_INTERNAL: 404")
    r = e.fcgi_request(e.ENROLL_SOCKET, "GET", ENROLL,
                       extra={"HTTP_PASERV_INTERNAL": "1"})
    t.eq(r.status if r else None, 404, "a client header does not open it")
    r = e.fcgi_request(e.ENROLL_SOCKET, "GET", ENROLL,
                       extra={"PASERV_INTERNAL": "1"})
    t.eq(r.status if r else None, 200, "socket with PASERV_INTERNAL=1: 200")
    try:
        ef, es = parse(r.body.decode("utf-8") if r else "")
        ok = "paserv_http_requests" in ef
    except Exception as ex:  # noqa: BLE001
        ef, es, ok = {}, {}, False
        t.diag("parse failed: %s" % ex)
    t.ok(ok, "prometheus_client parses the enroll output")
    t.ok(val(es, "paserv_http_requests_total", route="POST /pa/v3/status",
             code="200") >= 3, "enroll counts POST /pa/v3/status")
else:
    t.skip(5, "PASERV_E2E_ENROLL_SOCKET is unset")
t.done()
