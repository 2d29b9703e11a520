#!/usr/bin/env python3
"""doc/openapi: the OpenAPI descriptions are valid, match the route tables
in the C sources both ways, and every documented GET (and POST without a
required body) is routed by the running stack."""
import json
import os
import re
import subprocess
import sys
import uuid
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paserv_e2e as e  # noqa: E402

TOP = e.TOP_SRCDIR
CHECK = os.path.join(TOP, "scripts", "openapi-check")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch",
           "trace")
APIS = (  # (context, description, route table)
    ("powerauth-cloud", "doc/openapi/powerauth-cloud.yaml",
     "src/cloud/cloud.c"),
    ("enrollment-server", "doc/openapi/enrollment-server.yaml",
     "src/enroll/enroll.c"),
)


def norm(path):
    """Placeholder names do not matter for routing: /a/{id} == /a/{x}."""
    return re.sub(r"\{[^}/]*\}", "{}", path)


def c_routes(src):
    """(method, path) of every entry of the ROUTES[] table in a C file,
    read from the source text (adjacent string literals joined)."""
    with open(os.path.join(TOP, src), encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    m = re.search(r"\bROUTES\[\]\s*=\s*\{(.*?)\n\};", text, flags=re.S)
    if not m:
        return [], None
    routes = []
    for ent in re.finditer(r'\{\s*"([A-Z]+)"\s*,\s*((?:"[^"]*"\s*)+),',
                           m.group(1)):
        path = "".join(re.findall(r'"([^"]*)"', ent.group(2)))
        routes.append((ent.group(1), path))
    prefix = re.search(r'prefix\s*=\s*"([^"]+)"', text)
    return routes, prefix.group(1) if prefix else None


def doc_ops(doc):
    """[(METHOD, path, operation)] of the public paths."""
    ops = []
    for path, item in sorted((doc.get("paths") or {}).items()):
        for m in METHODS:
            if isinstance(item, dict) and isinstance(item.get(m), dict):
                ops.append((m.upper(), path, item[m]))
    return ops


def internal_ops(doc):
    """[(METHOD, path)] listed under the top-level x-internal note."""
    out = []
    for x in doc.get("x-internal") or []:
        for m in x.get("methods") or []:
            out.append((m.upper(), x.get("path")))
    return out


def body_required(doc, op):
    rb = op.get("requestBody")
    if isinstance(rb, dict) and "$ref" in rb:
        ptr = rb["$ref"].lstrip("#/").split("/")
        rb = doc
        for k in ptr:
            rb = rb.get(k, {})
    return bool(isinstance(rb, dict) and rb.get("required"))


# --- gather everything first: the plan depends on it ---------------------

validate = subprocess.run(["perl", CHECK] + [os.path.join(TOP, d)
                          for _, d, _ in APIS],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
docs = {}
for ctx, d, _ in APIS:
    p = subprocess.run(["perl", CHECK, "--dump", os.path.join(TOP, d)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    try:
        docs[ctx] = json.loads(p.stdout) if p.returncode == 0 else None
    except ValueError:
        docs[ctx] = None
    if docs[ctx] is None:
        sys.stderr.write("%s: %s" % (d, p.stderr))

probes = []   # (ctx, METHOD, documented path)
for ctx, _, _ in APIS:
    doc = docs[ctx] or {}
    for method, path, op in doc_ops(doc):
        if method == "GET" or (method == "POST" and
                               not body_required(doc, op)):
            probes.append((ctx, method, path))

t = e.Tap(2 + 7 * len(APIS) + len(probes), needs_stack=False)

# (a) the validator
t.ok(validate.returncode == 0, "openapi-check: both descriptions are "
     "valid OpenAPI 3.0", validate.stdout)
t.ok(all(docs[c] is not None for c, _, _ in APIS),
     "both descriptions load as YAML")

# (b) documented operations == route tables (+ x-internal)
for ctx, d, src in APIS:
    doc = docs[ctx] or {}
    routes, prefix = c_routes(src)
    t.ok(len(routes) >= 10, "%s: route table read from %s (%d routes)"
         % (ctx, src, len(routes)))
    t.eq(prefix, "/" + ctx, "%s: the worker's prefix is the context" % ctx)
    servers = [s.get("url", "") for s in doc.get("servers") or []]
    t.ok(servers and all(s.endswith("/" + ctx) for s in servers),
         "%s: servers end with /%s" % (ctx, ctx), servers)
    c_set = set((m, norm(p)) for m, p in routes)
    public = set((m, norm(p)) for m, p, _ in doc_ops(doc))
    internal = set((m, norm(p)) for m, p in internal_ops(doc))
    missing = sorted(c_set - public - internal)
    t.ok(not missing, "%s: every route of %s is documented (or listed "
         "under x-internal)" % (ctx, src),
         "\n".join("undocumented: %s %s" % r for r in missing))
    extra = sorted(public - c_set)
    t.ok(not extra, "%s: every documented operation is in the router" % ctx,
         "\n".join("not routed: %s %s" % r for r in extra))
    extra = sorted(internal - c_set)
    t.ok(not extra, "%s: every x-internal entry is in the router" % ctx,
         "\n".join("not routed: %s %s" % r for r in extra))
    # /internal/auth is deliberately not public: only in x-internal.
    want = set(("%s" % m, "/internal/auth") for m in
               ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")) \
        if ctx == "powerauth-cloud" else set()
    t.eq(sorted(internal), sorted(want),
         "%s: x-internal lists exactly the internal routes" % ctx)

# (c) the running stack routes every documented GET / body-less POST
if not e.URL:
    t.skip(len(probes), "PASERV_E2E_URL is not set (run scripts/test)")
else:
    for ctx, method, path in probes:
        concrete = re.sub(r"\{[^}/]*\}", lambda _: str(uuid.uuid4()), path)
        r = e.request(method, "/%s%s" % (ctx, concrete),
                      auth=e.admin_auth() if ctx == "powerauth-cloud"
                      else None)
        t.ok(r.status not in (404, 405) and
             r.error_code() not in ("ERROR_NOT_FOUND",
                                    "ERROR_METHOD_NOT_ALLOWED"),
             "%s %s%s is routed (HTTP %d %s)" % (method, ctx, path,
                                                 r.status, r.error_code()
                                                 or ""), r)
t.done()
