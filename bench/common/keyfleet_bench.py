"""What the node benchmarks share: a keyfleet server on a free port and a loopback
network of its own, a boto3 client for it, tiny RESP calls, polling with deadlines,
and processes cleaned up at exit."""

import atexit
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
KEYFLEET_BIN = os.environ.get("KEYFLEET_BIN", str(ROOT / "build" / "keyfleet"))

_processes = []
_directories = []


def _cleanup():
    for process in reversed(_processes):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    for directory in _directories:
        shutil.rmtree(directory, ignore_errors=True)


atexit.register(_cleanup)
signal.signal(signal.SIGTERM, lambda *_: exit(143))


def spawn(arguments, log=None, **kwargs):
    """Starts a process that is stopped at exit; its output goes to the file log, if given."""
    output = open(log, "ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(arguments, stdout=output, stderr=output, **kwargs)
    _processes.append(process)
    return process


def temp_dir(prefix):
    directory = tempfile.mkdtemp(prefix=prefix)
    _directories.append(directory)
    return directory


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_loopback_network(first, last):
    """An N in first..last such that nothing listens in 127.N.0.0/16."""
    listening = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True).stdout
    candidates = list(range(first, last + 1))
    random.shuffle(candidates)
    for network in candidates:
        if f" 127.{network}." not in listening:
            return network
    raise SystemExit(f"no free loopback network in 127.{first}-{last}")


def wait_until(predicate, timeout, interval=0.005, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def median(values):
    return statistics.median(values)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def node_pids(nodes_dir, include_pool=False):
    """redis-server processes working under nodes_dir (pool nodes left out unless asked)."""
    nodes_dir = os.path.realpath(nodes_dir)
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as comm:
                if comm.read().strip() != "redis-server":
                    continue
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        if cwd.startswith(nodes_dir + "/") and (include_pool or not cwd.startswith(nodes_dir + "/pool/")):
            pids.append(int(entry))
    return pids


def resp(host, port, *arguments, timeout=1.0):
    """One command over a fresh connection; the reply's first line (decoded)."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(encode(arguments))
        return read_line(s)


def encode(arguments):
    out = [f"*{len(arguments)}\r\n".encode()]
    for argument in arguments:
        data = argument if isinstance(argument, bytes) else str(argument).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def read_line(s):
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data.decode(errors="replace").split("\r\n")[0]


class Keyfleet:
    """A keyfleet server for one benchmark: its own data dir, port and loopback network."""

    def __init__(self, *extra, network_range=(100, 199)):
        self.data_dir = temp_dir("keyfleet-bench.")
        self.port = free_port()
        self.network = free_loopback_network(*network_range)
        self.process = spawn([KEYFLEET_BIN, "serve", "--port", str(self.port), "--data-dir", self.data_dir,
                              "--loopback-network", str(self.network), "--log-level", os.environ.get("KEYFLEET_LOG_LEVEL", "warn"), *extra],
                             log=os.environ.get("KEYFLEET_LOG"))
        wait_until(self._healthy, 30, 0.01, "keyfleet to answer")
        self.client = boto3.client(
            "elasticache", endpoint_url=f"http://127.0.0.1:{self.port}", region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}))

    def _healthy(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_keyfleet/health", timeout=1) as answer:
            return answer.status == 200

    @property
    def nodes_dir(self):
        return os.path.join(self.data_dir, "nodes")

    def group_status(self, group_id):
        try:
            return self.client.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]["Status"]
        except self.client.exceptions.ReplicationGroupNotFoundFault:
            return None

    def cluster_status(self, cluster_id):
        try:
            return self.client.describe_cache_clusters(CacheClusterId=cluster_id)["CacheClusters"][0]["CacheClusterStatus"]
        except self.client.exceptions.CacheClusterNotFoundFault:
            return None

    def delete_group(self, group_id):
        """Deletes the group once no change runs on it (a failover may still be finishing), and waits until it is gone."""
        def deleted():
            try:
                self.client.delete_replication_group(ReplicationGroupId=group_id)
                return True
            except self.client.exceptions.InvalidReplicationGroupStateFault:
                return False
        wait_until(deleted, 60, 0.02, f"{group_id} deletable")
        wait_until(lambda: self.group_status(group_id) is None, 60, 0.02, f"{group_id} deleted")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def machine():
    version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()
    redis_version = next((word[2:] for word in version if word.startswith("v=")), "?")
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
            f"load {os.getloadavg()[0]:.2f}, redis-server {redis_version}")
