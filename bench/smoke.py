#!/usr/bin/env python3
"""Smoke test of the load tools of bench/ against the e2e stack, so that
they cannot rot between benchmark runs. Asserts nothing about speed: only
that pa-device sign-batch, http_load and db_baseline work and report sane
numbers, that db_baseline leaves the rows usable, and that http_load fails
loudly when the answers are not valid."""
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.environ.get(
    "PASERV_TOP_SRCDIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("PASERV_TOP_BUILDDIR", TOP)
sys.path.insert(0, os.path.join(TOP, "t", "e2e"))
import paserv_e2e as e  # noqa: E402

t = e.Tap(21)
HTTP_LOAD = os.path.join(BUILD, "bench", "http_load")
DB_BASELINE = os.path.join(BUILD, "bench", "db_baseline")
VERIFY = e.URL + "/powerauth-cloud/v2/signature/verify"
TOKEN_VERIFY = e.URL + "/powerauth-cloud/v2/token/verify"
work = tempfile.mkdtemp(prefix="paserv-bench-smoke-")


def fields(text):
    """{name: float} from a tool's "name value" lines."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                out[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return out


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return p.returncode, fields(p.stdout), p.stdout + p.stderr


def bodies(name, headers):
    path = os.path.join(work, name + ".jsonl")
    with open(path, "w") as f:
        for h in headers:
            f.write('{"method":"POST","uriId":"/login","authHeader":"%s",'
                    '"requestBody":"e30="}\n' % h.replace('"', '\\"'))
    return path


def sign(d, n):
    rc, out, err = d.run("sign-batch", "POST", "/login", str(n),
                         "--body", "{}")
    return out.splitlines() if rc == 0 else []


def load(files, url=VERIFY):
    return run([HTTP_LOAD, "-u", url, "-U", user, "-P", pwfile] + files)


def ctrs(ids):
    return e.mysql("SELECT ctr FROM activation WHERE id IN ('%s') ORDER BY id"
                   % "','".join(ids)).split()


app = e.new_app("bench-smoke-", t)
app_id = app.get("id", "")
user = "bench-smoke-" + os.urandom(4).hex()
pw = e.admin_post("/admin/users", {"username": user}, t).get("password", "")
e.admin_post("/admin/users/%s/applications/%s" % (user, app_id), None, t)
pwfile = os.path.join(work, "user.password")
with open(os.open(pwfile, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
    f.write(pw + "\n")
auth = e.basic(user, pw)

devices, ids = [], []
for i in range(2):
    r = e.request("POST", "/powerauth-cloud/v2/registrations", auth=auth,
                  body={"userId": "bench-smoke-%d" % i, "appId": app_id,
                        "commitPhase": "ON_KEY_EXCHANGE"})
    d = e.Device(work, "dev%d" % i)
    d.setup(app.get("mobileSdkConfig", ""), "3.3")
    got = d.activate((r.json() or {}).get("activationQrCodeData", ""))
    t.ok(got is not None, "activation %d for the load tools" % i,
         getattr(d, "last", r))
    devices.append(d)
    ids.append(got[0] if got else "")

# pa-device sign-batch: N distinct headers, one a line
hdrs = [sign(d, 5) for d in devices]
t.ok(all(len(h) == 5 and len(set(h)) == 5 for h in hdrs),
     "sign-batch prints 5 distinct headers", hdrs)
files = [bodies("sig%d" % i, h) for i, h in enumerate(hdrs)]

# http_load: every request answered 200 and valid
rc, f, text = load(files)
t.eq(rc, 0, "http_load exits 0 when every answer is valid")
t.eq(f.get("requests"), 10.0, "http_load sent 10 requests")
t.eq((f.get("non_200"), f.get("valid_false"), f.get("no_verdict"),
      f.get("transport_errors")), (0.0, 0.0, 0.0, 0.0),
     "http_load: no failure counted")
t.ok(f.get("rps", 0) > 0 and f.get("connections") == 2.0,
     "http_load reports a rate over 2 connections", text)
t.ok(0 < f.get("p50_ms", 0) <= f.get("p99_ms", 0) <= f.get("max_ms", 0),
     "http_load: 0 < p50 <= p99 <= max", text)

# db_baseline: 2 threads, 1 second, on the same activations
before = ctrs(ids)
rc, f, text = run([DB_BASELINE, "-c", os.path.join(e.VAR, "paserv.conf"),
                   "-t", "2", "-s", "1"] + ids)
t.eq(rc, 0, "db_baseline exits 0")
t.ok(f.get("ops", 0) > 0 and f.get("ops_per_s", 0) > 0,
     "db_baseline counts transactions", text)
t.eq((f.get("threads"), f.get("errors")), (2.0, 0.0),
     "db_baseline: 2 threads, no errors")
t.ok(0 < f.get("p50_ms", 0) <= f.get("p99_ms", 0) <= f.get("max_ms", 0),
     "db_baseline: 0 < p50 <= p99 <= max", text)
t.ok(0.5 <= f.get("seconds", 0) < 10, "db_baseline ran about 1 s", text)
t.eq(ctrs(ids), before, "db_baseline puts the counters back")
rc, f, text = run([DB_BASELINE, "-c", os.path.join(e.VAR, "paserv.conf"),
                   "-t", "1", "-s", "1", "no-such-activation"])
t.ok(rc != 0, "db_baseline fails on an unknown activation", text)

# the activations still verify after the baseline
more = [bodies("more%d" % i, sign(d, 2)) for i, d in enumerate(devices)]
rc, f, text = load(more)
t.ok(rc == 0 and f.get("requests") == 4.0,
     "signatures made after db_baseline still verify", text)

# replayed signatures are refused, and http_load says so loudly
rc, f, text = load(files[:1])
t.eq(rc, 1, "http_load exits 1 when answers are not valid")
t.eq(f.get("valid_false"), 5.0, "http_load counts signatureValid false")
t.ok("not valid" in text, "http_load names the failure", text)

# token headers in a batch, verified through http_load
rc, tid, err = devices[1].run("token-create")
rc, out, err = devices[1].run("token-header-batch", tid, "3")
toks = out.splitlines() if rc == 0 else []
t.ok(len(toks) == 3 and len(set(toks)) == 3,
     "token-header-batch prints 3 distinct headers", (rc, out, err))
path = os.path.join(work, "tok.jsonl")
with open(path, "w") as f:
    for h in toks:
        f.write('{"authHeader":"%s"}\n' % h.replace('"', '\\"'))
rc, f, text = load([path], TOKEN_VERIFY)
t.ok(rc == 0 and f.get("requests") == 3.0,
     "token headers verify through http_load", text)

shutil.rmtree(work, ignore_errors=True)
t.done()
