#!/usr/bin/env python3
"""A key exchange that loses a deadlock is run again, not answered 500: a
client session takes the registration row through the (status, expiry)
index, as the housekeeping job's expiry does, the phone's activation
waits for the row holding the activation-code index entry, and the
session then asks for that entry: InnoDB ends the cycle by rolling back
the lighter transaction, the key exchange (the session has updated rows,
the exchange nothing yet). The exchange runs again once the session is
gone and the phone is activated.

The second case loses the deadlock later, after the answer was sealed:
the session holds the application row, the exchange's UPDATE of the
registration waits for it (its event row refers to the application),
and the session then asks for the registration row. The rerun seals a
new answer (the first, never sent, is withdrawn); it used to be a 500
(seen under load against concurrent registration creates)."""
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(8)
A = e.admin_auth()
ROOT = ["mariadb", "--no-defaults", "--socket=" + os.path.join(
    e.VAR, "run", "mysqld.sock"), "-uroot", "-N", "-B"]
work = tempfile.mkdtemp(prefix="paserv-e2e-dl-")
app = e.new_app("e2e-dl-", t)
app_id = app.get("id", "")
weight_app = e.new_app("e2e-dl-w-", t).get("id", "")
# Rows the session updates, so that it is the heavier transaction.
e.mysql("INSERT INTO activation (id, app_id, user_id, status,"
        " server_private_key_enc, server_public_key, max_failed_attempts,"
        " commit_phase, flags, created_at, last_used_at, last_change_at,"
        " expires_at) SELECT UUID(), '%s', CONCAT('w-', seq), 3, 'x',"
        " UNHEX(REPEAT('04', 65)), 5, 'ON_KEY_EXCHANGE', '[]',"
        " UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), UTC_TIMESTAMP(3),"
        " UTC_TIMESTAMP(3) + INTERVAL 1 DAY FROM seq_1_to_200" % weight_app)
c = e.request("POST", "/powerauth-cloud/v2/registrations",
              body={"userId": "dl-" + secrets.token_hex(3), "appId": app_id,
                    "commitPhase": "ON_KEY_EXCHANGE"}, auth=A).json() or {}
rid, code = c.get("registrationId", ""), c.get("activationCode", "")

s = subprocess.Popen(e.MYSQL.split() + ["-N", "-B", "--unbuffered"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)


def say(sql):
    s.stdin.write(sql + "\n")
    s.stdin.flush()


say("SET SESSION innodb_lock_wait_timeout = 30; BEGIN;"
    " UPDATE activation SET name = 'weight' WHERE app_id = '%s';"
    " SELECT id FROM activation FORCE INDEX (activation_status_expires)"
    " WHERE status = 1 AND expires_at > '2000-01-01' AND id = '%s'"
    " FOR UPDATE;" % (weight_app, rid))
s.stdout.readline()     # the row is locked once it is printed

d = e.Device(work, "phone")
d.setup(app.get("mobileSdkConfig", ""), "3.3")
result = {}
th = threading.Thread(target=lambda: result.update(
    act=d.activate(c.get("activationQrCodeData", ""))))
th.start()
waiting = False
for _ in range(100):        # until the exchange waits for the row
    out = subprocess.run(ROOT + ["-e", "SELECT COUNT(*) FROM"
                                 " information_schema.innodb_trx WHERE"
                                 " trx_state = 'LOCK WAIT'"],
                         capture_output=True, text=True).stdout.strip()
    if out not in ("", "0"):
        waiting = True
        break
    time.sleep(0.1)
t.ok(waiting, "the key exchange waits for the row the session holds")
say("SELECT id FROM activation WHERE app_id = '%s' AND activation_code ="
    " '%s' FOR UPDATE;" % (app_id, code))
got = s.stdout.readline().strip()
t.eq(got, rid, "the session gets the code entry: the exchange was the "
     "deadlock's victim")
time.sleep(0.5)
say("ROLLBACK;")
s.stdin.close()
s.wait(timeout=30)
th.join(timeout=60)
t.ok(result.get("act") is not None, "the key exchange ran again and "
     "succeeded (no 500)", d.last)
t.eq(e.mysql("SELECT status FROM activation WHERE id = '%s'" % rid).strip(),
     "3", "the registration is ACTIVE")

# --- the second case: the deadlock after the answer was sealed ----------
c2 = e.request("POST", "/powerauth-cloud/v2/registrations",
               body={"userId": "dl2-" + secrets.token_hex(3), "appId": app_id,
                     "commitPhase": "ON_KEY_EXCHANGE"}, auth=A).json() or {}
rid2 = c2.get("registrationId", "")
s = subprocess.Popen(e.MYSQL.split() + ["-N", "-B", "--unbuffered"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
say("SET SESSION innodb_lock_wait_timeout = 30; BEGIN;"
    " UPDATE activation SET name = 'weight2' WHERE app_id = '%s';"
    " SELECT id FROM app WHERE id = '%s' FOR UPDATE;" % (weight_app, app_id))
s.stdout.readline()     # the application row is locked once it is printed
d2 = e.Device(work, "phone2")
d2.setup(app.get("mobileSdkConfig", ""), "3.3")
result2 = {}
th = threading.Thread(target=lambda: result2.update(
    act=d2.activate(c2.get("activationQrCodeData", ""))))
th.start()
waiting = False
for _ in range(100):        # until the exchange's UPDATE waits
    out = subprocess.run(ROOT + ["-e", "SELECT trx_query FROM"
                                 " information_schema.innodb_trx WHERE"
                                 " trx_state = 'LOCK WAIT'"],
                         capture_output=True, text=True).stdout
    if "UPDATE activation SET status" in out:
        waiting = True
        break
    time.sleep(0.1)
t.ok(waiting, "the exchange's UPDATE waits for the application row")
say("SELECT id FROM activation WHERE id = '%s' FOR UPDATE;" % rid2)
t.eq(s.stdout.readline().strip(), rid2, "the session gets the registration "
     "row: the exchange, its answer sealed, was the deadlock's victim")
time.sleep(0.5)
say("ROLLBACK;")
s.stdin.close()
s.wait(timeout=30)
th.join(timeout=60)
t.ok(result2.get("act") is not None and result2["act"][0] == rid2,
     "the exchange ran again and the phone got a valid answer (no 500)",
     d2.last)
t.eq(e.mysql("SELECT status FROM activation WHERE id = '%s'" % rid2).strip(),
     "3", "the registration is ACTIVE")
t.done()
