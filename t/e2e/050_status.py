#!/usr/bin/env python3
"""POST /enrollment-server/pa/v3/status answers the server time."""
import os
import sys
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(7)
for body, what in (({}, "empty object"), (None, "no body"),
                   ({"requestObject": {}}, "requestObject")):
    before = int(time.time() * 1000)
    r = e.request("POST", "/enrollment-server/pa/v3/status", body=body)
    after = int(time.time() * 1000)
    j = r.json() or {}
    st = (j.get("responseObject") or {}).get("serverTime")
    t.ok(r.status == 200 and j.get("status") == "OK",
         "status (%s): 200 OK envelope" % what, r)
    t.ok(isinstance(st, int) and before - 2000 <= st <= after + 2000,
         "status (%s): serverTime %r near now %d" % (what, st, before))
r = e.request("POST", "/enrollment-server/pa/v3/status", body={},
              headers={"X-Request-Id": "x"})
t.ok((r.header("Content-Type") or "").startswith("application/json"),
     "status: JSON content type")
t.done()
