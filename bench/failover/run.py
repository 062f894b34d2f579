"""Failover: time from kill -9 (or SIGSTOP) of a primary's redis-server to the first
successful write, keyfleet beside Redis Cluster and redis-sentinel at their defaults,
in one run. Prints markdown.

The writers are plain RESP clients over raw sockets, as an application's client would
be: one connection kept open and opened again after any error or unanswered write;
in cluster mode a slot map from CLUSTER SLOTS, MOVED followed, and the map read again
from the first node that answers after a connection error."""

import atexit
import fcntl
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import keyfleet_bench as kb  # noqa: E402

RUNS = int(os.environ.get("RUNS", "5"))
PEER_RUNS = int(os.environ.get("PEER_RUNS", "3"))
PEERS = os.environ.get("PEERS", "1") != "0"
ATTEMPT_TIMEOUT = 0.1  # a paused node accepts connections but never answers: give up on an attempt after this
PAUSE = 0.0005  # between failed attempts; a busier loop would take CPU from the failover it measures
KEY = "bench:failover"


# --- RESP over a raw socket ---------------------------------------------------------

class ReplyError(str):
    pass


def read_reply(stream):
    line = stream.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("connection closed")
    kind, body = line[:1], line[1:-2].decode()
    if kind == b"+":
        return body
    if kind == b"-":
        return ReplyError(body)
    if kind == b":":
        return int(body)
    if kind == b"$":
        if int(body) < 0:
            return None
        data = stream.read(int(body) + 2)
        if len(data) < int(body) + 2:
            raise ConnectionError("connection closed")
        return data[:-2].decode(errors="replace")
    if kind == b"*":
        return None if int(body) < 0 else [read_reply(stream) for _ in range(int(body))]
    raise ConnectionError(f"unexpected reply {line!r}")


class Connection:
    def __init__(self, address, timeout=ATTEMPT_TIMEOUT):
        self.sock = socket.create_connection(address, timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.stream = self.sock.makefile("rb")

    def call(self, *arguments):
        self.sock.sendall(kb.encode(arguments))
        return read_reply(self.stream)

    def close(self):
        self.stream.close()
        self.sock.close()


def call(address, *arguments, timeout=1.0):
    connection = Connection(address, timeout)
    try:
        return connection.call(*arguments)
    finally:
        connection.close()


class EndpointWriter:
    """SET through one address, on a connection kept open until an attempt fails."""

    def __init__(self, address):
        self.address = address
        self.connection = None

    def write(self):
        try:
            if self.connection is None:
                self.connection = Connection(self.address)
            if self.connection.call("SET", KEY, "x") == "OK":
                return True
        except (OSError, ValueError):
            pass
        self.close()
        return False

    def close(self):
        if self.connection:
            self.connection.close()
        self.connection = None


def crc16(data):
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
    return crc & 0xFFFF


def key_slot(key):
    return crc16(key.encode()) % 16384


class ClusterWriter:
    """SET of one key as a cluster client does it: to the slot's owner in the last map read,
    following MOVED; after a connection error the map is read again (CLUSTER SLOTS) from the
    seeds, then the nodes of the last map, in order, the first that answers."""

    def __init__(self, seeds, key):
        self.seeds = list(seeds)
        self.key = key
        self.slot = key_slot(key)
        self.nodes = []
        self.owner = None
        self.connections = {}

    def _connection(self, address):
        if address not in self.connections:
            self.connections[address] = Connection(address)
        return self.connections[address]

    def _drop(self, address):
        connection = self.connections.pop(address, None)
        if connection:
            connection.close()

    def refresh(self):
        for address in self.seeds + [node for node in self.nodes if node not in self.seeds]:
            try:
                slots = self._connection(address).call("CLUSTER", "SLOTS")
            except (OSError, ValueError):
                self._drop(address)
                continue
            if not isinstance(slots, list):
                continue
            nodes, owner = [], None
            for first, last, primary, *replicas in slots:
                for node in [primary, *replicas]:
                    if (node[0], int(node[1])) not in nodes:
                        nodes.append((node[0], int(node[1])))
                if first <= self.slot <= last:
                    owner = (primary[0], int(primary[1]))
            self.nodes, self.owner = nodes, owner
            return owner is not None
        return False

    def write(self):
        if self.owner is None and not self.refresh():
            return False
        for _ in range(3):  # MOVED hops
            address = self.owner
            try:
                reply = self._connection(address).call("SET", self.key, "x")
            except (OSError, ValueError):
                self._drop(address)
                break
            if reply == "OK":
                return True
            if not (isinstance(reply, ReplyError) and reply.startswith("MOVED ")):
                break  # CLUSTERDOWN, TRYAGAIN, ...: read the map again next attempt
            host, port = reply.split()[2].rsplit(":", 1)
            self.owner = (host, int(port))
        self.owner = None
        return False

    def close(self):
        for address in list(self.connections):
            self._drop(address)


def key_in_shard(primary_address):
    """A key whose slot the primary at primary_address serves."""
    slots = call(primary_address, "CLUSTER", "SLOTS")
    ranges = [(first, last) for first, last, primary, *_ in slots
              if (primary[0], int(primary[1])) == primary_address]
    for n in range(100000):
        key = f"bench:failover:{n}"
        if any(first <= key_slot(key) <= last for first, last in ranges):
            return key
    raise SystemExit(f"no key for the shard of {primary_address}")


# --- timing -------------------------------------------------------------------------

paused = []


@atexit.register
def _resume_paused():  # registered after keyfleet_bench's cleanup, so it runs before it
    for pid in paused:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


def time_to_write(pid, fault_signal, write, timeout):
    """Sends the signal, then writes until a write succeeds; seconds from just before the signal."""
    if fault_signal == signal.SIGSTOP:
        paused.append(pid)
    started = time.monotonic()
    os.kill(pid, fault_signal)
    while not write():
        if time.monotonic() - started > timeout:
            raise SystemExit(f"no successful write {timeout} s after the fault")
        time.sleep(PAUSE)
    elapsed = time.monotonic() - started
    if fault_signal == signal.SIGSTOP:
        try:
            os.kill(pid, signal.SIGCONT)  # keyfleet has killed it by now; in case it has not
        except ProcessLookupError:
            pass
        paused.remove(pid)
    return elapsed


# --- keyfleet -----------------------------------------------------------------------

def reserve_loopback_network(first=200, last=250):
    """An N nothing listens in, under the lock file the integration tests take for theirs
    (tests/integration/lib.sh), held until this process exits."""
    listening = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True).stdout
    candidates = list(range(first, last + 1))
    random.shuffle(candidates)
    for network in candidates:
        fd = os.open(os.path.join(tempfile.gettempdir(), f"keyfleet-loopback-network.{network}.lock"),
                     os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if f" 127.{network}." not in listening:
                return network
        except BlockingIOError:
            pass
        os.close(fd)
    raise SystemExit(f"no free loopback network in 127.{first}-{last}")


def node_pid(server, cluster_id):
    """The redis-server whose working directory is the node's, <data-dir>/nodes/<cluster>/<node>."""
    for pid in kb.node_pids(server.nodes_dir):
        if os.readlink(f"/proc/{pid}/cwd").rstrip("/").split("/")[-2] == cluster_id:
            return pid
    raise SystemExit(f"no redis-server for {cluster_id}")


def describe_group(server, group_id):
    return server.client.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]


