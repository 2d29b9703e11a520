"""paserv_e2e - helpers for the end-to-end tests in t/e2e (stdlib only).

Owns: TAP output, HTTP requests to the stack behind nginx, a minimal
FastCGI client for talking to the worker sockets directly, and access to the
settings scripts/test exports (PASERV_E2E_*). Tests skip entirely when
PASERV_E2E_URL is unset (plain `make check` without a running stack).
"""

import base64
import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.parse

URL = os.environ.get("PASERV_E2E_URL", "")
ADMIN_USER = os.environ.get("PASERV_E2E_ADMIN_USER", "admin")
ADMIN_PASSWORD = os.environ.get("PASERV_E2E_ADMIN_PASSWORD", "")
CLOUD_SOCKET = os.environ.get("PASERV_E2E_CLOUD_SOCKET", "")
ENROLL_SOCKET = os.environ.get("PASERV_E2E_ENROLL_SOCKET", "")
VAR = os.environ.get("PASERV_E2E_VAR", "")
MYSQL = os.environ.get("PASERV_E2E_MYSQL", "")
# PASERV_E2E_CAPTURE=DIR keeps every request the tests send, for
# fuzz/gen-corpus (seed corpora): one JSON object a line in DIR/<pid>.jsonl
# (HTTP requests with their answers, FastCGI requests as sent), and the
# device traces of pa-device as DIR/<pid>-<name>.trace.
CAPTURE = os.environ.get("PASERV_E2E_CAPTURE", "")
TOP_SRCDIR = os.environ.get(
    "PASERV_TOP_SRCDIR",
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


class Tap:
    """TAP producer: plan up front, one line per check, exit status."""

    def __init__(self, plan, needs_stack=True):
        self.n = 0
        self.failed = 0
        if needs_stack and not URL:
            print("1..0 # SKIP PASERV_E2E_URL is not set (run scripts/test)")
            sys.exit(0)
        self.plan = plan
        print("1..%d" % plan, flush=True)

    def ok(self, cond, name, diag=None):
        self.n += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, name),
              flush=True)
        if not cond and "# TODO" not in name:
            self.failed += 1
            if diag is not None:
                self.diag(diag)
        return bool(cond)

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got %r, want %r" % (got, want))

    def diag(self, msg):
        for line in str(msg).splitlines() or [""]:
            print("# " + line, flush=True)

    def skip(self, count, why):
        for _ in range(count):
            self.n += 1
            print("ok %d # SKIP %s" % (self.n, why), flush=True)

    def done(self):
        if self.n != self.plan:
            self.diag("planned %d checks, ran %d" % (self.plan, self.n))
        sys.exit(1 if self.failed or self.n != self.plan else 0)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers      # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def error_code(self):
        """code of an error envelope, or None when it is not one."""
        j = self.json()
        if not isinstance(j, dict) or j.get("status") != "ERROR":
            return None
        ro = j.get("responseObject")
        if not isinstance(ro, dict) or not isinstance(ro.get("message"), str):
            return None
        return ro.get("code")

    def __repr__(self):
        return "HTTP %s %r" % (self.status, self.body[:300])


def capture(kind, **fields):
    """Appends one record to the capture file (PASERV_E2E_CAPTURE)."""
    if not CAPTURE:
        return
    for k, v in list(fields.items()):
        if isinstance(v, (bytes, bytearray)):
            fields[k] = base64.b64encode(bytes(v)).decode("ascii")
    fields["kind"] = kind
    with open(os.path.join(CAPTURE, "%d.jsonl" % os.getpid()), "a") as f:
        f.write(json.dumps(fields) + "\n")


def basic(user, password):
    raw = ("%s:%s" % (user, password)).encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def admin_auth():
    return basic(ADMIN_USER, ADMIN_PASSWORD)


