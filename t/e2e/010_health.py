#!/usr/bin/env python3
"""Health of both contexts, through nginx and straight on the sockets;
the mobile worker's database-free ping."""
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(15)
for ctx, sock in (("powerauth-cloud", e.CLOUD_SOCKET),
                  ("enrollment-server", e.ENROLL_SOCKET)):
    r = e.request("GET", "/%s/actuator/health" % ctx)
    t.eq(r.status, 200, "%s health: 200 through nginx" % ctx)
    j = r.json() or {}
    t.eq(j.get("status"), "UP", "%s health: status UP" % ctx)
    t.eq(((j.get("components") or {}).get("db") or {}).get("status"), "UP",
         "%s health: components.db.status UP" % ctx)
    t.ok((r.header("Content-Type") or "").startswith("application/json"),
         "%s health: JSON content type" % ctx, r.header("Content-Type"))
    r = e.fcgi_request(sock, "GET", "/%s/actuator/health" % ctx)
    t.ok(r is not None and r.status == 200, "%s health: 200 on the socket" % ctx, r)
    t.eq((r.json() or {}).get("status") if r else None, "UP",
         "%s health: UP on the socket" % ctx)

# /actuator/ping: the worker alone, exactly {"status":"UP"}
r = e.request("GET", "/enrollment-server/actuator/ping")
t.eq((r.status, r.json()), (200, {"status": "UP"}),
     "enrollment-server ping: 200 {\"status\":\"UP\"} through nginx")
r = e.request("POST", "/enrollment-server/actuator/ping", body={})
t.eq(r.status, 405, "enrollment-server ping: POST is 405")
r = e.fcgi_request(e.ENROLL_SOCKET, "GET", "/enrollment-server/actuator/ping")
t.eq((r.status, r.json()) if r else None, (200, {"status": "UP"}),
     "enrollment-server ping: on the socket")
t.done()
