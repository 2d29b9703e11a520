#!/usr/bin/env python3
"""The local nginx template (nginx/paserv-local.conf.in, as scripts/run
fills it in) in front of FastCGI echo responders instead of the workers:
what nginx passes on (and what it must not), the auth_request subrequest,
keep-alive to the upstreams and nginx's own errors as JSON."""
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(34)
GOOD = "Basic Z29vZDpnb29k"
FORGED = {
    "X-Forwarded-For": "6.6.6.6", "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "https", "X-Forwarded-User": "admin",
    "Forwarded": "for=6.6.6.6", "X-Real-IP": "6.6.6.6",
    "Remote-User": "admin", "X-Remote-User": "admin", "Proxy": "http://evil:1",
    "X-Request-Id": "forged-id", "X-Other": "kept",
}
STRIPPED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST",
            "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_USER", "HTTP_FORWARDED",
            "HTTP_X_REAL_IP", "HTTP_REMOTE_USER", "HTTP_X_REMOTE_USER",
            "HTTP_PROXY", "REMOTE_USER")


def get(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return e.Response(r.status, r.getheaders(), r.read())
    finally:
        c.close()


def envelope(r, status, code, name):
    """status: a number, or "5xx" (error_page keeps nginx's 502/504)."""
    ok = (500 <= r.status <= 599) if status == "5xx" else r.status == status
    t.ok(ok and r.error_code() == code and
         (r.header("Content-Type") or "").startswith("application/json"),
         name, r)


def main(tmp):
    ndir = os.path.join(tmp, "nginx")
    os.makedirs(os.path.join(ndir, "logs"))
    os.makedirs(os.path.join(ndir, "tmp"))
    shutil.copy(os.path.join(e.TOP_SRCDIR, "nginx", "snippets",
                             "paserv-fastcgi-params.conf"), ndir)
    cloud_sock = os.path.join(tmp, "cloud.sock")
    enroll_sock = os.path.join(tmp, "enroll.sock")
    port = e.free_port()
    conf = open(os.path.join(e.TOP_SRCDIR, "nginx",
                             "paserv-local.conf.in")).read()
    for k, v in (("@PORT@", str(port)), ("@NGINX_DIR@", ndir),
                 ("@CLOUD_SOCK@", cloud_sock), ("@ENROLL_SOCK@", enroll_sock)):
        conf = conf.replace(k, v)
    if os.geteuid() != 0:
        conf = conf.replace("user root;", "")
    open(os.path.join(ndir, "nginx.conf"), "w").write(conf)
    cloud = e.FcgiEcho(cloud_sock, GOOD)
    enroll = e.FcgiEcho(enroll_sock, GOOD)
    cmd = ["nginx", "-p", ndir, "-e", os.path.join(ndir, "logs", "error.log"),
           "-c", os.path.join(ndir, "nginx.conf")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    t.ok(r.returncode == 0, "nginx starts with the filled-in template", r.stderr)
    try:
        for _ in range(50):
            try:
                get(port, "GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        checks(port, cloud, enroll)
    finally:
        subprocess.run(cmd + ["-s", "stop"], capture_output=True)
        cloud.stop()
        enroll.stop()


def checks(port, cloud, enroll):
    # Parameters of a plain request.
    r = get(port, "POST", "/enrollment-server/pa/v3/status?q=1",
            body=b'{"a":1}', headers=dict(FORGED, **{
                "Content-Type": "application/json"}))
    t.eq(r.status, 200, "enrollment request reaches the worker")
    p = r.json() or {}
    t.eq(p.get("REQUEST_URI"), "/enrollment-server/pa/v3/status?q=1",
         "REQUEST_URI keeps the context prefix and query")
    t.eq(p.get("DOCUMENT_URI"), "/enrollment-server/pa/v3/status",
         "DOCUMENT_URI keeps the context prefix")
    t.eq((p.get("QUERY_STRING"), p.get("REQUEST_METHOD"),
          p.get("CONTENT_LENGTH"), p.get("CONTENT_TYPE")),
         ("q=1", "POST", "7", "application/json"), "method, query, body length")
    t.eq(enroll.requests[-1]["body"], b'{"a":1}', "body passed byte for byte")
    leaked = [k for k in STRIPPED if k in p]
    t.ok(not leaked, "forwarded/identity headers not passed", leaked)
    t.eq(p.get("HTTP_X_OTHER"), "kept", "other client headers passed")
    rid = p.get("HTTP_X_REQUEST_ID", "")
    t.ok(re.fullmatch(r"[0-9a-f]{32}", rid), "X-Request-Id is nginx's id",
         rid)
    names = [k for k in p if k == "HTTP_X_REQUEST_ID"]
    t.eq(len(names), 1, "one X-Request-Id parameter")
    t.ok(enroll.requests[-1]["keep"], "FCGI_KEEP_CONN set (fastcgi_keep_conn)")
    before = enroll.connections
    for _ in range(5):
        get(port, "GET", "/enrollment-server/actuator/health")
    t.ok(enroll.connections - before <= 1,
         "upstream keepalive reuses the FastCGI connection",
         "%d new connections" % (enroll.connections - before))
    with open(os.path.join(os.path.dirname(cloud.path), "nginx", "logs",
                           "access.log")) as f:
        log = f.read()
    t.ok("rid=" + rid in log, "request id in the access log")

    # /powerauth-cloud: auth_request first, then the request itself.
    n0 = len(cloud.requests)
    r = get(port, "POST", "/powerauth-cloud/admin/applications",
            body=b'{"id":"x"}', headers=dict(FORGED, **{
                "Authorization": GOOD, "Content-Type": "application/json"}))
    t.eq(r.status, 200, "cloud request with good credentials passes")
    reqs = cloud.requests[n0:]
    t.eq(len(reqs), 2, "auth subrequest + request")
    sub = reqs[0]["params"] if reqs else {}
    main_p = reqs[1]["params"] if len(reqs) > 1 else {}
    t.eq((sub.get("REQUEST_METHOD"), sub.get("DOCUMENT_URI"),
          sub.get("REQUEST_URI")),
         ("GET", "/powerauth-cloud/internal/auth",
          "/powerauth-cloud/internal/auth"), "auth subrequest: fixed URI, GET")
    http_params = sorted(k for k in sub if k.startswith("HTTP_"))
    t.eq(http_params, ["HTTP_AUTHORIZATION", "HTTP_X_REQUEST_ID"],
         "auth subrequest: only Authorization (and the request id)")
    t.eq(sub.get("HTTP_AUTHORIZATION"), GOOD, "auth subrequest: credentials")
    t.eq(reqs[0]["body"] if reqs else None, b"", "auth subrequest: no body")
    t.eq(sub.get("HTTP_X_REQUEST_ID"), main_p.get("HTTP_X_REQUEST_ID"),
         "auth subrequest and request share the request id")
    t.eq(main_p.get("HTTP_AUTHORIZATION"), GOOD,
         "request: Authorization passed (the worker checks it again)")
    leaked = [k for k in STRIPPED if k in main_p]
    t.ok(not leaked, "request: forwarded/identity headers not passed", leaked)

    r = get(port, "GET", "/powerauth-cloud/admin/applications",
            headers={"Remote-User": "admin", "Authorization": "Basic bad"})
    envelope(r, 401, "HTTP_401", "bad credentials: the worker's JSON 401")
    t.eq(len(r.header_all("WWW-Authenticate")), 1, "one WWW-Authenticate")
    n0 = len(cloud.requests)
    r = get(port, "GET", "/powerauth-cloud/actuator/health")
    t.eq((r.status, len(cloud.requests) - n0), (200, 1),
         "cloud health: no auth subrequest")

    # nginx's own errors.
    envelope(get(port, "GET", "/nothing-here"), 404, "ERROR_NOT_FOUND",
             "outside both contexts: 404 JSON")
    envelope(get(port, "TRACE", "/enrollment-server/x"), 405,
             "ERROR_METHOD_NOT_ALLOWED", "TRACE: 405 JSON")
    envelope(get(port, "POST", "/enrollment-server/x", body=b"x" * 1048577),
             413, "ERROR_REQUEST_TOO_LARGE", "body over 1 MiB: 413 JSON")
    envelope(get(port, "POST", "/powerauth-cloud/admin/applications",
                 body=b"x" * 1048577, headers={"Authorization": GOOD}),
             413, "ERROR_REQUEST_TOO_LARGE", "cloud body over 1 MiB: 413 JSON")
    raw = e.raw_http(port, b"\x01\x02garbage\r\n\r\n")
    t.ok(raw.startswith(b"HTTP/1.1 400") and b'"code":"ERROR_REQUEST"' in raw,
         "garbage request line: 400 JSON", raw[:200])
    raw = e.raw_http(port, b"GET /enrollment-server/x HTTP/1.1\r\nHost: a\r\n"
                     b"X-Big: " + b"a" * 20000 + b"\r\n\r\n")
    t.ok(raw.startswith(b"HTTP/1.1 400") and b'"code":"ERROR_REQUEST"' in raw,
         "header over the buffer size: 400 JSON", raw[:200])
    enroll.stop()
    envelope(get(port, "GET", "/enrollment-server/pa/v3/status"), "5xx",
             "ERROR_GENERIC", "worker unreachable: 5xx JSON")
    cloud.stop()
    envelope(get(port, "GET", "/powerauth-cloud/admin/applications",
                 headers={"Authorization": GOOD}), "5xx", "ERROR_GENERIC",
             "cloud worker unreachable (auth_request fails): 5xx JSON")
    envelope(get(port, "GET", "/nothing-here"), 404, "ERROR_NOT_FOUND",
             "nginx still answers with both workers gone")


with tempfile.TemporaryDirectory() as tmpdir:
    main(tmpdir)
t.done()