def node_addresses(server, group_id):
    return {c["CacheClusterId"]: (c["CacheNodes"][0]["Endpoint"]["Address"], c["CacheNodes"][0]["Endpoint"]["Port"])
            for c in server.client.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
            if c.get("ReplicationGroupId") == group_id}


def settled(server, group_id):
    """available, every node back (the failed one as a replica) and every replica in sync."""
    if describe_group(server, group_id)["Status"] != "available":
        return False
    clusters = [c for c in server.client.describe_cache_clusters()["CacheClusters"]
                if c.get("ReplicationGroupId") == group_id]
    if any(c["CacheClusterStatus"] != "available" for c in clusters):
        return False
    for address in node_addresses(server, group_id).values():
        info = call(address, "INFO", "replication")
        if "role:master" in info and "state=online" not in info:
            return False
        if "role:slave" in info and "master_link_status:up" not in info:
            return False
    return True


def create_group(server, group_id, **arguments):
    server.client.create_replication_group(
        ReplicationGroupId=group_id, ReplicationGroupDescription="bench failover", Engine="redis",
        CacheNodeType="cache.t3.micro", AutomaticFailoverEnabled=True, **arguments)


def keyfleet_disabled(server, fault_signal, runs):
    group_id = "fo-disabled"
    create_group(server, group_id, NumCacheClusters=2)
    times = []
    for _ in range(runs):
        kb.wait_until(lambda: settled(server, group_id), 120, 0.02, f"{group_id} available with its replica in sync")
        group = describe_group(server, group_id)
        endpoint = group["NodeGroups"][0]["PrimaryEndpoint"]
        primary = next(m["CacheClusterId"] for m in group["NodeGroups"][0]["NodeGroupMembers"]
                       if m["CurrentRole"] == "primary")
        writer = EndpointWriter((endpoint["Address"], endpoint["Port"]))
        kb.wait_until(writer.write, 10, PAUSE, "a write through the primary endpoint")
        times.append(time_to_write(node_pid(server, primary), fault_signal, writer.write, 60))
        writer.close()
    server.delete_group(group_id)
    return times


