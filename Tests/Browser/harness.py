"""The browser tests' rig: a real Gatehouse and its development provider as subprocesses, and
headless Chromium driven through selenium.

Why subprocesses and not the Swift test rig: these walks check what a person gets from the
shipped binary (`gatehouse serve`, `gatehouse dev-idp`, `gatehouse users create`), pages, CSS,
Content-Security-Policy and all, in a real browser engine.

Every process started here is stopped again (SIGTERM, then SIGKILL after a short grace), also
when a test or the set-up itself fails. `GatehouseStack.start_process` starts any further
helper (nginx for the forward-auth walk, say) under the same guarantee.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
from dataclasses import dataclass
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "PythonSupport"))
from processes import GATEHOUSE_BIN, LISTEN_TIMEOUT, ManagedProcess, clean_environment, free_port, live_processes  # noqa: E402

SCREENSHOTS = REPO / "var" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")

# Seconds: how long a page may take to load.
PAGE_TIMEOUT = 15

# The password user every stack starts with.
PASSWORD_USER = {"username": "carol", "email": "carol@example.com", "name": "Carol Example", "password": "correct horse battery"}


@dataclass
class Person:
    """What to type into the development provider's form."""

    subject: str
    email: str
    name: str
    username: str
    email_verified: bool = True


class GatehouseStack:
    """A temporary directory with a config, a migrated database holding one password user, the
    development provider (configured twice, as "dev" and "work") and `gatehouse serve`."""

    def __init__(self) -> None:
        if not GATEHOUSE_BIN.is_file():
            raise RuntimeError(f"no gatehouse binary at {GATEHOUSE_BIN}: run `swift build` or set TEST_GATEHOUSE_BIN")
        self.directory = Path(tempfile.mkdtemp(prefix="gatehouse-browser-"))
        self.processes: list[ManagedProcess] = []
        self.port = free_port()
        self.idp_port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.idp_origin = f"http://127.0.0.1:{self.idp_port}"
        self.database_path = self.directory / "gatehouse.sqlite3"
        self.config_path = self.directory / "config.json"

    # Set-up -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Writes the config, migrates, adds the password user, then starts both servers."""
        self.config_path.write_text(json.dumps(self.config(), indent=2))
        self.run_command("migrate", ["migrate", "--config", str(self.config_path)])
        user = PASSWORD_USER
        self.run_command(
            "users create",
            ["users", "create", "--config", str(self.config_path), "--username", user["username"], "--email", user["email"],
             "--display-name", user["name"], "--email-verified", "--password-stdin"],
            stdin=user["password"] + "\n",
        )
        redirects: list[str] = []
        for slug in ("dev", "work"):
            redirects += ["--redirect-uri", f"{self.origin}/oidc/{slug}/callback"]
        idp = self.start_process("dev-idp", [str(GATEHOUSE_BIN), "dev-idp", "--port", str(self.idp_port), *self.idp_arguments(), *redirects])
        idp.wait_for_port(self.idp_port)
        serve = self.start_process("serve", [str(GATEHOUSE_BIN), "serve", "--config", str(self.config_path), "--no-migrate"])
        serve.wait_for_port(self.port)

    def idp_arguments(self) -> list[str]:
        """More arguments for `gatehouse dev-idp` (a subclass's issuer, say)."""
        return []

    def provider_extra(self, slug: str) -> dict:
        """More members for one provider object (a subclass's response mode, say)."""
        return {}

    def config(self) -> dict:
        def provider(slug: str, name: str) -> dict:
            return {
                "slug": slug, "name": name, "issuer": self.idp_origin,
                "client_id": "gatehouse-dev", "client_secret": "dev-secret",
                "scopes": ["openid", "email", "profile"],
                "user_matching_mode": "identifier", "multiple_identities": "allow",
                "require_email_verified": True, "email_claim": "email", "email_claim_trusted": False,
                "email_verified_strings": False, "username_claim": "preferred_username", "username_claim_trusted": False,
                "signups": True, "allowed_email_domains": [],
            } | self.provider_extra(slug)

        return {
            "server": {"listen": f"127.0.0.1:{self.port}", "public_url": self.origin, "trusted_proxies": [],
                       "public_dir": str(REPO / "Public")},
            "database": {"path": str(self.database_path), "busy_timeout_ms": 5000, "migrate_on_start": False},
            "logging": {"level": "info", "format": "logfmt"},
            "login": {"local_passwords": True, "identifier_fields": ["username", "email"], "case_sensitive": False,
                      "pretend_unknown_users_exist": True},
            "providers": [provider("dev", "Development"), provider("work", "Work")],
        }

    def run_command(self, name: str, arguments: list[str], stdin: str | None = None) -> str:
        done = subprocess.run([str(GATEHOUSE_BIN), *arguments], input=stdin, capture_output=True, text=True, timeout=60,
                              env=clean_environment())
        if done.returncode != 0:
            raise RuntimeError(f"gatehouse {name} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start_process(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> ManagedProcess:
        """Starts any helper process; `stop()` ends it with the rest. Its output is in DIR/NAME.log."""
        managed = ManagedProcess(name, argv, self.directory / f"{name}.log", cwd=REPO, env=env)
        self.processes.append(managed)
        live_processes.append(managed)
        return managed

    def stop(self) -> None:
        for managed in reversed(self.processes):
            managed.stop()
            if managed in live_processes:
                live_processes.remove(managed)
        self.processes.clear()
        shutil.rmtree(self.directory, ignore_errors=True)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.log_tail()}" for p in self.processes)

    # Looking behind the pages -------------------------------------------------------------------

    def query(self, sql: str, *parameters) -> list[tuple]:
        """Reads the database (read-only) for facts a page does not show, like an identity's id."""
        connection = sqlite3.connect(f"file:{self.database_path}?mode=ro", uri=True)
        try:
            return connection.execute(sql, parameters).fetchall()
        finally:
            connection.close()


