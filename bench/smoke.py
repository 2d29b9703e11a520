#!/usr/bin/env python3
"""Smoke test of the load tools of bench/ against the e2e stack, so that
they cannot rot between benchmark runs. Asserts nothing about speed: only
that pa-device sign-batch (also --skip and --bodies), activate-batch,
http_load (verify and generic mode) and db_baseline (every mode) work and
report sane numbers, that db_baseline leaves the rows usable, and that
http_load fails loudly when the answers are not valid or not the expected
ones."""
import json
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

t = e.Tap(48)
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


# --- generic mode: METHOD TAB PATH [TAB HEADER]... TAB BODY --------------


def lines(name, rows):
    path = os.path.join(work, name + ".txt")
    with open(path, "w") as f:
        for r in rows:
            f.write("\t".join(r) + "\n")
    return path


def generic(files, *opts):
    return run([HTTP_LOAD, "-g", "-u", e.URL] + list(opts) + files)


ping = lines("ping", [("GET", "/enrollment-server/actuator/ping", "")])
rc, f, text = generic([ping, ping], "-m", '"UP"', "-d", "0.3", "-r")
t.ok(rc == 0 and f.get("requests", 0) > 2 and f.get("errors") == 0.0,
     "generic: repeated GETs for 0.3 s, all answered as expected", text)
t.ok(0.2 <= f.get("seconds", 0) < 5 and f.get("client_cpu_ms", -1) >= 0
     and f.get("mean_ms", 0) > 0, "generic: duration, mean, client CPU", text)
rc, f, text = generic([ping], "-e", "201")
t.ok(rc == 1 and f.get("bad_status") == 1.0 and f.get("errors") == 1.0,
     "generic: an unexpected status counts as an error", text)
rc, f, text = generic([ping], "-m", "DOWN")
t.ok(rc == 1 and f.get("no_match") == 1.0 and "does not match" in text,
     "generic: an answer without the expected text counts", text)
bad = lines("bad", [("get", "nopath")])
rc, f, text = generic([bad])
t.ok(rc != 0 and "not a request" in text, "generic: a malformed line is "
     "refused before the run", text)

# registrations through generic mode with basic auth, answers kept (-w)
answers = os.path.join(work, "answers")
regs = lines("regs", [("POST", "/powerauth-cloud/v2/registrations",
                       "Content-Type: application/json",
                       json.dumps({"userId": "bench-smoke-a%d" % i,
                                   "appId": app_id,
                                   "commitPhase": "ON_KEY_EXCHANGE"}))
                      for i in range(3)])
rc, f, text = generic([regs], "-U", user, "-P", pwfile, "-m",
                      "activationCode", "-w", answers)
got = [json.loads(x) for x in open(answers)] if rc == 0 else []
t.ok(rc == 0 and len(got) == 3 and all(
    "activationQrCodeData" in g for g in got),
    "generic: 3 registrations created, their answers written (-w)", text)

# activate-batch: requests for those codes, sent by http_load
gen = e.Device(work, "gen")
gen.setup(app.get("mobileSdkConfig", ""), "3.3")
codes = os.path.join(work, "codes")
with open(codes, "w") as fc:
    for g in got:
        fc.write(g["activationQrCodeData"] + "\n")
rc, out, err = gen.run("activate-batch", codes)
reqs = [x.split("\t") for x in out.splitlines()] if rc == 0 else []
t.ok(len(reqs) == 3 and all(len(r) == 2 and r[0].startswith(
    'PowerAuth version="3.3"') and '"ephemeralPublicKey"' in r[1]
    for r in reqs), "activate-batch: 3 header + body lines", (rc, err))
acts = lines("acts", [("POST", "/enrollment-server/pa/v3/activation/create",
                       "X-PowerAuth-Encryption: " + r[0],
                       "Content-Type: application/json", r[1])
                      for r in reqs])
rc, f, text = generic([acts], "-m", '"encryptedData"')
t.ok(rc == 0 and f.get("requests") == 3.0,
     "activate-batch: every request activates", text)
rows = e.mysql("SELECT status FROM activation WHERE id IN ('%s')" % "','".join(
    g["registrationId"] for g in got)).split()
t.eq(rows, ["3", "3", "3"], "activate-batch: the registrations are ACTIVE")
rc, f, text = generic([acts], "-m", '"encryptedData"')
t.ok(rc == 1 and f.get("bad_status") == 3.0,
     "activate-batch: replayed requests are refused", text)

# sign-batch --skip: 19 steps ahead still verifies, 20 does not (a
# device of its own: it ends out of step with the server)
rid, sd = e.active_device(app, "bench-smoke-skip", work, "skipdev")
rc, out, err = sd.run("sign-batch", "POST", "/login", "3", "--body", "{}",
                      "--skip", "19")
rc, f, text = load([bodies("skip19", out.splitlines())])
t.ok(rc == 0 and f.get("requests") == 3.0,
     "sign-batch --skip 19: each signature verifies (window end)", text)
rc, out, err = sd.run("sign-batch", "POST", "/login", "1", "--body", "{}",
                      "--skip", "20")
