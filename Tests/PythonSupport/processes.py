"""What the Python-driven tests (the browser walks, the API tester) share: the Gatehouse binary
under test, an environment without the developer's GATEHOUSE_* overrides, ports reserved for
the whole run, and subprocesses that are stopped for sure (SIGTERM, then SIGKILL after a short
grace), also when a test or its set-up fails."""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Not GATEHOUSE_*: Gatehouse reads those as configuration overrides.
GATEHOUSE_BIN = Path(os.environ.get("TEST_GATEHOUSE_BIN") or REPO / ".build" / "debug" / "gatehouse")

# Seconds: how long a process may take to listen, and to stop politely.
LISTEN_TIMEOUT = 30
STOP_GRACE = 3


def clean_environment() -> dict[str, str]:
    """This environment without GATEHOUSE_* variables, so none of the developer's own overrides
    reaches the Gatehouse under test."""
    return {name: value for name, value in os.environ.items() if not name.startswith("GATEHOUSE_")}


_reserved_ports: list[socket.socket] = []


def free_port() -> int:
    """A port on 127.0.0.1 no other process will be given: a socket with SO_REUSEADDR stays
    bound to it (never listening) while the tests run. A port picked free and released before a
    server binds it can meanwhile go to any other bind(0); a bound one never does, while servers
    that set SO_REUSEADDR (gatehouse, nginx) still bind and listen on it."""
    reservation = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    reservation.bind(("127.0.0.1", 0))
    _reserved_ports.append(reservation)
    return reservation.getsockname()[1]


class ManagedProcess:
    """A subprocess whose output goes to a log file, stopped for sure by `stop()`."""

    def __init__(self, name: str, argv: list[str], log_path: Path, cwd: Path | None = None, env: dict[str, str] | None = None):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, cwd=cwd, env=env if env is not None else clean_environment(),
            start_new_session=True
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def wait_for_port(self, port: int, timeout: float = LISTEN_TIMEOUT) -> None:
        """Returns once something accepts connections on the port; fails early if the process died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                raise RuntimeError(f"{self.name} exited with {code} before listening on {port}:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not listen on {port} within {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a short grace: the process may ignore SIGTERM."""
        if self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGTERM)
                self.process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_GRACE)
            except ProcessLookupError:
                pass
        self._log.close()


live_processes: list[ManagedProcess] = []


@atexit.register
def _stop_leftovers() -> None:
    """A last resort if the interpreter exits without running a class clean-up."""
    for managed in list(live_processes):
        managed.stop()
