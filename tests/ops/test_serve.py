"""`crisisbot serve` as an operator starts it: JSON logs on standard error and /metrics, from the command line."""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from aiohttp import web

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.slow
@pytest.mark.parametrize("metrics", ["on", "off"])
def test_serve_with_json_logs_and_metrics(tmp_path: Path, metrics: str) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "MICROSOFT_", "CRISISBOT_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/crisis.db", CRISISBOT_METRICS=metrics, CRISISBOT_LOG_FORMAT="json",
               PYTHONPATH=str(REPO))
    server = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve", "--port", str(port)], cwd=tmp_path,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        status, body = get(f"http://127.0.0.1:{port}/metrics")
    finally:
        server.send_signal(signal.SIGINT)
        _, errors = server.communicate(timeout=30)
    if metrics == "on":
        assert status == 200 and "crisisbot_active_incidents" in body and "crisisbot_database_up 1.0" in body
    else:
        assert status == 404
    lines = [json.loads(line) for line in errors.splitlines()]  # every line of the log is one JSON object
    assert any("listening on http://127.0.0.1:" in line["message"] for line in lines), errors
    assert all(line["level"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL") for line in lines)


async def test_once_started_the_server_leaves_what_start_up_built_out_of_the_cycle_collector() -> None:
    from adapters.server import _settle_memory

    gc.unfreeze()
    built = [[n] for n in range(1000)]  # objects start-up made, alive for the server's life
    try:
        await _settle_memory(web.Application())
        # Frozen: a full collection no longer walks them (it stopped the event loop ~80 ms a second under a burst).
        assert gc.get_freeze_count() >= len(built)
    finally:
        gc.unfreeze()
