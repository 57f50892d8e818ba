"""`make test-api`: schemathesis (PyPI), an API tester nobody here wrote, against the real
`gatehouse serve` over real sockets and a real SQLite file.

It reads the OpenAPI 3.1 document the server serves and generates requests for every
operation: schema-valid ones (which must not be refused as invalid), schema-breaking ones
(which must be), requests without a token, with a wrong one, with methods the document does not
list, and stateful chains that feed ids from one answer into the next request. Every answer is
checked against the document: no 5xx, a documented status, a documented content type, a body
that validates against its schema, documented headers.

It runs once with a token of each scope (an `admin` token for the whole API, and each narrower
scope, which meets 403 wherever it reaches beyond itself), then checks that every status the
document promises for an operation was answered at least once: a documented error nobody can
reach is a document that lies. What random generation rarely meets is then reached on purpose
(`reach_the_rest`): an unlink of a last way to sign in, a re-key onto an issuer that has the
subjects, a session to revoke, and 503 for every operation while the database's writer is held
and the admin executor's queue is full. Prints how many operations and generated cases it ran;
exits non-zero on any failure.
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
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "PythonSupport"))
from processes import GATEHOUSE_BIN, ManagedProcess, clean_environment, free_port  # noqa: E402

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# Fixed, so two runs generate the same cases (values the server returns still feed back).
SEED = 20261207
EXAMPLES = int(os.environ.get("API_TEST_EXAMPLES", "20"))
SCOPES = ["users:read", "users:write", "sessions:write", "events:read", "providers:read", "metrics:read"]

# Statuses a schema-valid request may get: success, the authorization refusals, a conflict with
# the store's state, a stale If-Match, a rule the schema cannot state (byte lengths, spaces in
# a username). Anything else (400, 415, 5xx) fails positive_data_acceptance.
POSITIVE_STATUSES = ["2xx", "401", "403", "404", "409", "412", "422"]


class Run:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.config_path = directory / "config.json"
        self.server: ManagedProcess | None = None
        self.tokens: dict[str, str] = {}

    def gatehouse(self, *arguments: str, stdin: str | None = None) -> str:
        done = subprocess.run([str(GATEHOUSE_BIN), *arguments, "--config", str(self.config_path)], input=stdin,
                              capture_output=True, text=True, timeout=60, env=clean_environment())
        if done.returncode != 0:
            raise RuntimeError(f"gatehouse {' '.join(arguments)} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def configure(self) -> None:
        config = json.loads((REPO / "config.example.json").read_text())
        config["server"]["listen"] = f"127.0.0.1:{self.port}"
        config["server"]["public_url"] = self.origin
        config["database"]["path"] = str(self.directory / "gatehouse.sqlite3")
        # A write waits this long for the writer: `reach_the_rest` holds it to fill the admin queue,
        # and the queue must stay full, however slow the machine, until the test lets go.
        config["database"]["busy_timeout_ms"] = 120000
        config["logging"]["level"] = "warning"
        work = dict(config["providers"][0])
        work.update({"slug": "work", "name": "Work", "issuer": "http://127.0.0.1:9401", "client_id": "work",
                     "user_matching_mode": "email_link", "require_email_verified": True, "multiple_identities": "allow"})
        config["providers"].append(work)
        self.config_path.write_text(json.dumps(config, indent=2))
        self.gatehouse("migrate")

    def seed(self) -> None:
        """Users, identities and tokens for the generated requests to find."""
        self.gatehouse("users", "create", "--username", "alice", "--email", "alice@example.com", "--email-verified", "--password-stdin",
                       stdin="correct horse battery\n")
        self.gatehouse("users", "create", "--username", "bob", "--email", "bob@example.com", "--no-password", "--identity", "dev:bob-at-dev")
        self.gatehouse("users", "create", "--username", "carol", "--email", "carol@example.com", "--email-verified", "--no-password",
                       "--identity", "work")
        for name, scope in [("st-admin", "admin"), ("st-revoker", "admin")] + [(f"st-{s.replace(':', '-')}", s) for s in SCOPES]:
            created = json.loads(self.gatehouse("tokens", "create", "--name", name, "--scope", scope, "--json"))
            self.tokens[name] = created["token"]

    def start(self) -> None:
        self.server = ManagedProcess("gatehouse", [str(GATEHOUSE_BIN), "serve", "--config", str(self.config_path), "--no-migrate"],
                                     self.directory / "serve.log", cwd=REPO, env=clean_environment())
        self.server.wait_for_port(self.port)

    def call(self, method: str, path: str, token: str | None, body: dict | None = None, timeout: float = 30) -> tuple[int, dict | None]:
        """One API request; returns the status and the JSON body (None when there is none)."""
        request = urllib.request.Request(f"{self.origin}{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        return status, (json.loads(text) if text else None)

    def sign_in(self, username: str, password: str) -> None:
        """A password sign-in through the real form, as a browser makes one: a live session."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{self.origin}/login", timeout=10) as page:
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
        form = urllib.parse.urlencode({"identifier": username, "password": password, "csrf_token": token, "next": "/"}).encode()
        request = urllib.request.Request(f"{self.origin}/login", data=form, method="POST", headers={"Origin": self.origin})
        with opener.open(request, timeout=30) as response:
            response.read()
        if not any(cookie.name == "gatehouse_session" for cookie in jar):
            raise RuntimeError(f"the sign-in of {username} made no session")

    def document(self) -> dict:
        with urllib.request.urlopen(f"{self.origin}/api/v1/openapi.json", timeout=10) as response:
            return json.load(response)

    def schemathesis(self, name: str, token: str, include: list[str] | None = None, exclude: list[str] | None = None) -> Path:
        """One schemathesis run; returns its NDJSON event report."""
        reports = self.directory / "reports" / name
        reports.mkdir(parents=True, exist_ok=True)
        settings = self.directory / f"{name}.toml"
        settings.write_text(
            "[checks]\n"
            f"positive_data_acceptance.expected-statuses = {json.dumps(POSITIVE_STATUSES)}\n"
            "[cache]\nenabled = false\n"
        )
        argv = [str(SCHEMATHESIS), "--config-file", str(settings), "run", f"{self.origin}/api/v1/openapi.json",
                "--url", self.origin, "-H", f"Authorization: Bearer {token}", "--workers", "1", "--seed", str(SEED),
                "--max-examples", str(EXAMPLES), "--generation-database", "none", "--request-timeout", "10",
                "--no-color", "--warnings", "off",
                "--report-json-path", str(reports / "run.json"), "--report-ndjson-path", str(reports / "events.ndjson")]
        for operation in include or []:
            argv += ["--include-operation-id", operation]
        for operation in exclude or []:
            argv += ["--exclude-operation-id", operation]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=900, env=clean_environment(), cwd=self.directory)
        if done.returncode != 0:
            print(done.stdout[-20000:])
            print(done.stderr[-5000:])
            raise SystemExit(f"schemathesis ({name}) found failures")
        return reports

    def stop(self) -> None:
        if self.server:
            self.server.stop()


