#!/usr/bin/env python3
"""1,000 malformed requests: random bytes, truncated JSON, huge headers, odd
methods and paths as raw HTTP to nginx, and garbage FastCGI streams straight
to both worker sockets. No 5xx anywhere; both workers stay alive and
healthy afterwards."""
import os
import random
import socket
import struct
import sys
import urllib.parse
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(10)
seed = int(os.environ.get("PASERV_E2E_SEED", "20240601"))
rng = random.Random(seed)
t.diag("seed %d (set PASERV_E2E_SEED to repeat)" % seed)
A = e.admin_auth()
U = urllib.parse.urlsplit(e.URL)
HOST, PORT = U.hostname, U.port or 80

PATHS = ["/powerauth-cloud/admin/applications", "/powerauth-cloud/admin/users",
         "/powerauth-cloud/admin/applications/x", "/powerauth-cloud/internal/auth",
         "/powerauth-cloud/admin/users/a/applications/b",
         "/powerauth-cloud/actuator/health", "/enrollment-server/pa/v3/status",
         "/enrollment-server/actuator/health", "/", "/powerauth-cloud",
         "/powerauth-cloud/admin/applications/" + "a" * 400,
         "/powerauth-cloud/%00", "/powerauth-cloud/%zz", "/enrollment-server/../etc/passwd",
         "/powerauth-cloud//admin//applications", "/enrollment-server/pa/v3/status?x=%ff&&="]
BODIES = [b'{"id":"x"', b'{"id":', b"[" * 5000, b'{"a":' * 3000, b"\x00\x01\x02",
          b'{"id":"a\\u0000b"}', b'{"username":"\xff\xfe"}', b"{}garbage", b'"str"',
          b"null", b'{"roles":[1,2]}', b'{"id":' + b"1" * 400 + b"}", b"",
          b'{"id":"' + b"\xc3" * 50 + b'"}', b'{"username":""}', b'{"id":"../x"}']
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "FOO",
           "post", "TRACE", "CONNECT"]


def rand_bytes(lo, hi):
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(lo, hi)))


def http_status(out):
    if out.startswith(b"HTTP/1."):
        try:
            return int(out[9:12])
        except ValueError:
            return None
    return None


def http_case(i):
    kind = i % 4
    if kind == 0:
        return rand_bytes(1, 2000)
    method = rng.choice(METHODS)
    path = rng.choice(PATHS)
    hdrs = ["Host: localhost", "Connection: close"]
    if rng.random() < 0.6:
        hdrs.append("Authorization: " + rng.choice(
            [A, A, "Basic " + "A" * 3000, "Basic", "Bearer x", e.basic("admin", "")]))
    body = b""
    if kind == 1:
        body = rng.choice(BODIES) if rng.random() < 0.8 else rand_bytes(0, 3000)
        hdrs.append("Content-Type: application/json")
    elif kind == 2:
        hdrs.append("X-Huge: " + "h" * rng.randint(9000, 40000))
        if rng.random() < 0.5:
            hdrs += ["X-Many-%d: %d" % (n, n) for n in range(rng.randint(50, 300))]
    else:
        path = path + rng.choice(["?" + "q" * 5000, "%", "\x01", "#frag", "?a=%00"])
        body = rng.choice(BODIES)
    hdrs.append("Content-Length: %d" % len(body))
    head = "%s %s HTTP/1.1\r\n%s\r\n\r\n" % (method, path, "\r\n".join(hdrs))
    return head.encode("latin-1", "replace") + body