def keyfleet_enabled(server, fault_signal, runs):
    group_id = "fo-enabled"
    create_group(server, group_id, NumNodeGroups=2, ReplicasPerNodeGroup=1,
                 CacheParameterGroupName="default.redis7.cluster.on")
    times = []
    for _ in range(runs):
        kb.wait_until(lambda: settled(server, group_id), 120, 0.02, f"{group_id} available with its replicas in sync")
        configuration = describe_group(server, group_id)["ConfigurationEndpoint"]
        # The primary of shard 0001 (cluster mode reports no CurrentRole: ask the nodes).
        shard_of = {m["CacheClusterId"]: shard["NodeGroupId"] for shard in describe_group(server, group_id)["NodeGroups"]
                    for m in shard["NodeGroupMembers"]}
        primary = next(cluster for cluster, address in node_addresses(server, group_id).items()
                       if shard_of[cluster] == "0001" and call(address, "ROLE")[0] == "master")
        key = key_in_shard(node_addresses(server, group_id)[primary])
        writer = ClusterWriter([(configuration["Address"], configuration["Port"])], key)
        kb.wait_until(writer.write, 10, PAUSE, "a write to the shard")
        times.append(time_to_write(node_pid(server, primary), fault_signal, writer.write, 60))
        writer.close()
    server.delete_group(group_id)
    return times


# --- peers at their defaults --------------------------------------------------------

def free_ports(count):
    """Free ports whose cluster bus port (port + 10000) exists too."""
    ports = []
    while len(ports) < count:
        port = kb.free_port()
        if port + 10000 <= 65535 and port not in ports:
            ports.append(port)
    return ports


def stop(processes):
    for process in processes:
        process.kill()
        process.wait()


def redis_cluster_defaults(runs):
    times = []
    for _ in range(runs):
        directory = kb.temp_dir("bench-redis-cluster.")
        ports = free_ports(6)
        processes = {}
        for port in ports:
            node_dir = os.path.join(directory, str(port))
            os.makedirs(node_dir)
            processes[port] = kb.spawn(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled",
                                        "yes", "--save", "", "--appendonly", "no"], cwd=node_dir)
        for port in ports:
            kb.wait_until(lambda: call(("127.0.0.1", port), "PING") == "PONG", 10, 0.005, "redis-server to answer")
        subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{p}" for p in ports], "--cluster-replicas",
                        "1", "--cluster-yes"], check=True, capture_output=True)
        for port in ports:
            kb.wait_until(lambda: "cluster_state:ok" in call(("127.0.0.1", port), "CLUSTER", "INFO"), 60, 0.02,
                          "cluster_state:ok")
        # A replica that has not finished its first sync (Redis delays it 5 s by default) cannot take over.
        for port in ports:
            kb.wait_until(lambda: "role:master" in (info := call(("127.0.0.1", port), "INFO", "replication"))
                          or "master_link_status:up" in info, 60, 0.05, "replicas in sync")
        victim = ("127.0.0.1", ports[0])  # redis-cli makes the first three nodes primaries
        key = key_in_shard(victim)
        writer = ClusterWriter([("127.0.0.1", port) for port in ports], key)
        kb.wait_until(writer.write, 10, PAUSE, "a write to the shard")
        times.append(time_to_write(processes[ports[0]].pid, signal.SIGKILL, writer.write, 120))
        writer.close()
        stop(processes.values())
    return times


class SentinelWriter:
    """SET to the primary the sentinels report (asked every attempt, the first sentinel that answers)."""

    def __init__(self, sentinel_ports):
        self.sentinels = [("127.0.0.1", port) for port in sentinel_ports]
        self.writer = None

    def write(self):
        for sentinel in self.sentinels:
            try:
                host, port = call(sentinel, "SENTINEL", "get-master-addr-by-name", "bench", timeout=ATTEMPT_TIMEOUT)
                break
            except (OSError, ValueError, TypeError):
                continue
        else:
            return False
        if self.writer is None or self.writer.address != (host, int(port)):
            if self.writer:
                self.writer.close()
            self.writer = EndpointWriter((host, int(port)))
        return self.writer.write()


