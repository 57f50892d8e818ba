"""`make test-glewlwyd`: back-channel logout and RP-initiated logout against a provider nobody
here wrote, Debian's glewlwyd 2.7.5, over real sockets, with real SQLite files on both sides.

glewlwyd gets a fresh SQLite database from its own Debian init script, and is set up through
its admin REST API as an operator would: an OIDC plugin with session management and
back-channel logout on, RS256 keys made here with openssl, a confidential client whose
`backchannel_logout_uri` is Gatehouse's (with `backchannel_logout_session_required`, so its
logout tokens carry `sid`), and a user. glewlwyd's login pages are a JavaScript application;
the script makes the calls that application makes (sign in, grant the scope, confirm the end of
the session), and every other step is the browser following redirects.

Two walks:
1. Back-channel logout. Alice signs in to Gatehouse through glewlwyd; her session passes
   forward-auth. She then ends her session at glewlwyd (its end-session page, confirmed);
   glewlwyd POSTs one logout token (typ JWT, no exp, sub and sid) to Gatehouse, without retry;
   the very next forward-auth request is refused, and the audit trail says why.
2. RP-initiated logout. Alice signs in again and signs out at Gatehouse, which sends her to
   glewlwyd's end-session endpoint with id_token_hint, post_logout_redirect_uri and a state;
   once she confirms, glewlwyd sends her back with the state and Gatehouse's page confirms it.

Prints each step; exits non-zero on the first failure.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "PythonSupport"))
from processes import GATEHOUSE_BIN, ManagedProcess, clean_environment, free_port  # noqa: E402

GLEWLWYD = Path("/usr/bin/glewlwyd")
GLEWLWYD_INIT_SQL = Path("/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz")
# What glewlwyd's own init script creates: the administrator and its password.
GLEWLWYD_ADMIN = ("admin", "password")
USER = ("alice", "alice's long passphrase")
CLIENT_ID = "gatehouse"
# Letters and digits only: glewlwyd does not form-decode the Basic credentials of RFC 6749
# section 2.3.1, so a secret with a space (sent as "+") never matches.
CLIENT_SECRET = "GatehouseRoundTripSecret2024"
PLUGIN = "oidc"
SLUG = "glew"
# How long glewlwyd's logout token may take to arrive: it is sent from a thread of its own.
BACK_CHANNEL_WAIT = 10.0


class Failure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)
    print(f"  ok: {message}")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


class Browser:
    """Cookies, no automatic redirects: each hop is looked at."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirects)

    def request(self, method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")

    def get(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        return self.request("GET", url, headers=headers)

    def json(self, method: str, url: str, body: object | None = None) -> tuple[int, str]:
        data = json.dumps(body).encode() if body is not None else None
        status, _, text = self.request(method, url, data, {"Content-Type": "application/json"} if data else {})
        return status, text

    def form(self, url: str, fields: dict[str, str], origin: str) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(fields).encode()
        return self.request("POST", url, body, {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin})


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


class Glewlwyd:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.api = f"{self.origin}/api"
        self.issuer = f"{self.api}/{PLUGIN}"
        self.process: ManagedProcess | None = None

    def start(self) -> None:
        database = self.directory / "glewlwyd.sqlite3"
        init = subprocess.run(["zcat", str(GLEWLWYD_INIT_SQL)], check=True, capture_output=True).stdout
        with sqlite3.connect(database) as connection:
            connection.executescript(init.decode())
        config = self.directory / "glewlwyd.conf"
        config.write_text(f"""
port={self.port}
bind_address="127.0.0.1"
external_url="{self.origin}"
login_url="login.html"
api_prefix="api"
log_mode="console"
log_level="DEBUG"
cookie_secure=0
cookie_same_site="empty"
session_expiration=3600
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
allow_multiple_user_per_session=true
login_api_enabled=true
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="/usr/lib/glewlwyd/user"
client_module_path="/usr/lib/glewlwyd/client"
user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"
plugin_module_path="/usr/lib/glewlwyd/plugin"
hash_algorithm="SHA512"
database = {{
  type = "sqlite3"
  path = "{database}"
}};
""")
        self.process = ManagedProcess("glewlwyd", [str(GLEWLWYD), f"--config-file={config}"], self.directory / "glewlwyd.log")
        self.process.wait_for_port(self.port)

    def configure(self, gatehouse_origin: str) -> None:
        """The plugin, the client and the user, through the admin API."""
        admin = Browser()
        status, text = admin.json("POST", f"{self.api}/auth/", {"username": GLEWLWYD_ADMIN[0], "password": GLEWLWYD_ADMIN[1]})
        check(status == 200, f"glewlwyd's administrator signs in ({status} {text})")
        key = self.directory / "signing-key.pem"
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(key)], check=True,
                       capture_output=True)
        public = subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout"], check=True, capture_output=True, text=True).stdout
        plugin = {
            "module": "oidc", "name": PLUGIN, "display_name": "OpenID Connect", "enabled": True,
            "parameters": {
                "iss": self.issuer, "jwt-type": "rsa", "jwt-key-size": "256", "key": key.read_text(), "cert": public,
                "code-duration": 600, "refresh-token-duration": 1209600, "access-token-duration": 3600,
                "allow-non-oidc": False, "auth-type-code-enabled": True, "auth-type-token-enabled": False,
                "auth-type-implicit-enabled": False, "auth-type-password-enabled": False, "auth-type-client-enabled": False,
                "auth-type-refresh-enabled": True, "pkce-allowed": True, "pkce-method-plain-allowed": False,
                "session-management-allowed": True, "session-cookie-name": "GLEWLWYD2_OIDC_SID", "session-cookie-expiration": 3600,
                "back-channel-logout-allowed": True, "front-channel-logout-allowed": False,
            },
        }
        status, text = admin.json("POST", f"{self.api}/mod/plugin/", plugin)
        check(status == 200, f"the OIDC plugin with session management and back-channel logout ({status} {text})")
        # The Debian init's client store keeps post_logout_redirect_uri as one string; the end
        # session reads a list, post_logout_redirect_uris: declare it, then reload the store.
        status, text = admin.json("GET", f"{self.api}/mod/client/database")
        module = json.loads(text)
        module["parameters"]["data-format"]["post_logout_redirect_uris"] = {"multiple": True, "read": True, "write": True}
        status, _ = admin.json("PUT", f"{self.api}/mod/client/database", module)
        check(status == 200 and admin.json("PUT", f"{self.api}/mod/client/database/disable")[0] == 200
              and admin.json("PUT", f"{self.api}/mod/client/database/enable")[0] == 200, "the client store takes a list of post-logout URIs")
        client = {
            "client_id": CLIENT_ID, "name": "Gatehouse", "enabled": True, "confidential": True, "client_secret": CLIENT_SECRET,
            "redirect_uri": [f"{gatehouse_origin}/oidc/{SLUG}/callback"], "authorization_type": ["code"],
            "token_endpoint_auth_method": ["client_secret_basic"],
            "post_logout_redirect_uris": [f"{gatehouse_origin}/signed-out"],
            "backchannel_logout_uri": f"{gatehouse_origin}/oidc/{SLUG}/backchannel-logout",
            "backchannel_logout_session_required": "true",
        }
        status, text = admin.json("POST", f"{self.api}/client/", client)
        check(status == 200, f"the client, with Gatehouse's backchannel_logout_uri ({status} {text})")
        user = {"username": USER[0], "name": "Alice", "email": "alice@example.com", "enabled": True, "scope": ["openid"], "password": USER[1]}
        status, text = admin.json("POST", f"{self.api}/user/", user)
        check(status == 200, f"the user ({status} {text})")

    def stop(self) -> None:
        if self.process:
            self.process.stop()