class Browser:
    """Headless Chromium with helpers that wait for navigations and save screenshots."""

    _counter = 0
    _cleared = False

    def __init__(self, walk: str) -> None:
        self.walk = walk
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                         "--disable-gpu", "--no-first-run", "--disable-search-engine-choice-screen", "--lang=en-GB"):
            options.add_argument(argument)
        # No password-manager bubbles or breach checks over the pages being photographed.
        options.add_experimental_option("prefs", {
            "credentials_enable_service": False,
            "profile.password_manager_enabled": False,
            "profile.password_manager_leak_detection": False,
        })
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(PAGE_TIMEOUT)

    def quit(self) -> None:
        try:
            self.driver.quit()
        except WebDriverException:
            pass

    # Navigation ---------------------------------------------------------------------------------

    def get(self, url: str) -> None:
        self.driver.get(url)

    def click_and_wait(self, element: WebElement) -> None:
        """Clicks something that navigates, and waits until the next page has loaded."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        self.wait_for_new_page(old)

    def wait_for_new_page(self, old: WebElement) -> None:
        wait = WebDriverWait(self.driver, PAGE_TIMEOUT)
        wait.until(lambda driver: is_stale(old))
        wait.until(lambda driver: driver.execute_script("return document.readyState") == "complete")

    @property
    def path(self) -> str:
        """The current URL without its origin."""
        url = self.driver.current_url
        return "/" + url.split("/", 3)[3] if url.count("/") >= 3 else url

    @property
    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def button(self, label: str) -> WebElement:
        """The button or button-styled link whose visible text is exactly `label`."""
        for element in self.find_all("button, a.button"):
            if element.text.strip() == label:
                return element
        raise AssertionError(f"no button {label!r} on {self.path}; buttons: {self.button_labels()}")

    def button_labels(self) -> list[str]:
        return [element.text.strip() for element in self.find_all("button, a.button")]

    def fill(self, css: str, value: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(value)

    def answer_at_dev_provider(self, person: Person) -> None:
        """Fills the development provider's form (Sources/DevProvider/DevPages.swift) and submits it;
        returns once the browser is back at Gatehouse."""
        WebDriverWait(self.driver, PAGE_TIMEOUT).until(expected_conditions.presence_of_element_located((By.ID, "subject")))
        self.fill("#subject", person.subject)
        self.fill("#email", person.email)
        checkbox = self.find("#email_verified")
        if checkbox.is_selected() != person.email_verified:
            checkbox.click()
        self.fill("#name", person.name)
        self.fill("#preferred_username", person.username)
        self.click_and_wait(self.find("form button[type=submit]"))

    # Screenshots --------------------------------------------------------------------------------

    def screenshot(self, step: str) -> Path:
        """Saves the whole page (not just the viewport) as var/screenshots/NN-walk-step.png."""
        if not Browser._cleared:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            for old in SCREENSHOTS.glob("*.png"):
                old.unlink()
            Browser._cleared = True
        Browser._counter += 1
        path = SCREENSHOTS / f"{Browser._counter:02d}-{self.walk}-{step}.png"
        try:
            import base64
            metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
            })
            path.write_bytes(base64.b64decode(shot["data"]))
        except (WebDriverException, KeyError):
            self.driver.save_screenshot(str(path))
        return path

    def as_phone(self) -> None:
        """A 390x844 phone viewport (touch, device pixel ratio 2) until `as_desktop()`."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})

    def as_desktop(self) -> None:
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


