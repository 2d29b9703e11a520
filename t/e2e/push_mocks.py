"""Local stand-ins for the push services, for the end-to-end tests.

MockAPNs: HTTP/2 over TLS (python3-h2) with a server certificate from a
test CA made here with openssl; checks each request's ES256 provider token
(kid, iss, iat, signature with the application's public key) and records
method, path, headers, body and the verdict. MockFCM: HTTP/1.1, an OAuth
2.0 token endpoint that checks the RS256 JWT assertion (iss, scope, aud,
exp, signature) and hands out access tokens, and the v1 messages:send
endpoint that accepts only those tokens. Both answer per device token or
globally: ok, 410 / 404 (unregistered), bad (400 bad token), 500, hang;
both can be stopped (connections refused) and started again on the same
port. Signatures are checked with the openssl command line.
"""
import base64
import http.server
import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

try:
    import h2.config
    import h2.connection
    import h2.events
except ImportError:                 # Debian's python3-h2, another python
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import h2.config
        import h2.connection
        import h2.events
    except ImportError:
        h2 = None


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _der_int(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b


def jose_to_der(sig):
    """An ES256 JOSE signature (r||s) as DER, for openssl."""
    body = _der_int(sig[:32]) + _der_int(sig[32:])
    return b"\x30" + bytes([len(body)]) + body


def openssl(*args, inp=None):
    return subprocess.run(["openssl"] + list(args), input=inp,
                          capture_output=True)


def verify_jws(token, public_pem, alg):
    """(header, claims) when the compact JWS verifies with the public key
    (PEM text) under alg, else None."""
    try:
        h, p, s = token.split(".")
        header = json.loads(b64url_decode(h))
        claims = json.loads(b64url_decode(p))
        sig = b64url_decode(s)
    except (ValueError, TypeError):
        return None
    if header.get("alg") != alg:
        return None
    if alg == "ES256":
        if len(sig) != 64:
            return None
        sig = jose_to_der(sig)
    with tempfile.TemporaryDirectory() as d:
        for name, data in (("k", public_pem.encode()), ("s", sig),
                           ("m", (h + "." + p).encode())):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        r = openssl("dgst", "-sha256", "-verify", os.path.join(d, "k"),
                    "-signature", os.path.join(d, "s"), os.path.join(d, "m"))
    return (header, claims) if r.returncode == 0 else None


def make_ca(directory, ca_path):
    """A test CA (its certificate written to ca_path) and a server
    certificate for 127.0.0.1/localhost: (cert, key) paths."""
    os.makedirs(directory, exist_ok=True)
    j = lambda n: os.path.join(directory, n)            # noqa: E731
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", j("ca.key"), "-out",
            j("ca.pem"), "-days", "2", "-subj", "/CN=paserv test push CA")
    openssl("req", *ec, "-keyout", j("srv.key"), "-out", j("srv.csr"),
            "-subj", "/CN=127.0.0.1")
    with open(j("ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "basicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", j("srv.csr"), "-CA", j("ca.pem"),
            "-CAkey", j("ca.key"), "-CAcreateserial", "-out", j("srv.pem"),
            "-days", "2", "-extfile", j("ext"))
    tmp = ca_path + ".tmp"
    with open(j("ca.pem"), "rb") as s, open(tmp, "wb") as d:
        d.write(s.read())
    os.replace(tmp, ca_path)
    return j("srv.pem"), j("srv.key")


def new_key(directory, kind):
    """A new private key (kind "ec" P-256 or "rsa" 2048) in PKCS#8 PEM:
    (private PEM text, public PEM text)."""
    path = os.path.join(directory, "%s-%s.pem" % (kind,
                                                  secrets.token_hex(4)))
    if kind == "ec":
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-out", path)
    else:
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt",
                "rsa_keygen_bits:2048", "-out", path)
    pub = openssl("pkey", "-in", path, "-pubout").stdout.decode()
    with open(path) as f:
        return f.read(), pub


