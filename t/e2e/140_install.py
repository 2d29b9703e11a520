#!/usr/bin/env python3
"""The installed copy works as a sysadmin would set it up: `make install
DESTDIR=…` lays out binaries, man pages for each, the commented example
configuration, the schema migrations, the nginx snippets, systemd units,
sysusers.d and tmpfiles.d entries; the installed paserv-migrate builds a
fresh database from the installed schema; the installed binaries run with
a configuration made from the installed example, behind a real nginx
using the installed snippets and example site (on loopback, plain HTTP);
the smoke flow passes through it: create an application, activate a phone
with the installed pa-device, verify a signature, create an operation and
approve it on the phone; the public listener does not expose the
integration API."""
import base64
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(15)
BUILD = os.environ.get("PASERV_TOP_BUILDDIR", e.TOP_SRCDIR)
tmp = tempfile.mkdtemp(prefix="paserv-e2e-inst-")
os.chmod(tmp, 0o711)        # nginx's workers (www-data) reach the sockets
stage = os.path.join(tmp, "stage")
procs = []
DB = "paserv_inst_" + secrets.token_hex(3)
ROOT = ["mariadb", "--no-defaults", "--socket=" + os.path.join(
    e.VAR, "run", "mysqld.sock"), "-uroot"]


def find(name, kind="f"):
    for root, dirs, files in os.walk(stage):
        if name in (files if kind == "f" else dirs):
            return os.path.join(root, name)
    return None


def req(port, method, path, body=None, auth=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    hdr = {"Content-Type": "application/json"}
    if auth:
        hdr["Authorization"] = auth
    try:
        c.request(method, path, body=json.dumps(body) if body is not None
                  else None, headers=hdr)
        r = c.getresponse()
        return e.Response(r.status, r.getheaders(), r.read())
    finally:
        c.close()


def wait_socket(path, proc):
    for _ in range(100):
        if os.path.exists(path) or proc.poll() is not None:
            break
        time.sleep(0.1)
    return os.path.exists(path)


def main():
    r = subprocess.run(["make", "-C", BUILD, "-s", "install",
                        "DESTDIR=" + stage], capture_output=True, text=True)
    t.ok(r.returncode == 0, "make install DESTDIR=… succeeds",
         r.stderr[-2000:])
    sbin = os.path.dirname(find("paserv-cloud") or "/x/x")
    names = ["paserv-cloud", "paserv-enroll", "paserv-admin",
             "paserv-dispatch", "paserv-migrate"]
    t.ok(all(os.access(os.path.join(sbin, n), os.X_OK) for n in names) and
         find("pa-device") is not None, "binaries installed", names)
    pages = ["paserv-cloud.8", "paserv-enroll.8", "paserv-admin.8",
             "paserv-dispatch.8", "paserv-migrate.8", "pa-device.1",
             "paserv.conf.5"]
    t.eq([p for p in pages if find(p) is None], [],
         "a man page for every binary and the configuration")
    units = ["paserv-cloud.service", "paserv-enroll.service",
             "paserv-dispatch.service"]
    ok_units = all(find(u) and ("ExecStart=" + sbin.replace(stage, "") +
                                "/") in open(find(u)).read() for u in units)
    sysusers = find("sysusers.d", "d")
    tmpfiles = find("tmpfiles.d", "d")
    t.ok(ok_units and sysusers and tmpfiles and
         "u paserv" in open(os.path.join(sysusers, "paserv.conf")).read() and
         "/run/paserv" in open(os.path.join(tmpfiles, "paserv.conf")).read(),
         "systemd units pointing at the installed binaries, sysusers.d, "
         "tmpfiles.d")
    example = find("paserv.conf.example")
    schema = find("schema", "d")
    snippets = os.path.dirname(find("paserv-upstreams.conf") or "/x/x")
    t.ok(example and schema and os.path.exists(os.path.join(
        snippets, "example-site.conf")), "example configuration, schema, "
         "nginx snippets and example site installed")

    # A database of its own, built by the installed paserv-migrate.
    db = DB
    subprocess.run(ROOT + ["-e", "CREATE DATABASE %s CHARACTER SET utf8mb4 "
                           "COLLATE utf8mb4_bin; GRANT ALL ON %s.* TO "
                           "'paserv'@'localhost'" % (db, db)], check=True)
    client = "mariadb --defaults-file=%s %s" % (
        os.path.join(e.VAR, "client.cnf"), db)
    # (DESTDIR staging: the compiled-in schema path is the final one.)
    r = subprocess.run([os.path.join(sbin, "paserv-migrate")],
                       env=dict(os.environ, PASERV_MYSQL=client,
                                PASERV_SCHEMA=schema),
                       capture_output=True, text=True)
    last = (r.stderr.strip().splitlines() or [""])[-1]
    t.ok(r.returncode == 0 and "schema at version" in last,
         "installed paserv-migrate builds the schema (%s)" % last, r.stderr)

    # The configuration, from the installed example.
    pub, internal = e.free_port(), e.free_port()
    run = os.path.join(tmp, "run")
    os.makedirs(run)
    os.chmod(run, 0o711)
    conf = os.path.join(tmp, "paserv.conf")
    over = {
        "db.socket": os.path.join(e.VAR, "run", "mysqld.sock"),
        "db.password": open(os.path.join(e.VAR,
                                         "db.password")).read().strip(),
        "db.name": db,
        "security.master_key": base64.b64encode(
            secrets.token_bytes(16)).decode(),
        "cloud.listen": os.path.join(run, "cloud.sock"),
        "enroll.listen": os.path.join(run, "enroll.sock"),
        "service.base_url": "http://127.0.0.1:%d/enrollment-server" % pub,
        "workers.threads": "4",
    }
    lines = []
    for line in open(example):
        k = line.split("=", 1)[0].strip()
        lines.append("%s = %s\n" % (k, over[k]) if k in over and "=" in line
                     and not line.startswith("#") else line)
    with open(conf, "w") as f:
        f.writelines(lines)
    os.chmod(conf, 0o600)
    pwfile = os.path.join(tmp, "admin.password")
    r = subprocess.run([os.path.join(sbin, "paserv-admin"), "-c", conf,
                        "ensure-admin", "admin", "--password-file", pwfile],
                       capture_output=True, text=True)
    t.ok(r.returncode == 0 and os.path.exists(pwfile),
         "installed paserv-admin makes the admin user", r.stderr)
    pw = open(pwfile).read().strip() if os.path.exists(pwfile) else ""
    admin = "Basic " + base64.b64encode(("admin:" + pw).encode()).decode()

    # The installed binaries.
    log = open(os.path.join(tmp, "workers.log"), "ab")
    for n in ("paserv-cloud", "paserv-enroll", "paserv-dispatch"):
        procs.append(subprocess.Popen([os.path.join(sbin, n), "-c", conf],
                                      stdin=subprocess.DEVNULL, stdout=log,
                                      stderr=log))
    t.ok(wait_socket(over["cloud.listen"], procs[0]) and
         wait_socket(over["enroll.listen"], procs[1]) and
         procs[2].poll() is None, "installed workers and dispatcher run")

    # nginx with the installed snippets and example site.
    d = os.path.join(tmp, "nginx")
    shutil.copytree(snippets, os.path.join(d, "snippets"))
    ups = os.path.join(d, "snippets", "paserv-upstreams.conf")
    text = open(ups).read().replace("/run/paserv/", run + "/")
    open(ups, "w").write(text)
    site = []
    for line in open(os.path.join(snippets, "example-site.conf")):
        s = line.strip()
        if s.startswith("ssl_") or s.startswith("listen [::]") or \
           s.startswith("add_header Strict"):
            continue
        line = line.replace("listen 443 ssl http2;",
                            "listen 127.0.0.1:%d;" % pub)
        line = line.replace("listen 10.0.0.10:8443 ssl;",
                            "listen 127.0.0.1:%d;" % internal)
        site.append(line)
    open(os.path.join(d, "site.conf"), "w").writelines(site)
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write("pid %s/nginx.pid;\nerror_log %s/error.log;\n"
                "events { worker_connections 64; }\n"
                "http {\n\taccess_log off;\n\tclient_body_temp_path %s;\n"
                "\tfastcgi_temp_path %s;\n\tinclude %s/site.conf;\n}\n"
                % (d, d, d, d, d))
    ngx = ["nginx", "-p", d + "/", "-e", d + "/error.log", "-c",
           os.path.join(d, "nginx.conf")]
    r = subprocess.run(ngx, capture_output=True, text=True)
    procs.append(ngx)
    t.ok(r.returncode == 0, "nginx runs the installed example site",
         r.stderr)
    for _ in range(50):
        try:
            req(internal, "GET", "/powerauth-cloud/actuator/health")
            break
        except OSError:
            time.sleep(0.1)

    # The smoke flow through it.
    cloud = "/powerauth-cloud"
    a = req(internal, "POST", cloud + "/admin/applications",
            {"id": "inst-app"}, admin)
    app = a.json() or {}
    t.eq(a.status, 200, "internal listener: application created")
    r = req(pub, "POST", cloud + "/admin/applications", {"id": "x"}, admin)
    t.ok(r.status == 404 and r.error_code() == "ERROR_NOT_FOUND",
         "public listener: the integration API is not there", r)
    c = req(internal, "POST", cloud + "/v2/registrations",
            {"userId": "inst-user", "appId": "inst-app",
             "commitPhase": "ON_KEY_EXCHANGE"}, admin).json() or {}
    e.PA_DEVICE = find("pa-device")
    dev = e.Device(tmp, "phone")
    dev.run("setup", app.get("mobileSdkConfig", ""),
            "http://127.0.0.1:%d/enrollment-server" % pub, "3.3")
    act = dev.activate(c.get("activationQrCodeData", ""))
    st = req(internal, "GET", cloud + "/v2/registrations/" +
             c.get("registrationId", ""), None, admin).json() or {}
    t.ok(act is not None and st.get("registrationStatus") == "ACTIVE",
         "installed pa-device activates through the public listener",
         (dev.last, st))
    header = dev.run("sign", "POST", "/login", "--body", "{}")[1]
    v = req(internal, "POST", cloud + "/v2/signature/verify",
            {"method": "POST", "uriId": "/login", "authHeader": header,
             "requestBody": base64.b64encode(b"{}").decode()},
            admin).json() or {}
    t.eq((v.get("signatureValid"), v.get("userId")), (True, "inst-user"),
         "a signature made on the phone verifies")
    op = req(internal, "POST", cloud + "/v2/operations",
             {"userId": "inst-user", "appId": "inst-app",
              "template": "default.login"}, admin).json() or {}
    rc, out, err = dev.run("op-approve", op.get("operationId", ""), "A2")
    g = req(internal, "GET", cloud + "/v2/operations/" +
            op.get("operationId", ""), None, admin).json() or {}
    t.eq((rc, g.get("status")), (0, "APPROVED"),
         "an operation approved on the phone")


try:
    main()
finally:
    for p in procs:
        if isinstance(p, list):
            subprocess.run(p + ["-s", "stop"], capture_output=True)
        elif p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    subprocess.run(ROOT + ["-e", "DROP DATABASE IF EXISTS " + DB],
                   capture_output=True)
t.ok(all(isinstance(p, list) or p.returncode == 0 for p in procs),
     "installed daemons stop cleanly on SIGTERM",
     [getattr(p, "returncode", None) for p in procs])
t.done()