class BrowserTestCase(unittest.TestCase):
    """One Gatehouse stack per test class, one fresh browser (no cookies) per test."""

    stack: GatehouseStack
    stack_class: type = GatehouseStack
    walk = "walk"

    @classmethod
    def setUpClass(cls) -> None:
        cls.stack = cls.stack_class()
        cls.addClassCleanup(cls.stack.stop)
        cls.stack.start()

    def setUp(self) -> None:
        self.browser = Browser(self.walk)
        self.addCleanup(self.browser.quit)

    def url(self, path: str) -> str:
        return self.stack.origin + path

    def sign_in_with_password(self, identifier: str, password: str, next_path: str = "/account") -> None:
        self.browser.get(self.url(f"/login?next={next_path}"))
        self.browser.fill("#identifier", identifier)
        self.browser.fill("#password", password)
        self.browser.click_and_wait(self.browser.button("Sign in"))

    def sign_in_with_provider(self, person: Person, provider: str = "Development", next_path: str = "/account", shots: bool = False) -> None:
        self.browser.get(self.url(f"/login?next={next_path}"))
        if shots:
            self.browser.screenshot("login")
        self.browser.click_and_wait(self.browser.button(f"Continue with {provider}"))
        if shots:
            self.browser.screenshot("dev-provider")
        self.browser.answer_at_dev_provider(person)

    def assertOnPage(self, path: str) -> None:
        try:
            WebDriverWait(self.browser.driver, 5).until(lambda _: self.browser.path == path)
        except TimeoutException:
            self.fail(f"expected to be on {path}, but on {self.browser.path}:\n{self.browser.text[:800]}")


class CrossSiteFormPostStack(GatehouseStack):
    """The development provider on another site than Gatehouse (`localhost` beside `127.0.0.1`:
    different hosts, so different sites to the browser, ports aside), with the "work" provider
    answering by `response_mode=form_post`: its auto-submitted POST to the callback is cross-site,
    and carries none of Gatehouse's SameSite=Lax cookies."""

    def __init__(self) -> None:
        super().__init__()
        self.idp_origin = f"http://localhost:{self.idp_port}"

    def idp_arguments(self) -> list[str]:
        return ["--issuer", self.idp_origin]

    def provider_extra(self, slug: str) -> dict:
        return {"response_mode": "form_post"} if slug == "work" else {}


class ForwardAuthStack(GatehouseStack):
    """The stack behind a real nginx (Debian's), as the README's forward-auth snippet sets it up:
    nginx serves a small application on one origin, asks Gatehouse's /auth/verify before every
    request, and proxies Gatehouse's own pages on the same origin, which is Gatehouse's public URL."""

    def __init__(self) -> None:
        super().__init__()
        self.nginx_port = free_port()
        self.app_port = free_port()
        self.origin = f"http://127.0.0.1:{self.nginx_port}"

    def config(self) -> dict:
        config = super().config()
        config["server"]["trusted_proxies"] = ["127.0.0.1"]
        config["forward_auth"] = {"groups_claim": "groups", "protected_hosts": [{"url": self.origin}]}
        return config

    def start(self) -> None:
        (self.directory / "www" / "app").mkdir(parents=True)
        (self.directory / "tmp").mkdir()
        (self.directory / "www" / "app" / "index.html").write_text(
            "<!doctype html><title>The application</title><h1>Hello from the protected application</h1>\n")
        self.directory.chmod(0o755)  # nginx workers may run as another user when the tests run as root
        conf = self.directory / "nginx.conf"
        conf.write_text(self.nginx_config())
        super().start()
        nginx = self.start_process("nginx", ["/usr/sbin/nginx", "-p", str(self.directory), "-e",
                                             str(self.directory / "error.log"), "-c", str(conf)])
        nginx.wait_for_port(self.nginx_port)

    def nginx_config(self) -> str:
        d, gatehouse = self.directory, f"127.0.0.1:{self.port}"
        forwarded = """
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;"""
        return f"""
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp/body; proxy_temp_path {d}/tmp/proxy; fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi; scgi_temp_path {d}/tmp/scgi;
    types {{ text/html html; text/css css; }}
    server {{ listen 127.0.0.1:{self.app_port}; root {d}/www; }}
    server {{
        listen 127.0.0.1:{self.nginx_port};
        location ~ ^/((login|logout|signed-out|account)(/|$)|(oidc|static)/|api/v1/me$) {{
            proxy_pass http://{gatehouse};
            proxy_set_header Host $http_host;{forwarded}
        }}
        location = /_gatehouse_verify {{
            internal;
            proxy_pass http://{gatehouse}/auth/verify;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";{forwarded}
            proxy_set_header X-Forwarded-Uri $request_uri;
        }}
        location @gatehouse_signin {{
            rewrite ^ /auth/verify?rd=1? break;
            proxy_pass http://{gatehouse};
            proxy_method GET;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";{forwarded}
            proxy_set_header X-Forwarded-Uri $request_uri;
        }}
        location / {{
            auth_request /_gatehouse_verify;
            error_page 401 = @gatehouse_signin;
            auth_request_set $gatehouse_user $upstream_http_x_auth_request_user;
            proxy_set_header Remote-User $gatehouse_user;
            add_header Cache-Control "private, no-cache" always;
            proxy_pass http://127.0.0.1:{self.app_port}/app/;
        }}
    }}
}}
"""


def is_stale(element: WebElement) -> bool:
    """`expected_conditions.staleness_of`, also when the old page goes while Chromium answers.

    When the page is replaced during the check, chromedriver can report the old node as "does
    not belong to the document" (a plain WebDriverException) instead of a stale reference; both
    say the same thing, that the element's page is gone. Any other error still fails the walk.
    """
    try:
        return expected_conditions.staleness_of(element)(None)
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise
