#!/usr/bin/env python3
"""A registration's whole life with a (simulated) phone, for protocol 3.0,
3.1, 3.2 and 3.3 (issue "registration end to end", done-when 1):
create -> key exchange by pa-device -> PENDING_COMMIT with the same
fingerprint on both sides -> commit -> ACTIVE (status blob: ACTIVE, counter
0, no failed attempts) -> BLOCK -> BLOCKED -> UNBLOCK -> DELETE -> REMOVED;
removal by the device (signed); both OTP flows (right OTP, wrong OTP with
attempt counting, OTP exhausted -> REMOVED); expiry; one winner when many
phones use the same code at once."""
import os
import secrets
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

VERSIONS = ["3.0", "3.1", "3.2", "3.3"]
t = e.Tap(len(VERSIONS) * 23 + 29)
REG = "/powerauth-cloud/v2/registrations"
work = tempfile.mkdtemp(prefix="paserv-e2e-act-")


app = e.new_app("e2e-act-", t)
app_id = app.get("id", "")
SDK = app.get("mobileSdkConfig", "")
U = e.new_user("e2e-act-", app_id, t)


def create(user, **extra):
    body = {"userId": user, "appId": app_id}
    body.update(extra)
    r = e.request("POST", REG, body=body, auth=U)
    c = r.json() or {}
    if r.status != 200:
        t.diag("create: %r" % r)
    return c.get("registrationId", ""), c.get("activationQrCodeData", "")


def get(rid):
    return e.request("GET", REG + "/" + rid, auth=U).json() or {}


def change(rid, what, **extra):
    body = {"change": what}
    body.update(extra)
    return e.request("PUT", REG + "/" + rid, body=body, auth=U)


def device(name, version):
    d = e.Device(work, name)
    if not d.setup(SDK, version):
        t.diag("pa-device setup failed")
    return d


def db_row(rid, cols):
    return e.mysql("SELECT %s FROM activation WHERE id = '%s'"
                   % (cols, rid)).split()


