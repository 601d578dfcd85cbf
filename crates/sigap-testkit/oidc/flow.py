#!/usr/bin/env python3
"""Proof that a full OpenID Connect code flow works against provider.mjs.

Python 3 standard library only. Starts the provider twice on a free loopback
port and walks the flow the way a test with a plain HTTP client (and a cookie
jar) would:

run 1 (defaults):  discovery -> JWKS -> authorization request (PKCE S256,
  state, nonce, login_hint) -> callback captured, not followed -> token
  exchange with code_verifier (client_secret_basic) -> ID token checks ->
  userinfo -> negative checks (no PKCE, wrong verifier, missing / unknown
  login_hint) -> user switch with the same cookie jar -> RP-initiated logout
  (auto-confirmed: GET end_session answers 303 to post_logout_redirect_uri)
  -> the session is gone.

run 2 (--id-token-ttl 1 --manual-logout): a second client using
  client_secret_post gets an ID token with exp - iat == 1; logout with the
  provider's confirmation form: GET end_session -> 200 page -> POST
  /session/end/confirm (xsrf, logout=yes) -> 303 back; an expired ID token is
  still accepted as id_token_hint.

Usage: python3 flow.py   (after `npm ci` in this directory)
Exit status 0 when every check passed.
"""

import base64
import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REDIRECT_URI = "http://127.0.0.1:9/callback"  # nothing listens there: never followed
POST_LOGOUT_URI = "http://127.0.0.1:9/logged-out"
SCOPE = "openid email profile groups"

CLIENTS = [
    {
        "client_id": "sigap",
        "client_secret": "sigap-test-secret-0123456789abcdef",
        "redirect_uris": [REDIRECT_URI],
        "post_logout_redirect_uris": [POST_LOGOUT_URI],
        "token_endpoint_auth_method": "client_secret_basic",
    },
    {
        "client_id": "sigap-post",
        "client_secret": "sigap-post-secret-0123456789abcdef",
        "redirect_uris": [REDIRECT_URI],
        "post_logout_redirect_uris": [POST_LOGOUT_URI],
        "token_endpoint_auth_method": "client_secret_post",
    },
]
ACCOUNTS = [
    {
        "sub": "alice",
        "email": "alice@csirt.example",
        "email_verified": True,
        "name": "Alice Analyst",
        "groups": ["csirt", "sigap-admin"],
        "amr": ["pwd", "otp"],
        "acr": "urn:sigap:acr:mfa",
    },
    {
        "sub": "bob",
        "email": "bob@csirt.example",
        "email_verified": False,
        "name": "Bob Reporter",
        "amr": ["pwd"],
    },
]

CHECKS = {"passed": 0, "failed": 0}


def step(msg):
    print(f"\n== {msg}", flush=True)


def info(msg):
    print(f"   {msg}", flush=True)


def check(cond, msg):
    if cond:
        CHECKS["passed"] += 1
        print(f"   ok   {msg}", flush=True)
    else:
        CHECKS["failed"] += 1
        print(f"   FAIL {msg}", flush=True)
        raise SystemExit(f"check failed: {msg}")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# --------------------------------------------------------------------------
# Provider process
# --------------------------------------------------------------------------


class ProviderProcess:
    def __init__(self, tmp, *extra):
        clients = os.path.join(tmp, "clients.json")
        accounts = os.path.join(tmp, "accounts.json")
        with open(clients, "w") as f:
            json.dump(CLIENTS, f)
        with open(accounts, "w") as f:
            json.dump(ACCOUNTS, f)
        self.cmd = [
            "node", os.path.join(HERE, "provider.mjs"),
            "--port", "0", "--clients", clients, "--accounts", accounts,
            "--exit-on-stdin-close", *extra,
        ]
        self.stderr_path = os.path.join(tmp, f"provider-{int(time.time() * 1000)}.log")
        self.stderr = open(self.stderr_path, "w")
        info("$ " + " ".join(self.cmd))
        self.proc = subprocess.Popen(
            self.cmd, cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr, text=True,
        )
        line = self._readline(timeout=30)
        if not line.startswith("ready "):
            self.stop()
            raise SystemExit(f"provider did not start: {line!r}\n{open(self.stderr_path).read()}")
        self.issuer = line.split(" ", 1)[1].strip()
        info(f"provider stdout: {line.strip()}")

    def _readline(self, timeout):
        box = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        return box[0] if box else ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()

    def log_tail(self, n=12):
        with open(self.stderr_path) as f:
            return f.read().splitlines()[-n:]