class Gatehouse:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.config_path = directory / "config.json"
        self.database = directory / "gatehouse.sqlite3"
        self.process: ManagedProcess | None = None

    def configure(self, issuer: str) -> None:
        config = json.loads((REPO / "config.example.json").read_text())
        config["server"]["listen"] = f"127.0.0.1:{self.port}"
        config["server"]["public_url"] = self.origin
        config["server"]["trusted_proxies"] = ["127.0.0.1"]
        config["database"]["path"] = str(self.database)
        config["logging"]["level"] = "info"
        # An application on the same host as Gatehouse, so its session cookie reaches it.
        config["forward_auth"]["protected_hosts"] = [{"url": "http://127.0.0.1:1"}]
        provider = dict(config["providers"][0])
        provider.update({"slug": SLUG, "name": "glewlwyd", "issuer": issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                         "scopes": ["openid"], "require_email_verified": False, "backchannel_logout": True})
        config["providers"] = [provider]
        self.config_path.write_text(json.dumps(config, indent=2))
        done = subprocess.run([str(GATEHOUSE_BIN), "migrate", "--config", str(self.config_path)], capture_output=True, text=True,
                              env=clean_environment(), timeout=60)
        check(done.returncode == 0, f"gatehouse migrate ({done.stdout.strip()} {done.stderr.strip()})")
        done = subprocess.run([str(GATEHOUSE_BIN), "check-config", "--config", str(self.config_path)], capture_output=True, text=True,
                              env=clean_environment(), timeout=60)
        expected = f"provider {SLUG}: backchannel_logout_uri {self.origin}/oidc/{SLUG}/backchannel-logout"
        check(expected in done.stdout, f"check-config prints the URL registered at glewlwyd: {expected}")

    def start(self) -> None:
        self.process = ManagedProcess("gatehouse", [str(GATEHOUSE_BIN), "serve", "--config", str(self.config_path), "--no-migrate"],
                                      self.directory / "serve.log", cwd=REPO, env=clean_environment())
        self.process.wait_for_port(self.port)

    def verify(self, browser: Browser) -> int:
        """Forward-auth's answer for the browser's session, as a proxy in front of the application asks."""
        headers = {"X-Forwarded-Proto": "http", "X-Forwarded-Host": "127.0.0.1:1", "X-Forwarded-Uri": "/"}
        cookies = "; ".join(f"{c.name}={c.value}" for c in browser.jar if c.domain.startswith("127.0.0.1") and c.name.startswith("gatehouse"))
        headers["Cookie"] = cookies
        status, _, _ = Browser().get(f"{self.origin}/auth/verify", headers=headers)
        return status

    def audit(self, event: str) -> list[str]:
        with sqlite3.connect(self.database) as connection:
            return [row[0] for row in connection.execute("SELECT detail FROM audit_log WHERE event = ? ORDER BY id", (event,))]

    def stop(self) -> None:
        if self.process:
            self.process.stop()