def admin_post(path, body, tap=None):
    """Set-up as the administrator: POST /powerauth-cloud<path>; the JSON
    answer, {} on failure (reported to tap when given)."""
    r = request("POST", "/powerauth-cloud" + path, body=body,
                auth=admin_auth())
    if r.status != 200 and tap is not None:
        tap.diag("setup %s: %r" % (path, r))
    return r.json() or {}


def new_app(prefix, tap=None):
    """A new application with a random id; its admin API answer."""
    import secrets
    app = admin_post("/admin/applications",
                     {"id": prefix + secrets.token_hex(5)}, tap)
    return app


def ensure_app(app_id, tap=None):
    """The application app_id, created if missing (tests running in
    parallel may race to create it: the loser reads the winner's)."""
    path = "/powerauth-cloud/admin/applications/" + app_id
    r = request("GET", path, auth=admin_auth())
    if r.status != 200:
        r = request("POST", "/powerauth-cloud/admin/applications",
                    body={"id": app_id}, auth=admin_auth())
        if r.status != 200:
            r = request("GET", path, auth=admin_auth())
    if r.status != 200 and tap is not None:
        tap.diag("ensure_app %s: %r" % (app_id, r))
    return r.json() or {}


def new_user(prefix, app=None, tap=None):
    """A new integration user (granted app if given); its Basic header."""
    import secrets
    name = prefix + secrets.token_hex(4)
    u = admin_post("/admin/users", {"username": name}, tap)
    if app:
        admin_post("/admin/users/%s/applications/%s" % (name, app), None,
                   tap)
    return basic(name, u.get("password", ""))


def request(method, path, body=None, auth=None, headers=None, timeout=15):
    """One HTTP request through nginx; body may be bytes, str or a JSON
    value (dict/list)."""
    u = urllib.parse.urlsplit(URL)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80,
                                      timeout=timeout)
    hdrs = {}
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode("utf-8")
        hdrs["Content-Type"] = "application/json"
    elif isinstance(body, str):
        body = body.encode("utf-8")
        hdrs["Content-Type"] = "application/json"
    if auth:
        hdrs["Authorization"] = auth
    hdrs.update(headers or {})
    try:
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        resp = Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()
    capture("http", method=method, path=path, headers=hdrs,
            body=body or b"", status=resp.status, response=resp.body)
    return resp


# --- FastCGI ---------------------------------------------------------------

FCGI_BEGIN_REQUEST = 1
FCGI_PARAMS = 4
FCGI_STDIN = 5
FCGI_STDOUT = 6
FCGI_END_REQUEST = 3


def fcgi_record(rtype, content, req_id=1):
    """Records of one type, split at 65535 bytes; an empty content gives
    the empty (stream end) record."""
    out = b""
    pos = 0
    while True:
        chunk = content[pos:pos + 65535]
        out += struct.pack(">BBHHBB", 1, rtype, req_id, len(chunk), 0, 0)
        out += chunk
        pos += len(chunk)
        if pos >= len(content):
            break
    return out


