#!/usr/bin/env python3
"""The signature concurrency test (t/e2e/102) across Galera nodes
(doc/scale-out.md, issue "scale-out", done-when 2). nginx spreads the
requests over worker set 1 (node 1) and worker set 2 (node 2); 102 is run
ROUNDS times and must hold each time: no signature accepted twice, the
accepted counters rise strictly in commit order, every replay refused, no
5xx, the counter and the status blob consistent afterwards. Checked here
too: both worker sets answered verify requests, and the nodes did resolve
conflicting commits by certification (the cluster's cert failure or
brute-force abort figures grew)."""
import os
import re
import subprocess
import sys
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "e2e"))
import paserv_e2e as e  # noqa: E402

ROUNDS = int(os.environ.get("PASERV_GALERA_CONC_ROUNDS", "3"))
GDIR = os.environ["PASERV_GALERA_DIR"]
ACCESS = os.path.join(GDIR, "nginx", "logs", "access.log")
TEST = os.path.join(e.TOP_SRCDIR, "t", "e2e", "102_signature_concurrency.py")
t = e.Tap(ROUNDS + 3)


def node_status(n, var):
    sock = os.path.join(GDIR, "node%d" % n, "run", "mysqld.sock")
    out = subprocess.run(["mariadb", "--no-defaults", "-uroot",
                          "--socket=" + sock, "-N", "-B", "-e",
                          "SHOW STATUS LIKE '%s'" % var],
                         capture_output=True, text=True).stdout.split()
    return int(out[1]) if len(out) == 2 else 0


def node_count(n, trig):
    return node_status_sql(n, "SELECT COUNT(*) FROM information_schema."
                           "triggers WHERE trigger_name = '%s'" % trig)


def node_status_sql(n, sql):
    sock = os.path.join(GDIR, "node%d" % n, "run", "mysqld.sock")
    out = subprocess.run(["mariadb", "--no-defaults", "-uroot",
                          "--socket=" + sock, "-N", "-B", "-e", sql],
                         capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else -1


def conflicts():
    return sum(node_status(n, v) for n in (1, 2, 3)
               for v in ("wsrep_local_cert_failures",
                         "wsrep_local_bf_aborts"))


def access_size():
    try:
        return os.path.getsize(ACCESS)
    except OSError:
        return 0


# The counter log (PASERV_E2E_CTR_LOG) is set up by scripts/galera.
LOG = os.environ["PASERV_E2E_CTR_LOG"]
c0 = conflicts()
pos = access_size()
t0 = time.time()
for i in range(ROUNDS):
    p = subprocess.run([sys.executable, TEST], capture_output=True,
                       text=True)
    bad = [x for x in p.stdout.splitlines() if x.startswith("not ok")]
    t.ok(p.returncode == 0 and not bad and "ok 11" in p.stdout,
         "round %d: 102 holds with requests on two nodes" % (i + 1),
         "\n".join(bad) + p.stderr[-2000:])
elapsed = time.time() - t0
time.sleep(1)    # nginx writes its access log lines at once; be safe
with open(ACCESS, errors="replace") as f:
    f.seek(pos)
    lines = [x for x in f if "/v2/signature/verify" in x]
sets = {}
for x in lines:
    m = re.search(r"set=(\S+)", x)
    if m:
        for addr in m.group(1).split(","):
            s = re.search(r"set(\d+)/run", addr)
            if s:
                sets[s.group(1)] = sets.get(s.group(1), 0) + 1
t.diag("verify requests per worker set: %s" % sets)
t.ok(sets.get("1", 0) > 0 and sets.get("2", 0) > 0,
     "both worker sets (node 1 and node 2) verified signatures", sets)
dc = conflicts() - c0
t.diag("certification failures + brute-force aborts meanwhile: %d" % dc)
t.ok(dc > 0, "the nodes resolved conflicting commits (%d conflicts), "
     "and every one ended as a retry, not an error" % dc)
t.diag("%d rounds in %.1f s" % (ROUNDS, elapsed))
t.ok(all(node_status(n, "wsrep_cluster_size") == 3 for n in (1, 2, 3)),
     "the cluster still has 3 nodes")

t.done()