def sign_in(gatehouse: Gatehouse, glewlwyd: Glewlwyd) -> Browser:
    """Alice signs in to Gatehouse through glewlwyd, as her browser and glewlwyd's login page would."""
    browser = Browser()
    status, headers, _ = browser.get(f"{gatehouse.origin}/oidc/{SLUG}/authorize")
    check(status == 302 and headers["Location"].startswith(f"{glewlwyd.issuer}/auth?"), "Gatehouse sends the browser to glewlwyd")
    status, headers, _ = browser.get(headers["Location"])
    login = headers.get("Location", "")
    check(status == 302 and "login.html" in login, "glewlwyd sends it on to its login page")
    # The login page's "continue" button appends g_continue to the callback URL.
    callback = query(login)["callback_url"]
    callback += ("&" if "?" in callback else "?") + "g_continue"
    # What the login page's script does: sign in with the password, grant the scope, continue.
    status, text = browser.json("POST", f"{glewlwyd.api}/auth/", {"username": USER[0], "password": USER[1]})
    check(status == 200, f"the person signs in at glewlwyd ({status} {text})")
    status, text = browser.json("PUT", f"{glewlwyd.api}/auth/grant/{CLIENT_ID}", {"scope": "openid"})
    check(status == 200, f"and grants Gatehouse the openid scope ({status} {text})")
    status, headers, _ = browser.get(callback)
    back = headers.get("Location", "")
    check(status == 302 and back.startswith(f"{gatehouse.origin}/oidc/{SLUG}/callback?"), f"glewlwyd sends the code back ({status})")
    status, headers, body = browser.get(back)
    check(status == 303, f"Gatehouse signs the person in ({status} {body[:300]})")
    return browser


def end_session_at_glewlwyd(browser: Browser, glewlwyd: Glewlwyd, end_session_url: str) -> str | None:
    """Follows glewlwyd's end-session redirect to its confirmation page and confirms, as that
    page's script does; returns where glewlwyd then sends the browser (its callback_url), if anywhere."""
    status, headers, _ = browser.get(end_session_url)
    prompt = headers.get("Location", "")
    parameters = query(prompt)
    check(status == 302 and parameters.get("prompt") == "end_session" and "sid" in parameters,
          "glewlwyd's end-session endpoint shows its confirmation page for this session")
    status, text = browser.json("DELETE", f"{glewlwyd.api}/{PLUGIN}/session/{parameters['sid']}")
    check(status == 200, f"the person confirms: glewlwyd ends its session ({status} {text})")
    browser.json("DELETE", f"{glewlwyd.api}/auth/")
    return parameters.get("callback_url")