def fcgi_case(i, prefix):
    kind = i % 6
    paths = [p for p in PATHS if p.startswith(prefix)] + ["/", "", "relative", prefix]
    auth = rng.choice([A, "", "Basic " + "Z" * 50000, e.basic("admin", "nope")])
    if kind == 0:
        return rand_bytes(1, 3000)
    if kind == 1:
        body = rng.choice(BODIES) if rng.random() < 0.7 else rand_bytes(0, 5000)
        return e.fcgi_message({"REQUEST_METHOD": rng.choice(METHODS + ["", "X" * 300]),
                               "DOCUMENT_URI": rng.choice(paths),
                               "REQUEST_URI": rng.choice(paths),
                               "CONTENT_LENGTH": str(len(body)),
                               "HTTP_AUTHORIZATION": auth}, body)
    if kind == 2:
        body = rng.choice(BODIES)
        return e.fcgi_message({"REQUEST_METHOD": "POST", "DOCUMENT_URI": rng.choice(paths),
                               "HTTP_AUTHORIZATION": auth,
                               "CONTENT_LENGTH": rng.choice(
                                   ["", "-1", "99999999999999999999", "abc",
                                    str(len(body) + 5), str(max(len(body) - 1, 0)),
                                    "1e3", " 5", "0x10"])}, body)
    if kind == 3:
        return e.fcgi_message({"REQUEST_METHOD": "GET", "DOCUMENT_URI": rng.choice(paths),
                               "HTTP_X_HUGE": "A" * rng.randint(10000, 200000),
                               "HTTP_AUTHORIZATION": auth,
                               "QUERY_STRING": rng.choice(["a=%", "%00=1", "x" * 10000, "&&&", "="])})
    if kind == 4:
        full = e.fcgi_message({"REQUEST_METHOD": "POST", "DOCUMENT_URI": paths[0],
                               "CONTENT_LENGTH": "100", "HTTP_AUTHORIZATION": A},
                              b'{"id":"y"}' * 10)
        return full[:rng.randint(1, len(full) - 1)]
    # records with wrong version, type, request id, lengths. Not type 9
    # (FCGI_GET_VALUES): libfcgi aborts on garbage in those, see
    # 065_fcgi_get_values.py.
    rec = struct.pack(">BBHHBB", rng.choice([0, 1, 2, 255]),
                      rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 20]),
                      rng.randint(0, 3), rng.randint(0, 70000) & 0xFFFF,
                      rng.randint(0, 255), 0)
    return rec + rand_bytes(0, 500) + e.fcgi_message(
        {"REQUEST_METHOD": "GET", "DOCUMENT_URI": prefix + "/actuator/health"})


fivexx = []
timeouts = 0
counts = {}
N_HTTP, N_CLOUD, N_ENROLL = 400, 300, 300
for i in range(N_HTTP):
    data = http_case(i)
    out = e.raw_http(PORT, data, host=HOST, half_close=True,
                     mark_timeout=True)
    st = http_status(out)
    counts.setdefault("nginx", {}).setdefault(st, 0)
    counts["nginx"][st] += 1
    timeouts += out.endswith(b"<timeout>")
    if st is not None and st >= 500:
        fivexx.append(("nginx", i, data[:120], out[:200]))
for sock, prefix, n, name in ((e.CLOUD_SOCKET, "/powerauth-cloud", N_CLOUD, "cloud"),
                              (e.ENROLL_SOCKET, "/enrollment-server", N_ENROLL, "enroll")):
    for i in range(n):
        data = fcgi_case(i, prefix)
        try:
            out = e.fcgi_exchange(sock, data, timeout=10)
        except socket.timeout:
            out = b""
            timeouts += 1
        r = e.fcgi_parse(out)
        st = r.status if r else None
        counts.setdefault(name, {}).setdefault(st, 0)
        counts[name][st] += 1
        if st is None and out and r is not None:
            st = 0
        if st is not None and st >= 500:
            fivexx.append((name, i, data[:120], out[:200]))

total = sum(sum(c.values()) for c in counts.values())
t.eq(total, 1000, "1000 malformed requests sent")
for name, c in sorted(counts.items()):
    t.diag("%s: %s" % (name, ", ".join("%s=%d" % (k, v) for k, v in
                                        sorted(c.items(), key=lambda x: str(x[0])))))
t.ok(not fivexx, "no 5xx answer", "\n".join(repr(x) for x in fivexx[:10]))
t.ok(timeouts == 0, "no request hung", "%d timeouts" % timeouts)
t.ok(sum(v for k, v in counts["nginx"].items() if k and k < 500) > 300,
     "nginx answered the malformed HTTP requests with 4xx/2xx")
t.ok(e.pid_alive("cloud"), "paserv-cloud still running")
t.ok(e.pid_alive("enroll"), "paserv-enroll still running")
for ctx in ("powerauth-cloud", "enrollment-server"):
    r = e.request("GET", "/%s/actuator/health" % ctx)
    t.eq(r.status, 200, "%s health 200 afterwards" % ctx)
r = e.request("GET", "/powerauth-cloud/admin/applications", auth=A)
t.eq(r.status, 200, "admin request still works afterwards")
r = e.fcgi_request(e.CLOUD_SOCKET, "GET", "/powerauth-cloud/actuator/health")
t.eq(r.status if r else None, 200, "cloud socket still answers directly")
t.done()