# --- the whole life, per protocol version ----------------------------------
for v in VERSIONS:
    user = "end-user-" + secrets.token_hex(4)
    rid, qr = create(user)
    d = device("life-" + v, v)
    got = d.activate(qr, name="Petr's phone")
    t.ok(got is not None and got[0] == rid,
         "%s: key exchange answers the registration id" % v, d.last)
    fp = got[1] if got else ""
    g = get(rid)
    t.eq(g.get("registrationStatus"), "PENDING_COMMIT",
         "%s: registration PENDING_COMMIT after the key exchange" % v)
    t.ok(len(fp) == 8 and fp.isdigit() and g.get("activationFingerprint") == fp,
         "%s: activationFingerprint equals the device's" % v,
         (fp, g.get("activationFingerprint")))
    t.ok("activationCode" not in g and "activationQrCodeData" not in g,
         "%s: no code fields after the key exchange" % v)
    t.eq((g.get("name"), g.get("platform"), g.get("deviceInfo")),
         ("Petr's phone", "android", "pa-device simulator"),
         "%s: name, platform (lower case), deviceInfo from the phone" % v)
    t.eq(d.run("fingerprint")[1], fp, "%s: fingerprint command agrees" % v)
    s = d.status() or {}
    t.eq(s.get("status"), "PENDING_COMMIT", "%s: status blob PENDING_COMMIT" % v)
    r = e.request("POST", REG + "/" + rid + "/commit", body={}, auth=U)
    t.eq(r.status, 200, "%s: commit 200" % v)
    t.eq(get(rid).get("registrationStatus"), "ACTIVE", "%s: ACTIVE" % v)
    s = d.status() or {}
    t.eq(s.get("status"), "ACTIVE", "%s: status blob ACTIVE" % v)
    t.eq((s.get("failedAttempts"), s.get("maxFailedAttempts")), (0, 5),
         "%s: blob: 0 failed attempts of 5" % v)
    if v == "3.0":
        # 3.0 clients send no challenge; the counter fields are noise.
        t.ok("nonce" not in e.request(
            "POST", "/enrollment-server/pa/v3/activation/status",
            body={"requestObject": {"activationId": rid}}).json()
            .get("responseObject", {}), "3.0: no nonce without a challenge")
    else:
        t.eq((s.get("ctrByte"), s.get("lookAhead"), s.get("ctrDistance")),
             (0, 20, 0), "%s: blob: counter 0, look-ahead 20, in sync" % v)
    r = change(rid, "BLOCK", blockedReason="DEVICE_LOST")
    t.eq(r.status, 200, "%s: BLOCK 200" % v)
    g = get(rid)
    t.eq((g.get("registrationStatus"), g.get("blockedReason")),
         ("BLOCKED", "DEVICE_LOST"), "%s: BLOCKED, DEVICE_LOST" % v)
    t.eq((d.status() or {}).get("status"), "BLOCKED",
         "%s: status blob BLOCKED" % v)
    t.eq(change(rid, "UNBLOCK").status, 200, "%s: UNBLOCK 200" % v)
    t.eq((d.status() or {}).get("status"), "ACTIVE",
         "%s: status blob ACTIVE again" % v)
    r = e.request("DELETE", REG + "/" + rid, auth=U)
    t.eq(r.status, 200, "%s: DELETE 200" % v)
    t.eq(get(rid).get("registrationStatus"), "REMOVED", "%s: REMOVED" % v)
    t.eq((d.status() or {}).get("status"), "REMOVED",
         "%s: status blob REMOVED" % v)
    # The phone removes itself (a signed request).
    rid2, qr2 = create(user, commitPhase="ON_KEY_EXCHANGE")
    d2 = device("self-" + v, v)
    got = d2.activate(qr2)
    t.eq(get(rid2).get("registrationStatus"), "ACTIVE",
         "%s: commitPhase ON_KEY_EXCHANGE: ACTIVE right away" % v)
    rc, out, err = d2.run("remove")
    t.ok(rc == 0 and get(rid2).get("registrationStatus") == "REMOVED",
         "%s: signed /pa/v3/activation/remove: REMOVED" % v, err)
    t.eq(db_row(rid2, "ctr"), ["1"],
         "%s: the signature advanced the counter to 1" % v)

# --- activation OTP ----------------------------------------------------------
user = "end-user-otp-" + secrets.token_hex(4)
rid, qr = create(user, otp="246810", otpValidation="ON_KEY_EXCHANGE")
d = device("otp-kx", "3.3")
t.ok(d.activate(qr, otp="111111") is None and "ERR_ACTIVATION" in d.last[2],
     "ON_KEY_EXCHANGE, wrong OTP: ERR_ACTIVATION", d.last)
t.eq((get(rid).get("registrationStatus"), db_row(rid, "failed_attempts")),
     ("CREATED", ["1"]), "wrong OTP: still CREATED, 1 failed attempt")
t.ok(d.activate(qr) is None, "ON_KEY_EXCHANGE, no OTP: refused")
t.eq(db_row(rid, "failed_attempts"), ["2"], "missing OTP counts too")
got = d.activate(qr, otp="246810")
t.ok(got is not None and got[0] == rid, "right OTP: activated", d.last)
t.eq((get(rid).get("registrationStatus"), db_row(rid, "failed_attempts")),
     ("ACTIVE", ["0"]), "right OTP: ACTIVE at once, failed attempts reset")
t.eq((d.status() or {}).get("status"), "ACTIVE", "right OTP: blob ACTIVE")

rid, qr = create(user, otp="13579", otpValidation="ON_KEY_EXCHANGE")
d = device("otp-exhaust", "3.2")
for i in range(4):
    d.activate(qr, otp="0000%d" % i)
t.eq((get(rid).get("registrationStatus"), db_row(rid, "failed_attempts")),
     ("CREATED", ["4"]), "4 wrong OTPs: CREATED, 4 failed attempts")
d.activate(qr, otp="99999")
t.eq(get(rid).get("registrationStatus"), "REMOVED",
     "5th wrong OTP: attempts exhausted, REMOVED")
