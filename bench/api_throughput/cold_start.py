#!/usr/bin/env python3
# Cold start: time from spawning a server to its first answered request, median of N runs.
#
#   cold_start.py RUNS keyfleet BINARY     keyfleet serve, a fresh data dir each run (migrations included)
#   cold_start.py RUNS moto BINARY         moto_server
#
# Two marks per run, both from just before the spawn: the first 200 to a plain GET
# (keyfleet's health endpoint, moto's root) and the first 200 to a signed
# DescribeCacheSubnetGroups (signed before the spawn, so signing costs nothing).
# The socket is polled every 0.5 ms. Prints one JSON line.
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from signed_request import sign

POLL_SECONDS = 0.0005
DEADLINE_SECONDS = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ask(port, raw):
    """Sends one raw HTTP/1.1 request; the status code, or None if nothing listens yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_SECONDS) as s:
            s.sendall(raw)
            answer = b""
            while b"\r\n" not in answer:
                chunk = s.recv(4096)
                if not chunk:
                    return None
                answer += chunk
            return int(answer.split(b" ", 2)[1])
    except (ConnectionRefusedError, ConnectionResetError):
        return None


def wait_for_200(process, port, raw, started):
    while time.perf_counter() - started < DEADLINE_SECONDS:
        if process.poll() is not None:
            sys.exit(f"server exited with {process.returncode} before answering")
        if ask(port, raw) == 200:
            return time.perf_counter() - started
        time.sleep(POLL_SECONDS)
    sys.exit(f"no 200 within {DEADLINE_SECONDS}s")


def one_run(kind, binary):
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="keyfleet-cold-")
    if kind == "keyfleet":
        command = [binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data_dir,
                   "--log-level", "warn"]
        probe = "/_keyfleet/health"
    else:
        command = [binary, "-H", "127.0.0.1", "-p", str(port)]
        probe = "/"
    host = f"127.0.0.1:{port}"
    plain = f"GET {probe} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    method, path, headers, body = sign(f"http://{host}")
    signed = (f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) +
              f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}").encode()

    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        first = wait_for_200(process, port, plain, started)
        api = wait_for_200(process, port, signed, started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(data_dir, ignore_errors=True)
    return first, api


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("keyfleet", "moto"):
        sys.exit("usage: cold_start.py RUNS keyfleet|moto BINARY")
    runs, kind, binary = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    marks = [one_run(kind, binary) for _ in range(runs)]
    print(json.dumps({
        "server": kind,
        "runs": runs,
        "first_answer_ms": [round(first * 1000, 1) for first, _ in marks],
        "first_api_ms": [round(api * 1000, 1) for _, api in marks],
        "first_answer_median_ms": round(statistics.median(first for first, _ in marks) * 1000, 1),
        "first_api_median_ms": round(statistics.median(api for _, api in marks) * 1000, 1),
    }))


if __name__ == "__main__":
    main()