# --------------------------------------------------------------------------
# HTTP client: cookie jar + redirects followed, except to the RP's URIs
# --------------------------------------------------------------------------


class Captured(Exception):
    """A redirect to a URI of the relying party (not followed)."""

    def __init__(self, status, url):
        super().__init__(url)
        self.status = status
        self.url = url


class Browser:
    def __init__(self, stop_prefixes=(REDIRECT_URI, POST_LOGOUT_URI)):
        self.jar = http.cookiejar.CookieJar()
        outer = self

        class Redirects(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, req, fp, code, msg, headers, newurl):
                newurl = urllib.parse.urljoin(req.full_url, newurl)
                if newurl.startswith(stop_prefixes):
                    info(f"{code} -> {newurl}   (relying party URI: captured, not followed)")
                    raise Captured(code, newurl)
                info(f"{code} -> {newurl}")
                return super().redirect_request(req, fp, code, msg, headers, newurl)

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), Redirects())
        self.outer = outer

    def cookies(self):
        return sorted(f"{c.name} (path {c.path})" for c in self.jar)

    def request(self, method, url, data=None, headers=None):
        """Returns ("redirect", status, url) for a captured redirect,
        or ("response", status, body, headers)."""
        body = None
        hdrs = dict(headers or {})
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        req = urllib.request.Request(url, data=body, headers=hdrs, method=method)
        info(f"{method} {url if len(url) < 160 else url[:157] + '...'}")
        try:
            with self.opener.open(req, timeout=15) as r:
                return ("response", r.status, r.read().decode(), r.headers)
        except Captured as c:
            return ("redirect", c.status, c.url)
        except urllib.error.HTTPError as e:
            return ("response", e.code, e.read().decode(), e.headers)


def get_json(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=15) as r:
        return json.loads(r.read())


# --------------------------------------------------------------------------
# Flow pieces
# --------------------------------------------------------------------------


def pkce_pair():
    verifier = b64url(secrets.token_bytes(32))  # 43 chars
    challenge = b64url(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge


def authorize(browser, disc, client_id, login_hint, *, pkce=True, extra=None):
    verifier, challenge = pkce_pair()
    state = b64url(secrets.token_bytes(16))
    nonce = b64url(secrets.token_bytes(16))
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": state,
        "nonce": nonce,
    }
    if pkce:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    if login_hint is not None:
        params["login_hint"] = login_hint
    params.update(extra or {})
    url = disc["authorization_endpoint"] + "?" + urllib.parse.urlencode(params)
    return browser.request("GET", url), verifier, state, nonce