t.eq(db_row(rid, "activation_code"), ["NULL"], "exhausted: code cleared")
t.ok(d.activate(qr, otp="13579") is None,
     "exhausted: even the right OTP is refused now")

# OTP checked at commit.
rid, qr = create(user, otp="8642", otpValidation="ON_COMMIT")
d = device("otp-commit", "3.1")
t.ok(d.activate(qr, otp="8642") is None,
     "ON_COMMIT: an OTP at key exchange is refused (wrong phase)")
got = d.activate(qr)
t.ok(got is not None, "ON_COMMIT: key exchange without OTP", d.last)
t.eq(get(rid).get("registrationStatus"), "PENDING_COMMIT",
     "ON_COMMIT: PENDING_COMMIT")
r = e.request("POST", REG + "/" + rid + "/commit", body={"otp": "1111"},
              auth=U)
t.ok(r.status == 400 and get(rid).get("registrationStatus") ==
     "PENDING_COMMIT", "commit with a wrong OTP: 400, still PENDING_COMMIT", r)
t.eq(db_row(rid, "failed_attempts"), ["1"], "wrong commit OTP counted")
r = e.request("POST", REG + "/" + rid + "/commit", body={"otp": "8642"},
              auth=U)
t.ok(r.status == 200 and get(rid).get("registrationStatus") == "ACTIVE",
     "commit with the right OTP: ACTIVE", r)
t.eq((d.status() or {}).get("status"), "ACTIVE", "ON_COMMIT: blob ACTIVE")

# An OTP the registration does not have.
rid, qr = create(user)
t.ok(device("otp-none", "3.3").activate(qr, otp="1234") is None,
     "OTP sent to a registration without one: refused")
t.eq(get(rid).get("registrationStatus"), "CREATED", "... still CREATED")

# --- expiry ----------------------------------------------------------------
rid, qr = create(user, timestampRegistrationExpire=int(time.time() * 1000)
                 + 1500)
time.sleep(2.0)
d = device("expired", "3.3")
t.ok(d.activate(qr) is None and "ERR_ACTIVATION" in d.last[2],
     "expired registration: key exchange refused", d.last)
t.eq(get(rid).get("registrationStatus"), "REMOVED", "expired: REMOVED")
rid, qr = create(user, timestampRegistrationExpire=int(time.time() * 1000)
                 + 30000)
d = device("expire-pending", "3.2")
d.activate(qr)
e.mysql("UPDATE activation SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1"
        " SECOND WHERE id = '%s'" % rid)
t.eq(get(rid).get("registrationStatus"), "REMOVED",
     "PENDING_COMMIT past its expiry: REMOVED")
t.eq((d.status() or {}).get("status"), "REMOVED",
     "... and the status blob says REMOVED")
r = e.request("POST", REG + "/" + rid + "/commit", body={}, auth=U)
t.ok(r.status == 400 and r.error_code() == "ERROR_REGISTRATION_CHANGE",
     "commit of an expired registration: ERROR_REGISTRATION_CHANGE", r)

# --- one code, many phones at once: exactly one wins -------------------------
rid, qr = create(user)
results = []


def race(i):
    dd = device("race-%d" % i, VERSIONS[i % 4])
    results.append(dd.activate(qr))


threads = [threading.Thread(target=race, args=(i,)) for i in range(8)]
for th in threads:
    th.start()
for th in threads:
    th.join()
wins = [x for x in results if x is not None]
t.eq(len(wins), 1, "8 concurrent key exchanges with one code: one wins")
t.ok(len(wins) == 1 and wins[0][0] == rid, "the winner got the registration")
t.eq(get(rid).get("registrationStatus"), "PENDING_COMMIT",
     "the registration is PENDING_COMMIT once")
fp = e.mysql("SELECT fingerprint FROM activation WHERE id = '%s'" % rid).strip()
t.ok(len(wins) == 1 and wins[0][1] == fp,
     "the stored fingerprint is the winner's", (wins, fp))
t.done()