def sentinel_defaults(runs):
    times = []
    for _ in range(runs):
        directory = kb.temp_dir("bench-sentinel.")
        primary_port, replica_port, *sentinel_ports = free_ports(5)
        primary = kb.spawn(["redis-server", "--port", str(primary_port), "--bind", "127.0.0.1", "--save", ""],
                           cwd=directory)
        replica = kb.spawn(["redis-server", "--port", str(replica_port), "--bind", "127.0.0.1", "--save", "",
                            "--replicaof", "127.0.0.1", str(primary_port)], cwd=directory)
        sentinels = []
        for port in sentinel_ports:
            config = os.path.join(directory, f"sentinel-{port}.conf")
            with open(config, "w") as out:  # nothing but the monitor line: every other setting at its default
                out.write(f"port {port}\nbind 127.0.0.1\nsentinel monitor bench 127.0.0.1 {primary_port} 2\n")
            sentinels.append(kb.spawn(["redis-server", config, "--sentinel"], cwd=directory))

        def sentinels_ready():
            for port in sentinel_ports:
                fields = call(("127.0.0.1", port), "SENTINEL", "master", "bench")
                fields = dict(zip(fields[::2], fields[1::2]))
                if fields.get("num-slaves") != "1" or fields.get("num-other-sentinels") != "2":
                    return False
            return True

        kb.wait_until(lambda: "master_link_status:up" in call(("127.0.0.1", replica_port), "INFO", "replication"),
                      30, 0.02, "the replica in sync")
        kb.wait_until(sentinels_ready, 60, 0.05, "the sentinels to find the replica and each other")
        writer = SentinelWriter(sentinel_ports)
        kb.wait_until(writer.write, 10, PAUSE, "a write to the primary")
        times.append(time_to_write(primary.pid, signal.SIGKILL, writer.write, 120))
        writer.writer.close()
        stop([primary, replica, *sentinels])
    return times


# --- report -------------------------------------------------------------------------

def row(name, times, keyfleet_times=None):
    ms = [t * 1000 for t in times]
    ratio = f"{kb.median(times) / kb.median(keyfleet_times):.0f}x" if keyfleet_times else ""
    return f"| {name} | {kb.median(ms):.1f} | {min(ms):.1f} | {max(ms):.1f} | {len(ms)} | {ratio} |"


def main():
    network = reserve_loopback_network()
    server = kb.Keyfleet("--cluster-node-pool", "4", network_range=(network, network))
    version = subprocess.run([kb.KEYFLEET_BIN, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"failover: keyfleet on 127.0.0.1:{server.port}, nodes in 127.{network}.0.0/16", file=sys.stderr)
    results = {}
    for name, measure in [("disabled kill", lambda: keyfleet_disabled(server, signal.SIGKILL, RUNS)),
                          ("disabled stop", lambda: keyfleet_disabled(server, signal.SIGSTOP, RUNS)),
                          ("enabled kill", lambda: keyfleet_enabled(server, signal.SIGKILL, RUNS)),
                          ("enabled stop", lambda: keyfleet_enabled(server, signal.SIGSTOP, RUNS))]:
        print(f"failover: keyfleet {name}, {RUNS} runs", file=sys.stderr)
        results[name] = measure()
    server.stop()
    if PEERS:
        print(f"failover: Redis Cluster, {PEER_RUNS} runs", file=sys.stderr)
        results["cluster"] = redis_cluster_defaults(PEER_RUNS)
        print(f"failover: redis-sentinel, {PEER_RUNS} runs", file=sys.stderr)
        results["sentinel"] = sentinel_defaults(PEER_RUNS)

    redis_version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.strip()
    print("## failover\n")
    print(f"- {kb.machine()} ({redis_version.split(' sha=')[0]}); {version}")
    print(f"- Command: `RUNS={RUNS} PEER_RUNS={PEER_RUNS} PEERS={int(PEERS)} bench/failover/run.sh`")
    print("- Time from the signal (sent from outside to the primary's redis-server) to the first successful")
    print(f"  SET. Writers keep a connection open and reconnect after an error or {ATTEMPT_TIMEOUT * 1000:.0f} ms without answer,")
    print(f"  {PAUSE * 1000} ms between failed attempts: cluster mode disabled through the PrimaryEndpoint; cluster")
    print("  mode enabled (and Redis Cluster) to a key of the failed shard, following MOVED and reading CLUSTER")
    print("  SLOTS again after a connection error; sentinel to the address get-master-addr-by-name reports.\n")
    print("| scenario | median ms | min | max | runs | ratio vs keyfleet kill -9 (same cluster mode) |")
    print("|---|---:|---:|---:|---:|---:|")
    print(row("keyfleet, cluster mode disabled (1 primary + 1 replica), kill -9 primary", results["disabled kill"]))
    print(row("keyfleet, cluster mode disabled, SIGSTOP primary", results["disabled stop"]))
    print(row("keyfleet, cluster mode enabled (2 shards x 1 replica), kill -9 primary", results["enabled kill"]))
    print(row("keyfleet, cluster mode enabled, SIGSTOP primary", results["enabled stop"]))
    if PEERS:
        print(row("Redis Cluster 3 x 1, cluster-node-timeout 15000 (default), kill -9 primary", results["cluster"],
                  results["enabled kill"]))
        print(row("redis-sentinel x 3 (quorum 2), down-after-milliseconds 30000 (default), kill -9 primary",
                  results["sentinel"], results["disabled kill"]))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)  # the atexit handlers stop every process
