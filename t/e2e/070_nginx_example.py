#!/usr/bin/env python3
"""nginx/example-site.conf and the snippets pass `nginx -t` (with a
throwaway self-signed certificate and a small wrapper nginx.conf)."""
import os
import shutil
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(3)
nginx_src = os.path.join(e.TOP_SRCDIR, "nginx")
with tempfile.TemporaryDirectory() as tmp:
    snip = os.path.join(tmp, "snippets")
    os.mkdir(snip)
    for f in os.listdir(os.path.join(nginx_src, "snippets")):
        shutil.copy(os.path.join(nginx_src, "snippets", f), snip)
    site = open(os.path.join(nginx_src, "example-site.conf")).read()
    # Point certificates, listen addresses and sockets into the sandbox.
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-subj", "/CN=paserv-test", "-days", "1",
                        "-keyout", key, "-out", cert],
                       capture_output=True, text=True)
    t.eq(r.returncode, 0, "self-signed certificate generated")
    for word in ("/etc/ssl/paserv/fullchain.pem", "/etc/ssl/paserv/internal.pem"):
        site = site.replace(word, cert)
    for word in ("/etc/ssl/paserv/privkey.pem", "/etc/ssl/paserv/internal.key"):
        site = site.replace(word, key)
    site = site.replace("10.0.0.10:8443", "127.0.0.1:1")
    open(os.path.join(tmp, "site.conf"), "w").write(site)
    with open(os.path.join(tmp, "nginx.conf"), "w") as f:
        f.write("pid %s/nginx.pid;\nerror_log %s/error.log;\n"
                "events { worker_connections 64; }\n"
                "http {\n\taccess_log off;\n\tclient_body_temp_path %s;\n"
                "\tfastcgi_temp_path %s;\n\tinclude %s/site.conf;\n}\n"
                % (tmp, tmp, tmp, tmp, tmp))
    r = subprocess.run(["nginx", "-t", "-p", tmp + "/", "-e", tmp + "/error.log",
                        "-c", os.path.join(tmp, "nginx.conf")],
                       capture_output=True, text=True)
    t.ok(r.returncode == 0, "nginx -t accepts example-site.conf + snippets",
         r.stderr)
    t.ok("test is successful" in r.stderr, "nginx reports the test successful")
t.done()
