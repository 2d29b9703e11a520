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
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(8)
A = e.admin_auth()
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


def deadlock_case(name, hold, waits_in, then_take, what):
    """A registration activated by a new phone while a session holds the
    row(s) of hold (SQL, given the registration id and code); once the
    exchange waits in a statement containing waits_in, the session asks
    for then_take's row and must get it (the exchange was the victim)."""
    c = e.request("POST", "/powerauth-cloud/v2/registrations",
                  body={"userId": name + "-" + secrets.token_hex(3),
                        "appId": app_id, "commitPhase": "ON_KEY_EXCHANGE"},
                  auth=A).json() or {}
    rid, code = c.get("registrationId", ""), c.get("activationCode", "")
    s = e.SqlSession()
    s.say("SET SESSION innodb_lock_wait_timeout = 30; BEGIN;"
          " UPDATE activation SET name = 'weight' WHERE app_id = '%s'; %s"
          % (weight_app, hold % {"rid": rid, "code": code}))
    s.line()                # the rows are locked once one is printed
    d = e.Device(work, name)
    d.setup(app.get("mobileSdkConfig", ""), "3.3")
    result = {}
    th = threading.Thread(target=lambda: result.update(
        act=d.activate(c.get("activationQrCodeData", ""))))
    th.start()
    t.ok(e.wait_lock_wait(waits_in), "%s: the key exchange waits for the "
         "row the session holds" % what)
    s.say(then_take % {"rid": rid, "code": code})
    t.eq(s.line(), rid, "%s: the session gets the row the exchange held: "
         "the exchange was the deadlock's victim" % what)
    time.sleep(0.5)
    s.say("ROLLBACK;")
    s.close()
    th.join(timeout=60)
    t.ok(result.get("act") is not None and result["act"][0] == rid,
         "%s: the key exchange ran again and the phone got a valid answer "
         "(no 500)" % what, d.last)
    t.eq(e.mysql("SELECT status FROM activation WHERE id = '%s'" %
                 rid).strip(), "3", "%s: the registration is ACTIVE" % what)


# The session takes the registration through the (status, expiry) index,
# as the housekeeping job's expiry does; the exchange waits in its first
# statement, for the row holding the code entry.
deadlock_case(
    "dl", "SELECT id FROM activation FORCE INDEX (activation_status_expires)"
    " WHERE status = 1 AND expires_at > '2000-01-01' AND id = '%(rid)s'"
    " FOR UPDATE;", "activation_code",
    "SELECT id FROM activation WHERE app_id = '" + app_id + "' AND"
    " activation_code = '%(code)s' FOR UPDATE;", "at the code lookup")
# The session holds the application row; the exchange waits at its UPDATE
# (the event row it writes refers to the application), its answer sealed.
deadlock_case(
    "dl2", "SELECT id FROM app WHERE id = '" + app_id + "' FOR UPDATE;",
    "UPDATE activation SET status",
    "SELECT id FROM activation WHERE id = '%(rid)s' FOR UPDATE;",
    "after the answer was sealed")
t.done()
