#!/usr/bin/env python3
"""/powerauth-cloud authentication: 401 without, with wrong and with forged
credentials (also straight on the worker socket), 204 from /internal/auth."""
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(22)
P = "/powerauth-cloud/admin/applications"


def check_401(r, name):
    t.eq(r.status if r else None, 401, name + ": 401")
    t.eq(r.error_code() if r else None, "HTTP_401", name + ": JSON HTTP_401")
    www = r.header_all("WWW-Authenticate") if r else []
    t.ok(len(www) == 1 and www[0].startswith("Basic ") and
         "powerauth-cloud" in www[0], name + ": one WWW-Authenticate Basic", www)


check_401(e.request("GET", P), "no credentials")
check_401(e.request("GET", P, auth=e.basic(e.ADMIN_USER, "wrong-password")),
          "wrong password")
check_401(e.request("POST", P, body={"id": "x"},
                    auth=e.basic("no-such-user", "x")), "unknown user")
check_401(e.request("GET", P, auth="Basic !!!not-base64"), "garbage header")

# Straight to the worker socket: a forged header or REMOTE_USER is no login.
check_401(e.fcgi_request(e.CLOUD_SOCKET, "GET", P,
                         extra={"REMOTE_USER": e.ADMIN_USER}),
          "socket, forged REMOTE_USER")
check_401(e.fcgi_request(e.CLOUD_SOCKET, "GET", P, extra={
    "REMOTE_USER": e.ADMIN_USER,
    "HTTP_AUTHORIZATION": e.basic(e.ADMIN_USER, "guessed"),
    "HTTP_X_REMOTE_USER": e.ADMIN_USER}), "socket, forged Authorization")

# Right credentials work through nginx and on the socket.
r = e.request("GET", P, auth=e.admin_auth())
t.eq(r.status, 200, "admin: list applications 200")
r = e.fcgi_request(e.CLOUD_SOCKET, "GET", "/powerauth-cloud/internal/auth",
                   extra={"HTTP_AUTHORIZATION": e.admin_auth()})
t.eq(r.status if r else None, 204, "socket: /internal/auth 204 for admin")
r = e.fcgi_request(e.CLOUD_SOCKET, "GET", "/powerauth-cloud/internal/auth")
t.eq(r.status if r else None, 401, "socket: /internal/auth 401 without credentials")
r = e.fcgi_request(e.CLOUD_SOCKET, "GET", P,
                   extra={"HTTP_AUTHORIZATION": e.admin_auth()})
t.eq(r.status if r else None, 200, "socket: admin request 200")
t.done()
