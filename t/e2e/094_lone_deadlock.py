#!/usr/bin/env python3
"""A statement outside a transaction that loses a deadlock is run again,
not answered 500 (seen under load: an ECIES replay insert against the
housekeeping purge). Made on purpose with a token verification, whose
replay insert runs on its own: a trigger makes the insert of exactly this
header's nonce wait for a row a client session holds, the session then
asks for the inserted row, and InnoDB rolls back the lighter side, the
insert (the session has updated 200 rows). The insert runs again once the
session is gone: the token verifies, and the header is spent once."""
import base64
import hashlib
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(6)
ROOT = ["mariadb", "--no-defaults", "--socket=" + os.path.join(
    e.VAR, "run", "mysqld.sock"), "-uroot", "-N", "-B", "paserv"]
TAG = secrets.token_hex(4)
PROBE, WEIGHT, TRG = ("e2e_dl_probe_" + TAG, "e2e_dl_weight_" + TAG,
                      "e2e_dl_trg_" + TAG)
work = tempfile.mkdtemp(prefix="paserv-e2e-lone-")
app = e.new_app("e2e-lone-", t)
U = e.new_user("e2e-lone-", app.get("id", ""), t)
rid, d = e.active_device(app, "lone-" + TAG, work, "phone", "3.3", t)
rc, tid, err = d.run("token-create", "--type", "possession")
t.ok(rc == 0 and len(tid) == 36, "a token is created", err)
h = d.run("token-header", tid)[1]
m = re.search(r'nonce="([^"]+)"', h)
nonce = base64.b64decode(m.group(1)) if m else b""
# The replay store keeps SHA-256(nonce || token id) (service/tokens.c).
key = hashlib.sha256(nonce + tid.encode()).hexdigest()


def root(sql):
    return subprocess.run(ROOT + ["-e", sql], capture_output=True,
                          text=True, timeout=30)


root("CREATE TABLE %s (id INT PRIMARY KEY) ENGINE=InnoDB;"
     " INSERT INTO %s VALUES (1);"
     " CREATE TABLE %s (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;"
     " INSERT INTO %s SELECT seq, 0 FROM seq_1_to_200;"
     # Only the insert of this header's nonce meets the probe row.
     " CREATE TRIGGER %s AFTER INSERT ON replay_value FOR EACH ROW"
     " SELECT id INTO @e2e_dl FROM %s WHERE id = 1 AND"
     " NEW.value_hash = UNHEX('%s') FOR UPDATE;"
     % (PROBE, PROBE, WEIGHT, WEIGHT, TRG, PROBE, key))
s = subprocess.Popen(ROOT + ["--unbuffered"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     text=True)


def say(sql):
    s.stdin.write(sql + "\n")
    s.stdin.flush()


result = {}
try:
    say("SET SESSION innodb_lock_wait_timeout = 30; BEGIN;"
        " UPDATE %s SET v = v + 1; SELECT id FROM %s WHERE id = 1"
        " FOR UPDATE;" % (WEIGHT, PROBE))
    s.stdout.readline()     # the probe row is locked once it is printed
    th = threading.Thread(target=lambda: result.update(r=e.request(
        "POST", "/powerauth-cloud/v2/token/verify",
        body={"authHeader": h}, auth=U, timeout=60)))
    th.start()
    waiting = False
    for _ in range(100):    # until the insert waits for the probe row
        out = root("SELECT trx_query FROM information_schema.innodb_trx"
                   " WHERE trx_state = 'LOCK WAIT'").stdout
        if PROBE in out:    # (the trigger's statement)
            waiting = True
            break
        time.sleep(0.1)
    t.ok(waiting, "the replay insert waits for the row the session holds")
    say("SELECT COUNT(*) FROM replay_value WHERE scope = 3 AND"
        " value_hash = UNHEX('%s') FOR UPDATE;" % key)
    got = s.stdout.readline().strip()
    t.eq(got, "0", "the session reads past the insert: the insert was the "
         "deadlock's victim and was rolled back")
    time.sleep(0.5)
    say("COMMIT;")
    s.stdin.close()
    s.wait(timeout=30)
    th.join(timeout=60)
finally:
    if s.poll() is None:
        s.kill()
    root("DROP TRIGGER IF EXISTS %s; DROP TABLE IF EXISTS %s, %s"
         % (TRG, PROBE, WEIGHT))
r = result.get("r")
t.ok(r is not None and r.status == 200 and
     (r.json() or {}).get("tokenValid") is True,
     "the insert ran again: the token verifies (200, not 500)",
     r and (r.status, r.body))
t.eq(e.mysql("SELECT COUNT(*) FROM replay_value WHERE scope = 3 AND"
             " value_hash = UNHEX('%s')" % key).strip(), "1",
     "the nonce is stored once")
r2 = e.request("POST", "/powerauth-cloud/v2/token/verify",
               body={"authHeader": h}, auth=U)
t.ok(r2.status == 200 and (r2.json() or {}).get("tokenValid") is False,
     "the same header again is a replay", (r2.status, r2.body))
t.done()
