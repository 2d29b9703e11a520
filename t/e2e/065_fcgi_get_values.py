#!/usr/bin/env python3
"""Garbage FCGI_GET_VALUES management records (type 9, request id 0) sent to
a throwaway paserv-cloud on its own socket: the worker must survive them.

libfcgi parses the name-value pairs of GET_VALUES with lengths taken from
the record and aborts (assert in its Malloc) when such an allocation fails,
inside FCGX_Accept_r, before our code sees anything. The worker therefore
runs its responders in a supervised child process that is restarted at once
(src/http/server.c): the worker and its socket survive, and it answers again."""
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

t = e.Tap(3)
top = os.environ.get("PASERV_TOP_BUILDDIR", e.TOP_SRCDIR)
binary = os.path.join(top, "src", "bin", "paserv-cloud")
conf = os.path.join(e.VAR, "paserv.conf")
rng = random.Random(int(os.environ.get("PASERV_E2E_SEED", "20240601")))

with tempfile.TemporaryDirectory() as tmp:
    sock = os.path.join(tmp, "cloud.sock")
    log = open(os.path.join(tmp, "cloud.log"), "w+")
    proc = subprocess.Popen([binary, "-c", conf, "-l", sock, "-t", "2"],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    r = e.fcgi_request(sock, "GET", "/powerauth-cloud/actuator/health")
    t.eq(r.status if r else None, 200, "throwaway worker answers")
    for i in range(50):
        content = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 2000)))
        rec = struct.pack(">BBHHBB", 1, 9, 0, len(content), 0, 0) + content
        try:
            e.fcgi_exchange(sock, rec, timeout=5)
        except OSError:
            pass
        if proc.poll() is not None:
            break
    alive = proc.poll() is None
    t.ok(alive, "worker survives 50 garbage GET_VALUES records",
         None if alive else "exit status %s after record %d" % (proc.returncode, i + 1))
    if alive:
        r = e.fcgi_request(sock, "GET", "/powerauth-cloud/actuator/health")
        t.ok(r is not None and r.status == 200, "worker still healthy")
        proc.terminate()
    else:
        t.ok(False, "worker still healthy")
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.seek(0)
    text = log.read()
    tail = text[-300:]
    t.diag("responder restarts after garbage records: %d"
           % text.count("responder process died"))
    if not alive:
        t.diag("worker log tail: " + tail)
t.done()