def callback_params(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def token_request(disc, client, code, verifier):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    if verifier is not None:
        form["code_verifier"] = verifier
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if client["token_endpoint_auth_method"] == "client_secret_basic":
        # RFC 6749 2.3.1: id and secret are form-urlencoded before base64.
        pair = f"{urllib.parse.quote(client['client_id'], safe='')}:{urllib.parse.quote(client['client_secret'], safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        auth = "client_secret_basic"
    else:
        form.update(client_id=client["client_id"], client_secret=client["client_secret"])
        auth = "client_secret_post"
    info(f"POST {disc['token_endpoint']}  ({auth}; grant_type=authorization_code, code, redirect_uri"
         f"{', code_verifier' if verifier is not None else ''})")
    req = urllib.request.Request(disc["token_endpoint"], data=urllib.parse.urlencode(form).encode(),
                                 headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def rs256_verify(jwk, signing_input, signature):
    """RSASSA-PKCS1-v1_5 with SHA-256, in pure Python (stdlib only)."""
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    em = pow(int.from_bytes(signature, "big"), e, n).to_bytes(k, "big")
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (k - len(digest_info) - 3) + b"\x00" + digest_info
    return hmac.compare_digest(em, expected)


def decode_id_token(id_token, jwks):
    h, p, s = id_token.split(".")
    header = json.loads(b64url_decode(h))
    payload = json.loads(b64url_decode(p))
    kids = [k.get("kid") for k in jwks["keys"]]
    info(f"ID token header: {json.dumps(header)}")
    info(f"ID token kid {header.get('kid')} in JWKS kids {kids}: {header.get('kid') in kids}")
    check(header.get("alg") == "RS256", "ID token alg is RS256")
    check(header.get("kid") in kids, "ID token kid is published in the JWKS")
    jwk = next(k for k in jwks["keys"] if k.get("kid") == header["kid"])
    check(rs256_verify(jwk, f"{h}.{p}".encode(), b64url_decode(s)),
          "ID token RS256 signature verifies against the JWKS key (pure-Python check)")
    info("ID token payload: " + json.dumps(payload, sort_keys=True))
    return header, payload


def sign_in(browser, disc, jwks, issuer, client, login_hint, expect):
    """Authorization request -> captured callback -> token exchange -> ID token checks."""
    (kind, status, *rest), verifier, state, nonce = authorize(browser, disc, client["client_id"], login_hint)
    check(kind == "redirect" and status in (302, 303), f"authorization ends in a redirect to the callback ({status})")
    cb = callback_params(rest[0])
    info(f"callback parameters: {sorted(cb)}")
    check(cb.get("state") == state, "callback state equals the state sent")
    check(cb.get("iss") == issuer, "callback iss (RFC 9207) equals the issuer")
    check("code" in cb and "error" not in cb, "callback carries a code")
    info(f"cookies in the jar: {browser.cookies()}")

    status, tok = token_request(disc, client, cb["code"], verifier)
    check(status == 200, f"token endpoint answers 200 ({status} {tok.get('error', '')} {tok.get('error_description', '')})")
    info("token response keys: " + ", ".join(sorted(tok)))
    check(tok.get("token_type") == "Bearer", "token_type is Bearer")
    _, claims = decode_id_token(tok["id_token"], jwks)
    check(claims["iss"] == issuer, "iss == issuer")
    check(claims["aud"] == client["client_id"], f"aud == {client['client_id']}")
    check(claims["nonce"] == nonce, "nonce == nonce sent")
    check(claims["sub"] == expect["sub"], f"sub == {expect['sub']}")
    check(claims.get("email") == expect["email"], f"email == {expect['email']}")
    check(claims.get("email_verified") == expect["email_verified"], f"email_verified == {expect['email_verified']}")
    check(claims.get("name") == expect["name"], f"name == {expect['name']}")
    check(claims.get("amr") == expect["amr"], f"amr == {expect['amr']}")
    if "groups" in expect:
        check(claims.get("groups") == expect["groups"], f"groups == {expect['groups']}")
    else:
        check("groups" not in claims, "no groups claim for an account without groups")
    check(claims.get("acr") == expect.get("acr", "urn:sigap:acr:pwd"), f"acr == {claims.get('acr')}")
    check(isinstance(claims.get("auth_time"), int), "auth_time present")
    return tok, claims, cb


def run_one(tmp, title, extra, body):
    step(f"{title}: start provider")
    p = ProviderProcess(tmp, *extra)
    try:
        body(p)
    finally:
        p.stop()
        print("   provider stderr (tail):")
        for line in p.log_tail():
            print(f"     | {line}")


def discover(issuer):
    step("discovery")
    disc = get_json(issuer + "/.well-known/openid-configuration")
    for k in ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
              "end_session_endpoint", "code_challenge_methods_supported", "scopes_supported",
              "claims_supported", "id_token_signing_alg_values_supported",
              "token_endpoint_auth_methods_supported"):
        info(f"{k}: {json.dumps(disc.get(k))}")
    check(disc["issuer"] == issuer, "discovery issuer == issuer printed on the ready line")
    check("end_session_endpoint" in disc, "end_session_endpoint advertised (RP-initiated logout)")
    check(disc["code_challenge_methods_supported"] == ["S256"], "only S256 PKCE")
    jwks = get_json(disc["jwks_uri"])
    info(f"JWKS: {[{k: v for k, v in key.items() if k in ('kty', 'kid', 'alg', 'use')} for key in jwks['keys']]}")
    check(all("d" not in key for key in jwks["keys"]), "JWKS holds public keys only")
    return disc, jwks


def run1(p):
    issuer = p.issuer
    disc, jwks = discover(issuer)
    sigap = CLIENTS[0]
    alice, bob = ACCOUNTS

    step("sign in as alice (client_secret_basic, PKCE S256, state, nonce, login_hint=alice)")
    browser = Browser()
    tok, claims, _ = sign_in(browser, disc, jwks, issuer, sigap, "alice", alice)
    check(claims["exp"] - claims["iat"] == 3600, "exp - iat == 3600 (default --id-token-ttl)")
    names = {c.name for c in browser.jar}
    check("_session" in names, "the _session cookie is in the jar after sign-in")

    step("userinfo with the access token")
    ui = get_json(disc["userinfo_endpoint"], {"Authorization": "Bearer " + tok["access_token"]})
    info(json.dumps(ui, sort_keys=True))
    check(ui.get("sub") == "alice" and ui.get("email") == alice["email"], "userinfo sub/email")

    step("PKCE is enforced: authorization request without code_challenge")
    (kind, status, *rest), *_ = authorize(Browser(), disc, "sigap", "alice", pkce=False)
    cb = callback_params(rest[0]) if kind == "redirect" else {}
    info(f"callback parameters: {cb}")
    check(cb.get("error") == "invalid_request" and "PKCE" in cb.get("error_description", ""),
          "no code_challenge -> error=invalid_request at the callback")

    step("PKCE is enforced: token exchange with a wrong code_verifier")
    (kind, status, *rest), verifier, state, _ = authorize(browser, disc, "sigap", "alice")
    code = callback_params(rest[0])["code"]
    status, body = token_request(disc, sigap, code, pkce_pair()[0])
    info(f"{status} {body}")
    check(status == 400 and body.get("error") == "invalid_grant", "wrong verifier -> 400 invalid_grant")

    step("missing login_hint (fresh cookie jar) -> HTTP 400 page")
    (kind, status, *rest), *_ = authorize(Browser(), disc, "sigap", None)
    info(f"{kind} {status}: {re.sub(r'<[^>]+>', ' ', rest[0]).split()[-8:] if kind == 'response' else rest}")
    check(kind == "response" and status == 400, "no login_hint -> 400")

    step("unknown login_hint -> HTTP 400 page")
    (kind, status, *rest), *_ = authorize(Browser(), disc, "sigap", "mallory")
    check(kind == "response" and status == 400 and "unknown login_hint" in rest[0], "login_hint=mallory -> 400")

    step("same cookie jar, login_hint=bob: the provider switches the account")
    tok_bob, claims_bob, _ = sign_in(browser, disc, jwks, issuer, sigap, "bob", bob)

    step("same cookie jar, same account again: no interaction (SSO), still a fresh code")
    (kind, status, *rest), *_ = authorize(browser, disc, "sigap", "bob")
    check(kind == "redirect" and "code" in callback_params(rest[0]), "direct redirect with a code")

    step("RP-initiated logout (auto-confirmed): GET end_session with id_token_hint, post_logout_redirect_uri, state")
    logout_state = b64url(secrets.token_bytes(8))
    q = urllib.parse.urlencode({"id_token_hint": tok_bob["id_token"],
                                "post_logout_redirect_uri": POST_LOGOUT_URI, "state": logout_state})
    kind, status, *rest = browser.request("GET", disc["end_session_endpoint"] + "?" + q)
    check(kind == "redirect" and status == 303, f"end_session answers 303 ({kind} {status})")
    check(rest[0] == f"{POST_LOGOUT_URI}?state={logout_state}", f"redirected to post_logout_redirect_uri with state: {rest[0]}")
    info(f"cookies in the jar after logout: {browser.cookies()}")
    check("_session" not in {c.name for c in browser.jar}, "the _session cookie was deleted")

    step("after logout the session is gone: an authorization request without login_hint needs a login -> 400")
    (kind, status, *rest), *_ = authorize(browser, disc, "sigap", None)
    check(kind == "response" and status == 400, "no SSO after logout")

    step("logout from a user agent without the provider's cookies (fresh jar) also ends in 303")
    q = urllib.parse.urlencode({"id_token_hint": tok["id_token"],
                                "post_logout_redirect_uri": POST_LOGOUT_URI, "state": "s2"})
    kind, status, *rest = Browser().request("GET", disc["end_session_endpoint"] + "?" + q)
    check(kind == "redirect" and status == 303 and rest[0] == f"{POST_LOGOUT_URI}?state=s2",
          f"303 to post_logout_redirect_uri ({status} {rest[0][:80]})")


def run2(p):
    issuer = p.issuer
    disc, jwks = discover(issuer)
    client = CLIENTS[1]
    bob = ACCOUNTS[1]

    step("sign in as bob with client sigap-post (client_secret_post), --id-token-ttl 1")
    browser = Browser()
    tok, claims, _ = sign_in(browser, disc, jwks, issuer, client, "bob", bob)
    check(claims["exp"] - claims["iat"] == 1, f"exp - iat == 1 (exp {claims['exp']}, iat {claims['iat']})")
    time.sleep(2.1)
    check(time.time() > claims["exp"], "after 2 s the ID token is expired (a verifier must reject it)")

    step("RP-initiated logout with --manual-logout and an expired id_token_hint")
    logout_state = b64url(secrets.token_bytes(8))
    q = urllib.parse.urlencode({"id_token_hint": tok["id_token"],
                                "post_logout_redirect_uri": POST_LOGOUT_URI, "state": logout_state})
    kind, status, *rest = browser.request("GET", disc["end_session_endpoint"] + "?" + q)
    check(kind == "response" and status == 200, f"end_session answers 200 with a confirmation page ({status})")
    page = rest[0]
    form = re.search(r'<form[^>]*action="([^"]+)"', page)
    xsrf = re.search(r'name="xsrf" value="([0-9a-f]+)"', page)
    check(form is not None and xsrf is not None, "page holds form op.logoutForm with a hidden xsrf input")
    info(f"form action {form.group(1)}; xsrf {xsrf.group(1)[:12]}...")
    kind, status, *rest = browser.request("POST", form.group(1), data={"xsrf": xsrf.group(1), "logout": "yes"})
    check(kind == "redirect" and status == 303 and rest[0] == f"{POST_LOGOUT_URI}?state={logout_state}",
          f"POST confirm (xsrf, logout=yes) -> 303 to post_logout_redirect_uri ({status} {rest[0] if rest else ''})")
    check("_session" not in {c.name for c in browser.jar}, "the _session cookie was deleted")


def main():
    print(f"node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}; "
          f"oidc-provider {json.load(open(os.path.join(HERE, 'node_modules/oidc-provider/package.json')))['version']}")
    with tempfile.TemporaryDirectory(prefix="sigap-oidc-") as tmp:
        try:
            run_one(tmp, "run 1 (defaults)", [], run1)
            run_one(tmp, "run 2 (--id-token-ttl 1 --manual-logout)", ["--id-token-ttl", "1", "--manual-logout"], run2)
        except SystemExit as e:
            print(f"\n{e}")
            print(f"flow: {CHECKS['passed']} passed, {max(CHECKS['failed'], 1)} failed")
            return 1
    print(f"\nflow: {CHECKS['passed']} passed, {CHECKS['failed']} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
