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
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(6)
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

e.root_sql("CREATE TABLE %s (id INT PRIMARY KEY) ENGINE=InnoDB;"
           " INSERT INTO %s VALUES (1);"
           " CREATE TABLE %s (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;"
           " INSERT INTO %s SELECT seq, 0 FROM seq_1_to_200;"
           " GRANT SELECT, UPDATE ON %s TO paserv@localhost;"
           " GRANT SELECT, UPDATE ON %s TO paserv@localhost;"
           # Only the insert of this header's nonce meets the probe row.
           " CREATE TRIGGER %s AFTER INSERT ON replay_value FOR EACH ROW"
           " SELECT id INTO @e2e_dl FROM %s WHERE id = 1 AND"
           " NEW.value_hash = UNHEX('%s') FOR UPDATE;"
           % (PROBE, PROBE, WEIGHT, WEIGHT, PROBE, WEIGHT, TRG, PROBE, key))
s = e.SqlSession()
result = {}
try:
    s.say("SET SESSION innodb_lock_wait_timeout = 30; BEGIN;"
          " UPDATE %s SET v = v + 1; SELECT id FROM %s WHERE id = 1"
          " FOR UPDATE;" % (WEIGHT, PROBE))
    s.line()                # the probe row is locked once it is printed
    th = threading.Thread(target=lambda: result.update(r=e.request(
        "POST", "/powerauth-cloud/v2/token/verify",
        body={"authHeader": h}, auth=U, timeout=60)))
    th.start()
    # (the statement waiting is the trigger's)
    t.ok(e.wait_lock_wait(PROBE), "the replay insert waits for the row the "
         "session holds")
    s.say("SELECT COUNT(*) FROM replay_value WHERE scope = 3 AND"
          " value_hash = UNHEX('%s') FOR UPDATE;" % key)
    t.eq(s.line(), "0", "the session reads past the insert: the insert was "
         "the deadlock's victim and was rolled back")
    time.sleep(0.5)
    s.say("COMMIT;")
    s.close()
    th.join(timeout=60)
finally:
    s.close()
    e.root_sql("DROP TRIGGER IF EXISTS %s; DROP TABLE IF EXISTS %s, %s"
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
