"""The real server: ``motion-outcome serve`` as a subprocess on a free loopback port, with two
worker processes, settings from both flags and environment, spoken to over sockets."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

from service_helpers import DECISION, GRANT, free_port, model_dir_for_tests

START_TIMEOUT = 300  # two workers each load the model; the CI machine may be busy
KEY = "server-test-key"


def _wait_ready(process: subprocess.Popen, base: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stderr.read()[-3000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"server not ready after {timeout} s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(default_model_dir, tmp_path_factory):
    port = free_port()
    env = {**os.environ, "MOTION_OUTCOME_API_KEYS": KEY, "MOTION_OUTCOME_MAX_TEXT_CHARS": "1000"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path_factory.mktemp("server") / "stderr.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "motion_outcome.cli", "serve", "--model", str(model_dir_for_tests(default_model_dir)),
             "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--max-batch-documents", "2"],
            env=env, stdout=subprocess.DEVNULL, stderr=stderr, text=True)
    process.stderr = open(log)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base, START_TIMEOUT)
        yield base, port
    finally:
        _stop(process)
        process.stderr.close()


def test_predicts_over_the_network_with_settings_from_flags_and_environment(server):
    base, _ = server
    with httpx.Client(base_url=base, headers={"X-API-Key": KEY}, timeout=30) as http:
        first = http.post("/v1/predict", json={"id": "n1", "text": DECISION})
        assert first.status_code == 200
        assert first.json()["id"] == "n1" and first.json()["disposition_evidence"]
        for _ in range(7):  # spread over both workers: every answer is the same
            assert http.post("/v1/predict", json={"id": "n1", "text": DECISION}).json() == first.json()
        too_long = http.post("/v1/predict", json={"text": "x" * 1001})  # env: MAX_TEXT_CHARS=1000
        assert too_long.status_code == 413 and "over the limit of 1000" in too_long.json()["detail"]
        batch = http.post("/v1/predict/batch", json={"documents": [{"text": GRANT}] * 3})  # flag: 2 documents
        assert batch.status_code == 413 and "over the limit of 2" in batch.json()["detail"]
        assert httpx.post(f"{base}/v1/predict", json={"text": DECISION}).status_code == 401  # env: API key
        metrics = http.get("/metrics").text
    # both workers' counts, summed through the multiprocess directory the serve command set up
    match = re.search(r'motion_outcome_requests_total\{endpoint="/v1/predict",method="POST",status="200"\} (\S+)', metrics)
    assert match and float(match.group(1)) == 8.0


def test_raw_socket_request_and_malformed_json(server):
    _, port = server
    body = b'{"text": "The motion is'
    request = (b"POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               b"X-API-Key: " + KEY.encode() + b"\r\nContent-Length: " + str(len(body)).encode() +
               b"\r\nConnection: close\r\n\r\n" + body)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, payload = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 422")
    assert b"malformed JSON" in payload
    assert b"x-request-id:" in head.lower()


def test_bad_model_path_stops_uvicorn_at_start_up(tmp_path):
    missing = tmp_path / "missing-model"
    env = {**os.environ, "MOTION_OUTCOME_MODEL": str(missing)}
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app", "--host", "127.0.0.1",
         "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"model directory not found: {missing}" in result.stderr
    assert "Application startup failed" in result.stderr