def summarize(reports: Path) -> tuple[int, int, set[tuple[str, str, int]]]:
    """Operations tested, cases generated, and each (method, path, status) answered."""
    run = json.loads((reports / "run.json").read_text())
    observed: set[tuple[str, str, int]] = set()
    for line in (reports / "events.ndjson").read_text().splitlines():
        (kind, event), = json.loads(line).items()
        if kind != "ScenarioFinished":
            continue
        recorder = event["recorder"]
        for case_id, node in recorder.get("cases", {}).items():
            interaction = recorder.get("interactions", {}).get(case_id)
            if interaction and interaction.get("response"):
                case = node["value"]
                observed.add((case["method"].upper(), case["path"], interaction["response"]["status_code"]))
    return run["operations"]["tested"], run["test_cases"]["generated"], observed


def reach_the_rest(run: Run, document: dict) -> set[tuple[str, str, int]]:
    """Reaches on purpose what random requests rarely do; each request must get the status it
    aims at. Returns what it reached."""
    admin, reader = run.tokens["st-admin"], run.tokens["st-users-read"]
    reached: set[tuple[str, str, int]] = set()

    def expect(method: str, template: str, path: str, status: int, token: str | None = admin, body: dict | None = None) -> dict | None:
        got, answer = run.call(method, path, token, body)
        if got != status:
            raise SystemExit(f"{method} {path}: expected {status}, got {got}: {answer}")
        reached.add((method, template, got))
        return answer

    users = "/api/v1/admin/users"
    # The last way to sign in: an identity of a user without a password.
    dora = expect("POST", users, users, 201, body={"username": "dora", "identities": [{"provider": "dev", "subject": "dora-at-dev"}]})
    identity = dora["identities"][0]["id"]
    expect("DELETE", "/api/v1/admin/identities/{identity_id}", f"/api/v1/admin/identities/{identity}", 409)
    # ... and a password that is a user's only way in.
    gus = expect("POST", users, users, 201, body={"username": "gus", "password": "gus's long password"})["user"]["id"]
    expect("PUT", users + "/{user_id}/password", f"{users}/{gus}/password", 409, body={"password": None})
    # An issuer change made twice leaves the subject under both issuers (as a database that has
    # lived through one holds it): moving the new issuer's identities onto the old one collides.
    with sqlite3.connect(run.directory / "gatehouse.sqlite3") as database:
        database.execute(
            "INSERT INTO identities (user_id, provider, issuer, subject, link_method, linked_at) VALUES (?, 'dev', ?, 'dora-at-dev', 'admin', 0)",
            (dora["user"]["id"], "http://old.example"),
        )
    expect("POST", "/api/v1/admin/providers/{provider}/rekey-issuer", "/api/v1/admin/providers/dev/rekey-issuer", 409,
           body={"from": "http://127.0.0.1:9400", "to": "http://old.example"})
    # A session to revoke, made by a real sign-in.
    erin = run.call("POST", users, admin, {"username": "erin", "password": "erin's long password"})[1]["user"]["id"]
    run.sign_in("erin", "erin's long password")
    sessions = expect("GET", users + "/{user_id}/sessions", f"{users}/{erin}/sessions", 200)["items"]
    expect("DELETE", "/api/v1/admin/sessions/{session_id}", f"/api/v1/admin/sessions/{sessions[0]['id']}", 204)
    expect("DELETE", "/api/v1/admin/tokens/{token_id}", "/api/v1/admin/tokens/1", 403, token=reader)
    with urllib.request.urlopen(f"{run.origin}/api/v1/openapi.json", timeout=10) as response:
        reached.add(("GET", "/api/v1/openapi.json", response.status))

    # 503: another process holds the database's writer, so the two admin threads' writes wait for
    # it (the busy timeout, 120 s here, is far longer than this takes) and 64 more fill the admin
    # executor's queue behind them. A queued job expires only when a thread takes it, so the queue
    # stays full until the writer is let go, and every further admin request is told at once to
    # come back: each operation is asked once meanwhile.
    blocker = sqlite3.connect(run.directory / "gatehouse.sqlite3", isolation_level=None, timeout=5)
    blocker.execute("BEGIN IMMEDIATE")
    threads: list[threading.Thread] = []

    def flood() -> None:
        # Answered once the writer is let go; the client waits longer than the busy timeout.
        run.call("POST", f"{users}/{erin}/deactivate", admin, timeout=180)

    def saturated() -> bool:
        # A probe that arrives before the flood has filled the queue is queued itself, behind the
        # held writer: it is not answered until the writer is let go, so a short wait that runs
        # out means "not full yet" (and the probe, still queued, helps fill it).
        try:
            return run.call("GET", "/api/v1/admin/providers", admin, timeout=2)[0] == 503
        except (TimeoutError, urllib.error.URLError):
            return False

    try:
        for _ in range(70):
            threads.append(threading.Thread(target=flood))
            threads[-1].start()
        saturated_by = time.monotonic() + 60
        while not saturated():
            if time.monotonic() > saturated_by:
                raise SystemExit("the admin executor's queue did not fill behind the held writer")
        for template, item in document["paths"].items():
            if template == "/api/v1/openapi.json":
                continue
            for method, spec in item.items():
                path = re.sub(r"\{[a-z_]+\}", str(erin), template.replace("{provider}", "dev"))
                body = {"username": "frank"} if spec["operationId"] == "createUser" else ({"password": "p4ssword"} if "requestBody" in spec else None)
                expect(method.upper(), template, path, 503, body=body)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        for thread in threads:
            thread.join()
    return reached


