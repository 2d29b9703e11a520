#!/usr/bin/env python3
"""paserv-admin's application and schema commands: app-create prints what
the admin API shows for the new application; refusals exit 1 with a
reason, usage errors 2; app-list lists it; app-show --qr draws the mobile
SDK configuration as a QR code whose modules are exactly those of the
qrencode tool's code for the same text; schema-version tells current from
behind."""
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(16)


def admin(*args, env=None):
    p = subprocess.run([e.ADMIN_BIN, "-c", e.CONF] + list(args),
                       capture_output=True, text=True,
                       env=dict(os.environ, **(env or {})))
    return p.returncode, p.stdout, p.stderr


def fields(out):
    d = {}
    for line in out.splitlines():
        k, sep, v = line.partition(": ")
        if sep:
            d[k] = v
    return d


app_id = "cli-app-" + secrets.token_hex(4)
rc, out, err = admin("app-create", app_id, "--role", "ROLE_OPS")
f = fields(out)
t.eq((rc, f.get("id"), f.get("roles")), (0, app_id, "ROLE_OPS"),
     "app-create: exit 0, the id and roles")
r = e.request("GET", "/powerauth-cloud/admin/applications/" + app_id,
              auth=e.admin_auth())
api = r.json() or {}
t.eq([f.get(k) for k in ("appKey", "appSecret", "masterServerPublicKey",
                         "mobileSdkConfig")],
     [api.get(k) for k in ("appKey", "appSecret", "masterServerPublicKey",
                           "mobileSdkConfig")],
     "app-create printed what the admin API shows")
rc, out, err = admin("app-create", app_id)
t.ok(rc == 1 and "already exists" in err, "app-create again: exit 1, "
     "says it exists", (rc, err))
rc, out, err = admin("app-create", "has space")
t.ok(rc == 1 and "invalid" in err, "app-create with a bad id: exit 1",
     (rc, err))
rc, out, err = admin("app-create", app_id + "x", "--role")
t.eq(rc, 2, "app-create --role without a role: usage, exit 2")
rc, out, err = admin("app-list")
t.ok(rc == 0 and "%s\t%s" % (app_id, f.get("appKey")) in out.splitlines(),
     "app-list: a line with the id and appKey")
rc, out, err = admin("app-show", app_id)
t.eq((rc, fields(out).get("mobileSdkConfig")), (0, f.get("mobileSdkConfig")),
     "app-show: the configuration")
rc, out, err = admin("app-show", "cli-none-" + secrets.token_hex(3))
t.ok(rc == 1 and "no such application" in err, "app-show unknown: exit 1")

# The QR code, module by module, against qrencode's for the same text.
rc, out, err = admin("app-show", app_id, "--qr")
rows = [line for line in out.splitlines() if ": " not in line and
        line.strip(" \u2580\u2584\u2588") == "" and line]
mine = []
for line in rows:       # two module rows per text row; light drawn
    top = [ch in "\u2588\u2580" for ch in line]
    bottom = [ch in "\u2588\u2584" for ch in line]
    mine += [[not x for x in top], [not x for x in bottom]]
ref = subprocess.run(["qrencode", "-t", "ASCII", "-m", "2", "-l", "M", "-8",
                      f.get("mobileSdkConfig", "")], capture_output=True,
                     text=True).stdout.splitlines()
theirs = [[line[i] == "#" for i in range(0, len(line), 2)] for line in ref]
mine = mine[:len(theirs)]
t.ok(rc == 0 and theirs and mine == theirs,
     "app-show --qr: the modules of qrencode's code for the configuration "
     "(%d x %d)" % (len(theirs), len(theirs[0]) if theirs else 0))

# schema-version.
src = os.path.join(e.TOP_SRCDIR, "schema")
latest = max(int(n[:3]) for n in os.listdir(src) if n.endswith(".sql"))
rc, out, err = admin("schema-version", env={"PASERV_SCHEMA": src})
f = fields(out)
t.eq((rc, f.get("schema"), f.get("shipped"), f.get("state")),
     (0, str(latest), str(latest), "current"),
     "schema-version: applied = shipped, current")
tmp = tempfile.mkdtemp(prefix="paserv-e2e-cli-")
try:
    for n in os.listdir(src):
        shutil.copy(os.path.join(src, n), tmp)
    open(os.path.join(tmp, "%03d_future.sql" % (latest + 1)), "w").write(
        "SELECT 1;\n")
    rc, out, err = admin("schema-version", env={"PASERV_SCHEMA": tmp})
    f = fields(out)
    t.eq((rc, f.get("shipped"), f.get("state")),
         (1, str(latest + 1), "behind (run paserv-migrate)"),
         "schema-version with a newer migration shipped: behind, exit 1")
finally:
    shutil.rmtree(tmp)
# registration-show, operation-show (the admin API's values, no secrets).
A = e.admin_auth()
c = e.request("POST", "/powerauth-cloud/v2/registrations",
              body={"userId": "cli-user", "appId": app_id}, auth=A).json()
rid = (c or {}).get("registrationId", "")
rc, out, err = admin("registration-show", rid)
f = fields(out)
t.ok(rc == 0 and (f.get("registrationId"), f.get("userId"),
                  f.get("registrationStatus"), f.get("applicationId")) ==
     (rid, "cli-user", "CREATED", app_id) and
     (c or {}).get("activationCode", "-") not in out,
     "registration-show: the registration, without its activation code",
     out)
op = e.request("POST", "/powerauth-cloud/v2/operations",
               body={"appId": app_id, "template": "default.login"},
               auth=A).json() or {}
rc, out, err = admin("operation-show", op.get("operationId", ""))
f = fields(out)
t.eq((rc, f.get("status"), f.get("template"), f.get("data"),
      f.get("failures")), (0, "PENDING", "default.login", "A2", "0 of 5"),
     "operation-show: the operation")
rc, out, err = admin("operation-show", "not-a-uuid")
t.ok(rc == 1 and "no such operation" in err, "operation-show of a bad id: "
     "exit 1")
rc, out, err = admin("schema-version", "extra")
t.eq(rc, 2, "schema-version with an argument: usage, exit 2")
rc, out, err = admin("app-show")
t.eq(rc, 2, "app-show without an id: usage, exit 2")
t.done()
