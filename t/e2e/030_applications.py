#!/usr/bin/env python3
"""Admin API: create an application and check its keys and mobileSdkConfig
(api.md 1.4), read it back, list it; create an integration user, grant the
application, and check ROLE_USER cannot call /admin/** (403)."""
import os
import secrets
import sys
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(37)
A = e.admin_auth()
app_id = "e2e-app-" + secrets.token_hex(6)
FIELDS = ("id", "appKey", "appSecret", "masterServerPublicKey",
          "mobileSdkConfig", "serviceBaseUrl", "roles")


def read_count(buf, pos):
    """count encoding of api.md 1.4 -> (value, new position)."""
    b = buf[pos]
    if b & 0x80 == 0:
        return b, pos + 1
    if b & 0xC0 == 0x80:
        return ((b & 0x3F) << 8) | buf[pos + 1], pos + 2
    return int.from_bytes(bytes([b & 0x3F]) + buf[pos + 1:pos + 4], "big"), pos + 4


def read_data(buf, pos):
    n, pos = read_count(buf, pos)
    if pos + n > len(buf):
        raise ValueError("data runs past the end")
    return buf[pos:pos + n], pos + n


def decode_sdk_config(s):
    raw = e.b64(s)
    if raw[0] != 0x01:
        raise ValueError("version byte %r" % raw[0])
    pos = 1
    app_key, pos = read_data(raw, pos)
    app_secret, pos = read_data(raw, pos)
    nkeys, pos = read_count(raw, pos)
    keys = []
    for _ in range(nkeys):
        kid = raw[pos]
        key, pos = read_data(raw, pos + 1)
        keys.append((kid, key))
    if pos != len(raw):
        raise ValueError("%d trailing bytes" % (len(raw) - pos))
    return app_key, app_secret, keys


def check_app(j, what):
    j = j if isinstance(j, dict) else {}
    t.ok(all(k in j for k in FIELDS), what + ": all fields present",
         sorted(j.keys()))
    t.eq(j.get("id"), app_id, what + ": id")
    try:
        key, secret = e.b64(j["appKey"]), e.b64(j["appSecret"])
        pub = e.b64(j["masterServerPublicKey"])
    except (KeyError, ValueError, AttributeError) as ex:
        t.ok(False, what + ": Base64 values", ex)
        t.skip(4, "no values")
        return
    t.ok(len(key) == 16 and len(secret) == 16 and key != secret,
         what + ": appKey/appSecret are 16 distinct bytes")
    t.ok(len(pub) == 65 and pub[0] == 0x04,
         what + ": master public key is an uncompressed P-256 point")
    try:
        k2, s2, keys = decode_sdk_config(j["mobileSdkConfig"])
    except (KeyError, ValueError, IndexError) as ex:
        t.ok(False, what + ": mobileSdkConfig decodes", ex)
        t.skip(2, "no config")
        return
    t.ok(k2 == key and s2 == secret,
         what + ": mobileSdkConfig holds appKey and appSecret")
    t.eq(keys, [(0x01, pub)], what + ": mobileSdkConfig holds one key, id 1 = master key")
    t.ok(isinstance(j.get("serviceBaseUrl"), str) and
         j["serviceBaseUrl"].endswith("/enrollment-server"),
         what + ": serviceBaseUrl", j.get("serviceBaseUrl"))


r = e.request("POST", "/powerauth-cloud/admin/applications",
              body={"id": app_id}, auth=A)
t.eq(r.status, 200, "create application: 200")
created = r.json() or {}
check_app(created, "create")

r = e.request("GET", "/powerauth-cloud/admin/applications/" + app_id, auth=A)
t.eq(r.status, 200, "get application: 200")
got = r.json() or {}
check_app(got, "get")
t.ok(all(got.get(k) == created.get(k) for k in FIELDS),
     "get returns the values create returned", (got, created))

r = e.request("POST", "/powerauth-cloud/admin/applications",
              body={"id": app_id}, auth=A)
t.ok(400 <= r.status < 500 and r.error_code() is not None,
     "create the same id again: 4xx JSON", r)

r = e.request("GET", "/powerauth-cloud/admin/applications/no-such-" + app_id,
              auth=A)