def wait_for(condition, timeout: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def back_channel_walk(gatehouse: Gatehouse, glewlwyd: Glewlwyd) -> None:
    print("walk 1: glewlwyd's back-channel logout ends the session here")
    browser = sign_in(gatehouse, glewlwyd)
    check(gatehouse.verify(browser) == 200, "forward-auth lets the signed-in session through")
    with sqlite3.connect(gatehouse.database) as connection:
        id_token, sid = connection.execute(
            "SELECT id_token, provider_sid FROM sessions WHERE revoked_at IS NULL AND user_id IS NOT NULL").fetchone()
    check(sid is not None, "the session recorded glewlwyd's sid")
    # The person signs out at glewlwyd itself (here through its end-session endpoint, as another
    # application would send them), not at Gatehouse.
    url = f"{glewlwyd.issuer}/end_session?" + urllib.parse.urlencode({"id_token_hint": id_token})
    end_session_at_glewlwyd(browser, glewlwyd, url)
    check(wait_for(lambda: gatehouse.verify(browser) == 401, BACK_CHANNEL_WAIT),
          "forward-auth refuses the session once glewlwyd's logout token has arrived")
    entries = gatehouse.audit("sign_out.back_channel")
    check(entries == [f"provider={SLUG}; named=sub+sid; sessions_revoked=1"], f"the audit trail says so: {entries}")
    log = gatehouse.process.log_tail(200) if gatehouse.process else ""
    check("back-channel logout refused" not in log, "no logout token was refused")


def rp_initiated_walk(gatehouse: Gatehouse, glewlwyd: Glewlwyd) -> None:
    print("walk 2: signing out at Gatehouse ends glewlwyd's session and comes back with the state")
    browser = sign_in(gatehouse, glewlwyd)
    status, _, account = browser.get(f"{gatehouse.origin}/account")
    form = re.search(r'<form[^>]*action="/logout"[^>]*>(.*?)</form>', account, re.S)
    check(status == 200 and form is not None, "the account page has the sign-out form")
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1)))
    status, headers, _ = browser.form(f"{gatehouse.origin}/logout", fields, gatehouse.origin)
    end_session = headers.get("Location", "")
    sent = query(end_session)
    check(status == 303 and end_session.startswith(f"{glewlwyd.issuer}/end_session?") and sent.get("state")
          and sent.get("post_logout_redirect_uri") == f"{gatehouse.origin}/signed-out",
          "Gatehouse signs out here and sends the browser to glewlwyd with post_logout_redirect_uri and a state")
    check(gatehouse.verify(browser) == 401, "the session here has ended already")
    callback = end_session_at_glewlwyd(browser, glewlwyd, end_session)
    check(callback == f"{gatehouse.origin}/signed-out?state={sent['state']}", "glewlwyd sends the browser back with the state")
    status, _, page = browser.get(callback)
    check(status == 200 and "Your session here has ended, and your organisation" in page, "Gatehouse's signed-out page confirms the provider's sign-out")
    check(wait_for(lambda: len(gatehouse.audit("sign_out.back_channel_unmatched")) == 1, BACK_CHANNEL_WAIT),
          "glewlwyd's logout token for this session arrived too (nothing left to end)")
    check(gatehouse.audit("sign_out.back_channel_unmatched") == [f"provider={SLUG}; named=sub+sid; sessions_revoked=0"],
          "and ended nothing more")
    check(len(gatehouse.audit("sign_out.back_channel")) == 1, "the entry of a logout that ended sessions is walk 1's alone")


def main() -> int:
    for path in (GLEWLWYD, GLEWLWYD_INIT_SQL, GATEHOUSE_BIN):
        if not path.exists():
            print(f"missing {path}: `make test-glewlwyd` installs glewlwyd and builds gatehouse", file=sys.stderr)
            return 1
    directory = Path(tempfile.mkdtemp(prefix="gatehouse-glewlwyd-"))
    glewlwyd, gatehouse = Glewlwyd(directory), Gatehouse(directory)
    try:
        glewlwyd.start()
        glewlwyd.configure(gatehouse.origin)
        gatehouse.configure(glewlwyd.issuer)
        gatehouse.start()
        back_channel_walk(gatehouse, glewlwyd)
        rp_initiated_walk(gatehouse, glewlwyd)
        print("glewlwyd round trip: back-channel logout and RP-initiated logout work")
        return 0
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        for process in (gatehouse.process, glewlwyd.process):
            if process:
                print(f"--- {process.name} log ---\n{process.log_tail(60)}", file=sys.stderr)
        return 1
    finally:
        gatehouse.stop()
        glewlwyd.stop()
        if os.environ.get("GLEWLWYD_TEST_KEEP"):
            print(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
