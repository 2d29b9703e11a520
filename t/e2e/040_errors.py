#!/usr/bin/env python3
"""JSON errors: 404 unknown path, 405 wrong method (+ Allow), 400 malformed
JSON, 413 oversized body - through nginx and straight on the sockets."""
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(28)
A = e.admin_auth()
MAX_BODY = 1048576


def err(r, status, code, name):
    t.eq((r.status if r else None, r.error_code() if r else None),
         (status, code), name)


# 404
err(e.request("GET", "/enrollment-server/no/such/path"), 404,
    "ERROR_NOT_FOUND", "enrollment: unknown path 404 JSON")
err(e.request("GET", "/powerauth-cloud/no/such/path", auth=A), 404,
    "ERROR_NOT_FOUND", "cloud: unknown path 404 JSON")
err(e.request("GET", "/not-a-context"), 404, "ERROR_NOT_FOUND",
    "nginx: path outside both contexts 404 JSON")
err(e.fcgi_request(e.ENROLL_SOCKET, "GET", "/enrollment-server/nope"), 404,
    "ERROR_NOT_FOUND", "enroll socket: unknown path 404 JSON")
err(e.fcgi_request(e.CLOUD_SOCKET, "GET", "/powerauth-cloud/nope",
                   extra={"HTTP_AUTHORIZATION": A}), 404, "ERROR_NOT_FOUND",
    "cloud socket: unknown path 404 JSON")

# 405 + Allow
r = e.request("GET", "/enrollment-server/pa/v3/status")
err(r, 405, "ERROR_METHOD_NOT_ALLOWED", "enrollment: GET /pa/v3/status 405 JSON")
t.ok("POST" in (r.header("Allow") or ""), "enrollment 405: Allow names POST",
     r.header("Allow"))
r = e.request("DELETE", "/powerauth-cloud/admin/applications", auth=A)
err(r, 405, "ERROR_METHOD_NOT_ALLOWED", "cloud: DELETE /admin/applications 405 JSON")
allow = r.header("Allow") or ""
t.ok("GET" in allow and "POST" in allow, "cloud 405: Allow names GET and POST", allow)
r = e.request("PUT", "/powerauth-cloud/actuator/health")
err(r, 405, "ERROR_METHOD_NOT_ALLOWED", "cloud: PUT health 405 JSON")

# 400 malformed JSON
for body, what in ((b'{"id":', "truncated"), (b"\xff\xfe{}", "not UTF-8"),
                   (b"[1,2]", "array, not object"), (b'{"id":"x"} trailing', "trailing garbage")):
    err(e.request("POST", "/powerauth-cloud/admin/applications", body=body,
                  auth=A), 400, "ERROR_REQUEST", "cloud: %s JSON body 400" % what)
err(e.request("POST", "/powerauth-cloud/admin/applications", body={"id": 5},
              auth=A), 400, "ERROR_REQUEST", "cloud: id not a string 400")
err(e.request("POST", "/powerauth-cloud/admin/applications", body={},
              auth=A), 400, "ERROR_REQUEST", "cloud: id missing 400")
err(e.request("POST", "/powerauth-cloud/admin/users", body="{user", auth=A),
    400, "ERROR_REQUEST", "cloud: malformed users body 400")
err(e.request("POST", "/enrollment-server/pa/v3/status", body='{"x":'), 400,
    "ERROR_REQUEST", "enrollment: malformed status body 400")
err(e.fcgi_request(e.ENROLL_SOCKET, "POST", "/enrollment-server/pa/v3/status",
                   body="nonsense"), 400, "ERROR_REQUEST",
    "enroll socket: malformed body 400")

# 413
big = b'{"id":"' + b"a" * (MAX_BODY + 10) + b'"}'
err(e.request("POST", "/enrollment-server/pa/v3/status", body=big), 413,
    "ERROR_REQUEST_TOO_LARGE", "enrollment: oversized body 413 JSON (nginx)")
err(e.request("POST", "/powerauth-cloud/admin/applications", body=big, auth=A),
    413, "ERROR_REQUEST_TOO_LARGE", "cloud: oversized body 413 JSON (nginx)")
err(e.fcgi_request(e.ENROLL_SOCKET, "POST", "/enrollment-server/pa/v3/status",
                   body=big), 413, "ERROR_REQUEST_TOO_LARGE",
    "enroll socket: oversized body 413 JSON (worker)")
err(e.fcgi_request(e.CLOUD_SOCKET, "POST", "/powerauth-cloud/admin/applications",
                   body=big, extra={"HTTP_AUTHORIZATION": A}), 413,
    "ERROR_REQUEST_TOO_LARGE", "cloud socket: oversized body 413 JSON (worker)")
# CONTENT_LENGTH that claims too much is refused before reading.
r = e.fcgi_exchange(e.ENROLL_SOCKET, e.fcgi_message({
    "REQUEST_METHOD": "POST", "DOCUMENT_URI": "/enrollment-server/pa/v3/status",
    "REQUEST_URI": "/enrollment-server/pa/v3/status",
    "CONTENT_LENGTH": str(MAX_BODY * 50)}, b"{}"))
err(e.fcgi_parse(r), 413, "ERROR_REQUEST_TOO_LARGE",
    "enroll socket: huge CONTENT_LENGTH 413 JSON")
# A body just at the limit is not 413.
ok_body = b'{"pad":"' + b"a" * (MAX_BODY - 20) + b'"}'
r = e.fcgi_request(e.ENROLL_SOCKET, "POST", "/enrollment-server/pa/v3/status",
                   body=ok_body)
t.eq(r.status if r else None, 200, "enroll socket: body below the limit 200")

# Errors are JSON with a request id, and never 5xx.
r = e.request("POST", "/powerauth-cloud/admin/applications", body="{",
              auth=A, headers={"Content-Type": "text/plain"})
t.ok(r.status < 500, "cloud: wrong content type is no 5xx", r)
t.ok((r.header("Content-Type") or "").startswith("application/json"),
     "error responses are application/json", r.header("Content-Type"))
t.ok(bool(r.header("X-Request-Id")), "error responses carry X-Request-Id")
t.done()