def fcgi_length(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def fcgi_pairs(params):
    out = b""
    for k, v in params.items():
        k = k.encode("latin-1") if isinstance(k, str) else k
        v = v.encode("latin-1") if isinstance(v, str) else v
        out += fcgi_length(len(k)) + fcgi_length(len(v)) + k + v
    return out


def fcgi_message(params, body=b""):
    """The byte stream of one complete responder request."""
    capture("fcgi", params={
        (k.decode("latin-1") if isinstance(k, bytes) else k):
        (v.decode("latin-1") if isinstance(v, bytes) else v)
        for k, v in params.items()}, body=body)
    msg = fcgi_record(FCGI_BEGIN_REQUEST, struct.pack(">HB5x", 1, 0))
    pairs = fcgi_pairs(params)
    if pairs:
        msg += fcgi_record(FCGI_PARAMS, pairs)
    msg += fcgi_record(FCGI_PARAMS, b"")
    if body:
        msg += fcgi_record(FCGI_STDIN, body)
    msg += fcgi_record(FCGI_STDIN, b"")
    return msg


def _exchange(s, data, half_close=True, mark_timeout=False):
    """Send data on a connected socket and read until it closes. With
    half_close the write side is shut after sending; with mark_timeout a
    read timeout leaves b"<timeout>" at the end of the answer."""
    out = b""
    try:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            try:
                d = s.recv(65536)
            except socket.timeout:
                if mark_timeout:
                    out += b"<timeout>"
                break
            except OSError:
                break
            if not d:
                break
            out += d
    finally:
        s.close()
    return out


def fcgi_exchange(sock_path, data, timeout=10):
    """Send raw bytes to a worker socket and read until it closes."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
    except OSError:
        s.close()
        raise
    return _exchange(s, data)


def fcgi_parse(raw):
    """Stdout of a FastCGI answer parsed as CGI: Response or None."""
    stdout = b""
    pos = 0
    while pos + 8 <= len(raw):
        _, rtype, _, clen, plen, _ = struct.unpack(">BBHHBB", raw[pos:pos + 8])
        content = raw[pos + 8:pos + 8 + clen]
        pos += 8 + clen + plen
        if rtype == FCGI_STDOUT:
            stdout += content
    if not stdout:
        return None
    head, sep, body = stdout.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = stdout.partition(b"\n\n")
    headers = []
    status = 200
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        value = value.strip()
        if name.lower() == "status":
            try:
                status = int(value.split()[0])
            except (ValueError, IndexError):
                status = None
        else:
            headers.append((name, value))
    return Response(status, headers, body)


def fcgi_request(sock_path, method, uri, body=b"", extra=None):
    """A well-formed request straight to a worker socket (bypassing nginx)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    params = {
        "REQUEST_METHOD": method,
        "REQUEST_URI": uri,
        "DOCUMENT_URI": uri.split("?")[0],
        "SCRIPT_NAME": uri.split("?")[0],
        "QUERY_STRING": uri.partition("?")[2],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "CONTENT_TYPE": "application/json" if body else "",
    }
    params.update(extra or {})
    return fcgi_parse(fcgi_exchange(sock_path, fcgi_message(params, body)))


def b64(s):
    return base64.b64decode(s.encode("ascii"), validate=True)


def pid_alive(name):
    """True when the worker <name> (cloud|enroll) from the pid file lives."""
    try:
        with open(os.path.join(VAR, "run", name + ".pid")) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return True
    except (OSError, ValueError):
        return False


def mysql(sql):
    """Run SQL with the sandbox client; returns stdout text."""
    cmd = MYSQL.split() + ["-N", "-B", "-e", sql]
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def root_sql(sql):
    """Run SQL as MariaDB's root over the sandbox server's socket (DDL,
    information_schema); returns stdout text."""
    cmd = ["mariadb", "--no-defaults", "--socket=" + os.path.join(
        VAR, "run", "mysqld.sock"), "-uroot", "-N", "-B", "paserv", "-e", sql]
    return subprocess.run(cmd, capture_output=True, text=True,
                          timeout=30).stdout


class SqlSession:
    """A client session kept open, to hold row locks while a request runs:
    say() sends statements, line() reads one line of their output."""

    def __init__(self):
        self.p = subprocess.Popen(MYSQL.split() + ["-N", "-B",
                                                   "--unbuffered"],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)

    def say(self, sql):
        self.p.stdin.write(sql + "\n")
        self.p.stdin.flush()

    def line(self):
        return self.p.stdout.readline().strip()

    def close(self):
        if self.p.stdin and not self.p.stdin.closed:
            self.p.stdin.close()
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def wait_lock_wait(needle, seconds=10.0):
    """True once a transaction waits for a lock while running a statement
    that contains needle (information_schema.innodb_trx)."""
    end = time.time() + seconds
    while time.time() < end:
        if needle in root_sql("SELECT trx_query FROM information_schema."
                              "innodb_trx WHERE trx_state = 'LOCK WAIT'"):
            return True
        time.sleep(0.1)
    return False


# --- a FastCGI echo responder (to test nginx configurations) ---------------

class FcgiEcho:
    """A FastCGI responder on a UNIX socket that records every request
    (params, body, keep-conn flag) and answers like a paserv worker would
    for the routing nginx cares about: /internal/auth 204 for `auth_ok`
    (else 401), other /powerauth-cloud paths 401 without `auth_ok` (health
    excepted), anything else 200 with the params as JSON. Runs in threads
    until stop()."""

    def __init__(self, path, auth_ok="Basic Z29vZDpnb29k"):
        import threading
        self.path = path
        self.auth_ok = auth_ok
        self.requests = []          # dicts: params, body, keep
        self.connections = 0
        self.clients = []
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        os.chmod(path, 0o666)       # nginx workers may run as www-data
        self.sock.listen(16)
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def stop(self):
        self.running = False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        with self.lock:
            clients = list(self.clients)
        for c in clients:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def _accept(self):
        import threading
        while self.running:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                self.clients.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    @staticmethod
    def _read(c, n):
        out = b""
        while len(out) < n:
            d = c.recv(n - len(out))
            if not d:
                raise EOFError
            out += d
        return out

    @staticmethod
    def _pairs(data):
        out, pos = {}, 0

        def length():
            nonlocal pos
            if data[pos] < 128:
                pos += 1
                return data[pos - 1]
            v = struct.unpack(">I", data[pos:pos + 4])[0] & 0x7fffffff
            pos += 4
            return v
        while pos < len(data):
            kl = length()
            vl = length()
            k = data[pos:pos + kl].decode("latin-1")
            pos += kl
            out[k] = data[pos:pos + vl].decode("latin-1")
            pos += vl
        return out

    def _answer(self, params):
        uri = params.get("DOCUMENT_URI", "")
        auth = params.get("HTTP_AUTHORIZATION")
        err401 = (b"Status: 401\r\nContent-Type: application/json\r\n"
                  b"WWW-Authenticate: Basic realm=\"powerauth-cloud\"\r\n\r\n"
                  b"{\"status\":\"ERROR\",\"responseObject\":"
                  b"{\"code\":\"HTTP_401\",\"message\":\"Unauthorized\"}}")
        if uri == "/powerauth-cloud/internal/auth":
            return b"Status: 204\r\n\r\n" if auth == self.auth_ok else err401
        if (uri.startswith("/powerauth-cloud/") and auth != self.auth_ok and
                uri != "/powerauth-cloud/actuator/health"):
            return err401
        body = json.dumps(params).encode("utf-8")
        return (b"Status: 200\r\nContent-Type: application/json\r\n\r\n" + body)

    def _serve(self, c):
        try:
            while True:
                params_raw, body, keep, rid = b"", b"", False, 1
                while True:
                    hdr = self._read(c, 8)
                    _, rtype, rid, clen, plen, _ = struct.unpack(">BBHHBB", hdr)
                    content = self._read(c, clen)
                    self._read(c, plen)
                    if rtype == FCGI_BEGIN_REQUEST:
                        keep = bool(content[2] & 1)
                    elif rtype == FCGI_PARAMS:
                        params_raw += content
                    elif rtype == FCGI_STDIN:
                        if not content:
                            break
                        body += content
                params = self._pairs(params_raw)
                with self.lock:
                    self.requests.append({"params": params, "body": body,
                                          "keep": keep})
                out = fcgi_record(FCGI_STDOUT, self._answer(params), rid)
                out += fcgi_record(FCGI_STDOUT, b"", rid)
                out += fcgi_record(FCGI_END_REQUEST, bytes(8), rid)
                c.sendall(out)
                if not keep:
                    break
        except (EOFError, OSError, struct.error, IndexError):
            pass
        finally:
            with self.lock:
                if c in self.clients:
                    self.clients.remove(c)
            c.close()


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def raw_http(port, data, timeout=10, host="127.0.0.1", half_close=False,
             mark_timeout=False):
    """Send raw bytes to host:port, read the answer until close."""
    s = socket.create_connection((host, port), timeout=timeout)
    return _exchange(s, data, half_close, mark_timeout)


# --- the device simulator (pa-device) ---------------------------------------

PA_DEVICE = os.path.abspath(os.environ.get("PASERV_E2E_PA_DEVICE",
                                           "src/device/pa-device"))
# The built binaries (the tests run from the top build directory).
ADMIN_BIN = os.path.abspath(os.environ.get("PASERV_E2E_ADMIN",
                                           "src/bin/paserv-admin"))
CONF = os.path.join(VAR, "paserv.conf")


class Device:
    """One simulated phone: a pa-device state file in a private directory.
    Every exchange is traced (PA_DEVICE_TRACE) so tests can replay or
    tamper with what the device sent."""

    def __init__(self, workdir, name):
        self.state = os.path.join(workdir, name + ".json")
        self.trace = os.path.join(workdir, name + ".trace")
        if CAPTURE:
            self.trace = os.path.join(CAPTURE, "%d-%s.trace" %
                                      (os.getpid(), name))
        self.env = dict(os.environ, PA_DEVICE_TRACE=self.trace)

    def run(self, *args, skew_ms=0):
        env = dict(self.env, PA_DEVICE_CLOCK_SKEW_MS=str(skew_ms))
        p = subprocess.run([PA_DEVICE, "-s", self.state] + list(args),
                           capture_output=True, text=True, env=env,
                           timeout=60)
        return p.returncode, p.stdout.strip(), p.stderr.strip()

    def setup(self, sdk_config, version):
        return self.run("setup", sdk_config, URL + "/enrollment-server",
                        version)[0] == 0

    def activate(self, qr, otp=None, name=None, skew_ms=0):
        """(activationId, fingerprint) or None; self.last has the output."""
        args = ["activate", qr]
        if otp is not None:
            args += ["--otp", otp]
        if name is not None:
            args += ["--name", name]
        self.last = self.run(*args, skew_ms=skew_ms)
        if self.last[0] != 0:
            return None
        parts = self.last[1].split()
        return (parts[0], parts[1]) if len(parts) == 2 else None

    def status(self):
        """The decrypted status blob as a dict, or None."""
        self.last = self.run("status")
        if self.last[0] != 0:
            return None
        try:
            return json.loads(self.last[1])
        except ValueError:
            return None

    def exchanges(self, path=None):
        """Traced exchanges (dicts), optionally only those to path."""
        out = []
        try:
            with open(self.trace) as f:
                for line in f:
                    x = json.loads(line)
                    if path is None or x["path"] == path:
                        out.append(x)
        except OSError:
            pass
        return out


def active_device(app, user_id, workdir, name, version="3.3", tap=None):
    """A registration of user_id in app (the admin API's application
    object), activated at once (commitPhase ON_KEY_EXCHANGE) by a new
    simulated phone: (registrationId, Device)."""
    c = admin_post("/v2/registrations", {
        "userId": user_id, "appId": app.get("id"),
        "commitPhase": "ON_KEY_EXCHANGE"}, tap)
    d = Device(workdir, name)
    d.setup(app.get("mobileSdkConfig", ""), version)
    d.activate(c.get("activationQrCodeData", ""))
    return c.get("registrationId", ""), d


def resend(exchange, body=None, headers=None):
    """Sends a traced device request again (optionally changed)."""
    hdrs = {}
    for h in exchange["headers"]:
        k, v = h.split(": ", 1)
        hdrs[k] = v
    hdrs.update(headers or {})
    raw = exchange["body"] if body is None else body
    return request("POST", "/enrollment-server" + exchange["path"],
                   body=raw.encode() if isinstance(raw, str) else raw,
                   headers=hdrs)
