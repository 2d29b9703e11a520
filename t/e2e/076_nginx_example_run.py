#!/usr/bin/env python3
"""nginx/example-site.conf actually serving (throwaway certificate, loopback
ports, FastCGI echo responders instead of the workers): the public TLS
server exposes /enrollment-server/ only, the internal listener refuses
clients outside its allow list with a JSON 403 and enforces basic auth."""
import http.client
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(16)
GOOD = "Basic Z29vZDpnb29k"
CTX = ssl.create_default_context()
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE


def get(port, method, path, headers=None):
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=10,
                                    context=CTX)
    try:
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        return e.Response(r.status, r.getheaders(), r.read())
    finally:
        c.close()


def burst(port, path, n):
    """n GETs on one kept-alive connection, as fast as they go: codes."""
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=10,
                                    context=CTX)
    codes = []
    try:
        for _ in range(n):
            try:
                c.request("GET", path)
                r = c.getresponse()
                r.read()
                codes.append(r.status)
            except (http.client.HTTPException, OSError):
                c.close()       # closed after a refusal: a new one
                c = http.client.HTTPSConnection("127.0.0.1", port,
                                                timeout=10, context=CTX)
    finally:
        c.close()
    return codes


def envelope(r, status, code, name):
    t.ok(r.status == status and r.error_code() == code, name, r)


def start(tmp, name, site, pub, internal, allow_local):
    d = os.path.join(tmp, name)
    os.makedirs(os.path.join(d, "snippets"))
    src = os.path.join(e.TOP_SRCDIR, "nginx", "snippets")
    for f in os.listdir(src):
        shutil.copy(os.path.join(src, f), os.path.join(d, "snippets"))
    ups = os.path.join(d, "snippets", "paserv-upstreams.conf")
    text = open(ups).read()
    text = text.replace("/run/paserv/", tmp + "/")
    open(ups, "w").write(text)
    s = site.replace("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl;" % pub)
    s = s.replace("listen [::]:443 ssl http2;", "")
    s = s.replace("10.0.0.10:8443", "127.0.0.1:%d" % internal)
    if not allow_local:
        s = s.replace("allow 127.0.0.1;", "")
    open(os.path.join(d, "site.conf"), "w").write(s)
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write("pid %s/nginx.pid;\nerror_log %s/error.log;\n"
                "events { worker_connections 64; }\n"
                "http {\n\taccess_log off;\n\tclient_body_temp_path %s;\n"
                "\tfastcgi_temp_path %s;\n\tinclude %s/site.conf;\n}\n"
                % (d, d, d, d, d))
    cmd = ["nginx", "-p", d + "/", "-e", d + "/error.log",
           "-c", os.path.join(d, "nginx.conf")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    for _ in range(50):
        try:
            get(pub, "GET", "/")
            break
        except OSError:
            time.sleep(0.1)
    return cmd, r


def main(tmp):
    os.chmod(tmp, 0o711)    # the example runs nginx's workers as www-data
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-subj", "/CN=paserv-test", "-days", "1",
                        "-keyout", key, "-out", cert],
                       capture_output=True, text=True)
    site = open(os.path.join(e.TOP_SRCDIR, "nginx", "example-site.conf")).read()
    for word in ("/etc/ssl/paserv/fullchain.pem", "/etc/ssl/paserv/internal.pem"):
        site = site.replace(word, cert)
    for word in ("/etc/ssl/paserv/privkey.pem", "/etc/ssl/paserv/internal.key"):
        site = site.replace(word, key)
    cloud = e.FcgiEcho(os.path.join(tmp, "cloud.sock"), GOOD)
    enroll = e.FcgiEcho(os.path.join(tmp, "enroll.sock"), GOOD)
    stops = []
    try:
        pub, internal = e.free_port(), e.free_port()
        cmd, r = start(tmp, "allowed", site, pub, internal, True)
        stops.append(cmd)
        t.ok(r.returncode == 0, "example site starts", r.stderr)
        rr = get(pub, "GET", "/enrollment-server/pa/v3/status")
        p = rr.json() or {}
        t.eq((rr.status, p.get("DOCUMENT_URI"), p.get("HTTPS")),
             (200, "/enrollment-server/pa/v3/status", "on"),
             "public: /enrollment-server/ over TLS reaches the worker")
        envelope(get(pub, "GET", "/powerauth-cloud/admin/applications",
                     {"Authorization": GOOD}), 404, "ERROR_NOT_FOUND",
                 "public: /powerauth-cloud/ is not exposed (404 JSON)")
        envelope(get(pub, "GET", "/powerauth-cloud/actuator/health"), 404,
                 "ERROR_NOT_FOUND", "public: not even its health")
        envelope(get(internal, "GET", "/enrollment-server/pa/v3/status"), 404,
                 "ERROR_NOT_FOUND", "internal: /enrollment-server/ not served")
        envelope(get(internal, "GET", "/powerauth-cloud/admin/applications"),
                 401, "HTTP_401", "internal: no credentials 401 JSON")
        rr = get(internal, "GET", "/powerauth-cloud/admin/applications",
                 {"Authorization": GOOD})
        t.eq(rr.status, 200, "internal: good credentials pass")
        t.eq(get(internal, "GET", "/powerauth-cloud/actuator/health").status,
             200, "internal: health without credentials")
        pub2, internal2 = e.free_port(), e.free_port()
        cmd, r = start(tmp, "denied", site, pub2, internal2, False)
        stops.append(cmd)
        t.ok(r.returncode == 0, "example site without allow 127.0.0.1 starts",
             r.stderr)
        envelope(get(internal2, "GET", "/powerauth-cloud/admin/applications",
                     {"Authorization": GOOD}), 403, "HTTP_403",
                 "internal, client not allowed: 403 JSON")
        envelope(get(internal2, "GET", "/powerauth-cloud/actuator/health"),
                 403, "HTTP_403", "internal, client not allowed: health 403")
        t.eq(get(pub2, "GET", "/enrollment-server/x").status, 200,
             "public server unaffected by the internal allow list")
        # Rate limits (a new nginx: fresh zones): activation create 1/s
        # with bursts of 5, the rest 20/s with bursts of 40.
        codes = [get(pub2, "POST", "/enrollment-server/pa/v3/activation/"
                     "create").status for _ in range(10)]
        t.ok(codes[:6] == [200] * 6 and 429 in codes[6:],
             "activation create: a burst of 6 passes, then 429", codes)
        rr = get(pub2, "POST", "/enrollment-server/pa/v3/activation/create")
        envelope(rr, 429, "HTTP_429", "429 in the JSON envelope")
        t.eq(rr.header("Retry-After"), "1", "429 says Retry-After")
        codes = burst(pub2, "/enrollment-server/pa/v3/status", 200)
        t.ok(codes.count(429) > 0 and codes[:30] == [200] * 30,
             "other calls: a burst passes, then 429 (%d of 200)"
             % codes.count(429), codes)
    finally:
        for cmd in stops:
            subprocess.run(cmd + ["-s", "stop"], capture_output=True)
        cloud.stop()
        enroll.stop()


with tempfile.TemporaryDirectory() as tmpdir:
    main(tmpdir)
t.done()