rc, f, text = load([bodies("skip20", out.splitlines())])
t.eq(f.get("valid_false"), 1.0, "sign-batch --skip 20: out of the window")

# sign-batch --bodies: operation approvals through generic mode
d = devices[1]
ops = []
for i in range(2):
    r = e.request("POST", "/powerauth-cloud/v2/operations", auth=auth,
                  body={"userId": "bench-smoke-1", "appId": app_id,
                        "template": "default.login"})
    ops.append((r.json() or {}).get("operationId", ""))
texts = [json.dumps({"requestObject": {"id": o, "data": "A2"}},
                    separators=(",", ":")) for o in ops]
bfile = os.path.join(work, "approve-bodies")
with open(bfile, "w") as fb:
    fb.write("\n".join(texts) + "\n")
rc, out, err = d.run("sign-batch", "POST", "/operation/authorize", "2",
                     "--bodies", bfile)
hs = out.splitlines()
t.ok(rc == 0 and len(hs) == 2, "sign-batch --bodies: 2 headers", err)
appr = lines("approve", [(
    "POST", "/enrollment-server/api/auth/token/app/operation/authorize",
    "X-PowerAuth-Authorization: " + h, "Content-Type: application/json",
    b) for h, b in zip(hs, texts)])
rc, f, text = generic([appr], "-m", '"status":"OK"')
t.ok(rc == 0 and f.get("requests") == 2.0,
     "sign-batch --bodies: both operations approved", text)
t.eq(e.mysql("SELECT COUNT(*) FROM operation WHERE status = 2 AND id IN "
             "('%s')" % "','".join(ops)).strip(), "2",
     "the operations are APPROVED")
rc, out, err = d.run("sign-batch", "POST", "/x", "3", "--bodies", bfile)
t.ok(rc != 0 and "only 2 lines" in err, "sign-batch --bodies: too few "
     "lines is an error", (rc, err))

# --- db_baseline modes ----------------------------------------------------
CONF = os.path.join(e.VAR, "paserv.conf")
caller = e.mysql("SELECT id FROM cloud_user WHERE username = '%s'"
                 % user).strip()
# devices[0] is BLOCKED by the replays above: devices[1] and its token
live = ids[1:]
rc, tid2, err = devices[1].run("token-create")
tokens = [tid, tid2]
t.ok(rc == 0 and all(tokens), "two tokens of a live device", err)


def dbb(mode, keys, *opts):
    return run([DB_BASELINE, "-c", CONF, "-m", mode, "-t", "2", "-s",
                "0.3"] + list(opts) + keys)


for mode, keys, opts in (("token", tokens, ()), ("list", tokens, ()),
                         ("status", ids, ()),
                         ("opcreate", live, ("-U", caller)),
                         ("regcreate", ["bench-smoke-dbb"],
                          ("-a", app_id, "-U", caller))):
    rc, f, text = dbb(mode, keys, *opts)
    t.ok(rc == 0 and f.get("ops", 0) > 0 and f.get("errors") == 0.0 and
         0 < f.get("p50_ms", 0) <= f.get("p99_ms", 0), "db_baseline -m %s"
         % mode, text)

# The operations -m opcreate left PENDING count against the user's
# limits.pending_operations: expire them before the approve pool is made.
e.mysql("UPDATE operation SET status = 5, finalized_at = UTC_TIMESTAMP(3)"
        " WHERE app_id = '%s' AND status = 1" % app_id)
pool = os.path.join(work, "pool")
with open(pool, "w") as fp:
    for i in range(3):
        r = e.request("POST", "/powerauth-cloud/v2/operations", auth=auth,
                      body={"userId": "bench-smoke-1", "appId": app_id,
                            "template": "default.login"})
        fp.write((r.json() or {}).get("operationId", "") + "\n")
before = ctrs(ids)
rc, f, text = dbb("approve", live, "-p", pool)
t.ok(rc == 0 and f.get("ops") == 3.0 and f.get("exhausted") == 2.0,
     "db_baseline -m approve: the 3 operations, then the pool ran out",
     text)
t.eq(ctrs(ids), before, "db_baseline -m approve puts the counters back")
codes = e.mysql("SELECT activation_code FROM activation WHERE app_id = '%s'"
                " AND status = 1 AND user_id LIKE 'bench-smoke-dbb-%%' "
                "LIMIT 5" % app_id).split()
with open(pool, "w") as fp:
    fp.write("\n".join(codes) + "\n")
rc, f, text = dbb("actcreate", [], "-a", app_id, "-p", pool)
t.ok(rc == 0 and f.get("ops") == float(len(codes)) and len(codes) == 5,
     "db_baseline -m actcreate: one key exchange per code", text)
rc, f, text = dbb("approve", ids)
t.eq(rc, 2, "db_baseline -m approve without -p is a usage error")

# the live device still signs after all this
rc, f, text = load([bodies("last", sign(devices[1], 2))])
t.ok(rc == 0 and f.get("requests") == 2.0,
     "signatures still verify at the end", text)

shutil.rmtree(work, ignore_errors=True)
t.done()