class _Service:
    """What both mocks share: modes, records, the lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.mode = "ok"
        self.token_modes = {}

    def mode_for(self, token):
        with self.lock:
            return self.token_modes.get(token, self.mode)

    def record(self, rec):
        with self.lock:
            self.requests.append(rec)

    def got(self, pred=None):
        with self.lock:
            return [r for r in self.requests if pred is None or pred(r)]


class MockAPNs(_Service):
    def __init__(self, port, cert, key):
        super().__init__()
        self.port = port
        self.keys = {}          # kid -> (team id, public PEM)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.ctx.set_alpn_protocols(["h2"])
        self.sock = None
        self.conns = set()
        self.start()

    def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self.sock = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def stop(self):
        """Refuses connections from now on and drops the open ones."""
        s, self.sock = self.sock, None
        if s is not None:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        with self.lock:
            conns, self.conns = list(self.conns), set()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass

    def _accept(self, s):
        while True:
            try:
                raw, _ = s.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,),
                             daemon=True).start()

    def _serve(self, raw):
        try:
            tls = self.ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        with self.lock:
            self.conns.add(tls)
        with self.lock:
            self.nconn = getattr(self, "nconn", 0) + 1
            conn_id = self.nconn
        conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        wlock = threading.Lock()
        streams = {}
        try:
            tls.sendall(conn.data_to_send())
            while True:
                data = tls.recv(65535)
                if not data:
                    break
                with wlock:
                    events = conn.receive_data(data)
                for ev in events:
                    if isinstance(ev, h2.events.RequestReceived):
                        streams[ev.stream_id] = (
                            {k.decode() if isinstance(k, bytes) else k:
                             v.decode() if isinstance(v, bytes) else v
                             for k, v in ev.headers}, bytearray())
                    elif isinstance(ev, h2.events.DataReceived):
                        streams[ev.stream_id][1].extend(ev.data)
                        with wlock:
                            conn.acknowledge_received_data(
                                ev.flow_controlled_length, ev.stream_id)
                    elif isinstance(ev, h2.events.StreamEnded):
                        hdrs, body = streams.pop(ev.stream_id)
                        self._answer(conn, wlock, ev.stream_id, hdrs,
                                     bytes(body), conn_id)
                with wlock:
                    out = conn.data_to_send()
                if out:
                    tls.sendall(out)
        except Exception:       # noqa: BLE001 - a dropped connection
            pass
        finally:
            with self.lock:
                self.conns.discard(tls)
            try:
                tls.close()
            except OSError:
                pass

    def check_jwt(self, auth):
        if not auth.startswith("bearer "):
            return "no bearer token"
        token = auth[7:]
        try:
            kid = json.loads(b64url_decode(token.split(".")[0])).get("kid")
        except (ValueError, IndexError):
            return "malformed"
        if kid not in self.keys:
            return "unknown kid %r" % kid
        team, pub = self.keys[kid]
        v = verify_jws(token, pub, "ES256")
        if v is None:
            return "bad signature"
        claims = v[1]
        if claims.get("iss") != team:
            return "iss %r" % claims.get("iss")
        if abs(claims.get("iat", 0) - time.time()) > 3600:
            return "iat out of range"
        return None

    def _answer(self, conn, wlock, sid, hdrs, body, conn_id):
        path = hdrs.get(":path", "")
        token = path.rsplit("/", 1)[-1]
        bad_jwt = self.check_jwt(hdrs.get("authorization", ""))
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        mode = self.mode_for(token)
        self.record({"path": path, "token": token, "headers": hdrs,
                     "body": payload, "jwt_error": bad_jwt, "mode": mode,
                     "time": time.time(), "conn": conn_id})
        if mode == "hang":
            return
        if bad_jwt is not None:
            status, reply = 403, {"reason": "InvalidProviderToken"}
        elif mode == "410":
            status, reply = 410, {"reason": "Unregistered",
                                  "timestamp": int(time.time() * 1000)}
        elif mode == "bad":
            status, reply = 400, {"reason": "BadDeviceToken"}
        elif mode == "500":
            status, reply = 500, {"reason": "InternalServerError"}
        else:
            status, reply = 200, None
        data = json.dumps(reply).encode() if reply is not None else b""
        with wlock:
            conn.send_headers(sid, [(":status", str(status)),
                                    ("apns-id", "00000000-0000-0000-0000-"
                                     + secrets.token_hex(6))],
                              end_stream=not data)
            if data:
                conn.send_data(sid, data, end_stream=True)


class MockFCM(_Service):
    def __init__(self, port, aud):
        super().__init__()
        self.port = port
        self.aud = aud
        self.accounts = {}      # client_email -> public PEM
        self.tokens = set()
        self.token_requests = []
        self.srv = None
        self.start()

    def start(self):
        mock = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(n)
                if self.path == "/token":
                    code, reply = mock._token(raw)
                else:
                    code, reply = mock._send(self.path, dict(
                        self.headers.items()), raw)
                    if code is None:
                        time.sleep(30)
                        return
                data = json.dumps(reply).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        class S(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True
            request_queue_size = 64

        self.srv = S(("127.0.0.1", self.port), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def stop(self):
        srv, self.srv = self.srv, None
        if srv is not None:
            srv.shutdown()
            srv.server_close()

    def _token(self, raw):
        form = urllib.parse.parse_qs(raw.decode())
        grant = form.get("grant_type", [""])[0]
        assertion = form.get("assertion", [""])[0]
        why = None
        try:
            claims = json.loads(b64url_decode(assertion.split(".")[1]))
        except (ValueError, IndexError):
            claims = {}
        pub = self.accounts.get(claims.get("iss"))
        if grant != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            why = "grant_type %r" % grant
        elif pub is None:
            why = "unknown iss %r" % claims.get("iss")
        elif verify_jws(assertion, pub, "RS256") is None:
            why = "bad signature"
        elif claims.get("aud") != self.aud:
            why = "aud %r" % claims.get("aud")
        elif claims.get("scope") != ("https://www.googleapis.com/auth/"
                                     "firebase.messaging"):
            why = "scope %r" % claims.get("scope")
        elif not (claims.get("iat", 0) <= time.time() + 60 <
                  claims.get("exp", 0) + 60):
            why = "iat/exp"
        with self.lock:
            self.token_requests.append({"claims": claims, "error": why})
        if why is not None:
            return 400, {"error": "invalid_grant", "error_description": why}
        tok = "mock-" + secrets.token_hex(16)
        with self.lock:
            self.tokens.add(tok)
        return 200, {"access_token": tok, "expires_in": 3599,
                     "token_type": "Bearer"}

    def _send(self, path, headers, raw):
        auth = headers.get("Authorization", "")
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        token = ((body or {}).get("message") or {}).get("token")
        with self.lock:
            authorized = auth.startswith("Bearer ") and \
                auth[7:] in self.tokens
        mode = self.mode_for(token)
        self.record({"path": path, "token": token, "headers": headers,
                     "body": body, "authorized": authorized, "mode": mode,
                     "time": time.time()})
        if mode == "hang":
            return None, None
        if not authorized:
            return 401, {"error": {"code": 401, "status":
                                   "UNAUTHENTICATED", "message": "no"}}
        if mode == "404":
            return 404, {"error": {
                "code": 404, "message": "Requested entity was not found.",
                "status": "NOT_FOUND", "details": [{
                    "@type": "type.googleapis.com/google.firebase.fcm.v1."
                    "FcmError", "errorCode": "UNREGISTERED"}]}}
        if mode == "bad":
            return 400, {"error": {
                "code": 400, "message": "The registration token is not a "
                "valid FCM registration token", "status":
                "INVALID_ARGUMENT", "details": [{"errorCode":
                                                 "INVALID_ARGUMENT"}]}}
        if mode == "500":
            return 500, {"error": {"code": 500, "status": "INTERNAL",
                                   "message": "oops"}}
        return 200, {"name": path.split("/messages")[0].lstrip("/")
                     .replace("v1/", "") + "/messages/" +
                     secrets.token_hex(8)}
