"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def yuqing_command(*args: str) -> list[str]:
    """The yuqing CLI as a subprocess command line, with this interpreter."""
    return [sys.executable, "-m", "yuqing", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class RunningYuqing:
    url: str
    process: subprocess.Popen[str]
    log: Path