def main() -> int:
    directory = Path(tempfile.mkdtemp(prefix="gatehouse-api-"))
    run = Run(directory)
    try:
        run.configure()
        run.seed()
        run.start()
        run.sign_in("alice", "correct horse battery")
        document = run.document()
        operations = {(method.upper(), path): spec for path, item in document["paths"].items() for method, spec in item.items()}
        runs = [("admin", run.tokens["st-admin"], None, ["revokeToken"])]
        runs += [(scope, run.tokens[f"st-{scope.replace(':', '-')}"], None, ["revokeToken"]) for scope in SCOPES]
        runs += [("revoke-token", run.tokens["st-revoker"], ["revokeToken"], None)]
        observed: set[tuple[str, str, int]] = set()
        total_cases = 0
        for name, token, include, exclude in runs:
            tested, generated, seen = summarize(run.schemathesis(name, token, include, exclude))
            total_cases += generated
            observed |= seen
            print(f"schemathesis {name}: {tested} operations, {generated} generated cases, no failure")
        observed |= reach_the_rest(run, document)
        unreached = []
        for (method, path), spec in sorted(operations.items()):
            for status in spec["responses"]:
                if (method, path, int(status)) not in observed:
                    unreached.append(f"{method} {path} {status}")
        print(f"schemathesis: {len(operations)} operations in the document, {len(runs)} runs, {total_cases} generated cases")
        if unreached:
            print("documented statuses no generated request reached:\n  " + "\n  ".join(unreached))
            return 1
        print("every documented status was answered at least once")
        return 0
    finally:
        run.stop()
        if os.environ.get("API_TEST_KEEP"):
            print(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