t.ok(r.status in (400, 404) and r.error_code() is not None,
     "get unknown application: 400/404 JSON", r)

r = e.request("GET", "/powerauth-cloud/admin/applications", auth=A)
t.eq(r.status, 200, "list applications: 200")
body = r.json()
items = body if isinstance(body, list) else (body or {}).get("applications", [])
ids = [a.get("id") if isinstance(a, dict) else a for a in items or []]
t.ok(app_id in ids, "list contains the new application", body)

# Stored as promised: public key in the DB equals the returned one.
if e.MYSQL:
    hexkey = e.mysql("SELECT HEX(master_public_key) FROM app WHERE id = '%s'"
                     % app_id).strip()
    t.eq(bytes.fromhex(hexkey), e.b64(created.get("masterServerPublicKey", "")),
         "DB row holds the same master public key")
    enc = e.mysql("SELECT master_private_key_enc FROM app WHERE id = '%s'"
                  % app_id).strip()
    t.ok(len(enc) > 40, "DB row holds an encrypted private key")
else:
    t.skip(2, "PASERV_E2E_MYSQL not set")

# Integration user.
uname = "e2e-user-" + secrets.token_hex(4)
r = e.request("POST", "/powerauth-cloud/admin/users", body={"username": uname},
              auth=A)
t.eq(r.status, 200, "create user: 200")
u = r.json() or {}
t.eq(u.get("username"), uname, "create user: username")
pw = u.get("password") or ""
t.ok(isinstance(pw, str) and len(pw) >= 16, "create user: strong password returned")
r = e.request("POST", "/powerauth-cloud/admin/users", body={"username": uname},
              auth=A)
t.ok(400 <= r.status < 500 and r.error_code() is not None,
     "create the same user again: 4xx JSON", r)

r = e.request("POST", "/powerauth-cloud/admin/users/%s/applications/%s"
              % (uname, app_id), auth=A)
t.ok(r.status in (200, 204), "grant application: 2xx", r)
r = e.request("POST", "/powerauth-cloud/admin/users/%s/applications/nope-%s"
              % (uname, app_id), auth=A)
t.ok(r.status in (400, 404) and r.error_code() is not None,
     "grant unknown application: 400/404 JSON", r)
r = e.request("POST", "/powerauth-cloud/admin/users/nope-%s/applications/%s"
              % (uname, app_id), auth=A)
t.ok(r.status in (400, 404) and r.error_code() is not None,
     "grant to unknown user: 400/404 JSON", r)
if e.MYSQL:
    n = e.mysql("SELECT COUNT(*) FROM cloud_user_app g JOIN cloud_user u "
                "ON u.id = g.user_id WHERE u.username = '%s' AND g.app_id = '%s'"
                % (uname, app_id)).strip()
    t.eq(n, "1", "grant stored in cloud_user_app")
    role = e.mysql("SELECT role FROM cloud_user WHERE username = '%s'"
                   % uname).strip()
    t.eq(role, "ROLE_USER", "integration user has ROLE_USER")
else:
    t.skip(2, "PASERV_E2E_MYSQL not set")

# The integration user authenticates but may not use /admin/**.
UA = e.basic(uname, pw)
r = e.request("GET", "/powerauth-cloud/admin/applications", auth=UA)
t.eq((r.status, r.error_code()), (403, "HTTP_403"), "ROLE_USER: GET /admin/applications 403")
r = e.request("POST", "/powerauth-cloud/admin/applications",
              body={"id": app_id + "-x"}, auth=UA)
t.eq((r.status, r.error_code()), (403, "HTTP_403"), "ROLE_USER: POST /admin/applications 403")
r = e.request("POST", "/powerauth-cloud/admin/users",
              body={"username": uname + "x"}, auth=UA)
t.eq(r.status, 403, "ROLE_USER: POST /admin/users 403")
r = e.fcgi_request(e.CLOUD_SOCKET, "GET", "/powerauth-cloud/internal/auth",
                   extra={"HTTP_AUTHORIZATION": UA})
t.eq(r.status if r else None, 204, "ROLE_USER: /internal/auth 204")
r = e.request("GET", "/powerauth-cloud/admin/applications",
              auth=e.basic(uname, pw + "x"))
t.eq(r.status, 401, "ROLE_USER with a wrong password: 401")
t.done()
