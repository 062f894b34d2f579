"""Online resharding: KEYS keys (16-byte values) in a 3-shard group; keyfleet's
ModifyReplicationGroupShardConfiguration 3 -> 4 and 4 -> 3 (request until Describe says
available), beside `redis-cli --cluster rebalance` moving the same keys on plain
redis-servers (3 -> 4 with --cluster-use-empty-masters, 4 -> 3 with the fourth node's
weight at 0), in one run. A redis-py cluster client writes and reads during every move:
its errors and p99 latency per command are reported. Prints markdown."""

import binascii
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import keyfleet_bench as kb  # noqa: E402

KEYS = int(os.environ.get("KEYS", "1000000"))
NODE_TYPE = "cache.r6g.large"  # 13 GB: the keys fit
POLL = 0.02  # a boto3 call costs ~8 ms of CPU: polled back to back it would slow the move
CLIENT = os.path.join(kb.ROOT, "tests", "integration", "cluster_client.py")
VALUE = "v" * 16
# The client pauses between rounds (SET, GET, INCR): an application's steady load rather
# than a loop that takes a core from the move it measures.
CLIENT_PAUSE = os.environ.get("CLIENT_PAUSE", "0.001")


def key_slot(key):
    """CLUSTER KEYSLOT for keys without hash tags: CRC16 (XMODEM) modulo 16384."""
    return binascii.crc_hqx(key.encode(), 0) % 16384


def redis_python():
    for candidate in (sys.executable, "/usr/bin/python3"):
        if subprocess.run([candidate, "-c", "import redis.cluster"], capture_output=True).returncode == 0:
            return candidate
    raise SystemExit("no python3 with redis-py (tools/setup.sh test installs python3-redis)")


def load(owners):
    """owners: [(host, port, [(first, last), ...])]; each primary gets the keys of its slots
    through redis-cli --pipe."""
    directory = kb.temp_dir("reshard-bench-data.")
    files = {}
    for host, port, ranges in owners:
        files[(host, port)] = (open(os.path.join(directory, f"{host}-{port}.resp"), "wb"), ranges)
    for i in range(KEYS):
        key = f"key:{i}"
        slot = key_slot(key)
        for out, ranges in files.values():
            if any(first <= slot <= last for first, last in ranges):
                out.write(kb.encode(("SET", key, VALUE)))
                break
    for (host, port), (out, _) in files.items():
        out.close()
        with open(out.name, "rb") as data:
            subprocess.run(["redis-cli", "-h", host, "-p", str(port), "--pipe"], stdin=data, check=True,
                           capture_output=True)


def dbsize(host, port):
    return int(kb.resp(host, port, "DBSIZE", timeout=5)[1:])


def keys_in(ranges):
    """How many of the benchmark's keys hash into the slot ranges (the client's own keys
    left out)."""
    owned = bytearray(16384)
    for first, last in ranges:
        owned[first:last + 1] = b"\x01" * (last - first + 1)
    return sum(owned[key_slot(f"key:{i}")] for i in range(KEYS))


class Traffic:
    """The cluster client writing and reading until stopped."""

    def __init__(self, python, host, port):
        directory = kb.temp_dir("reshard-bench-client.")
        self.stop_file = os.path.join(directory, "stop")
        self.report = os.path.join(directory, "report.json")
        self.process = kb.spawn([python, CLIENT, "traffic", host, str(port), self.stop_file, self.report,
                                 CLIENT_PAUSE])

    def finish(self):
        open(self.stop_file, "w").close()
        self.process.wait(timeout=60)
        with open(self.report) as report:
            return json.load(report)


# --- keyfleet ------------------------------------------------------------------------------

def node_endpoint(server, cluster_id):
    cluster = server.client.describe_cache_clusters(CacheClusterId=cluster_id, ShowCacheNodeInfo=True)
    endpoint = cluster["CacheClusters"][0]["CacheNodes"][0]["Endpoint"]
    return endpoint["Address"], endpoint["Port"]


def parse_slots(text):
    ranges = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        ranges.append((int(first), int(last or first)))
    return ranges


def keyfleet_reshard(server, python, config, **change):
    traffic = Traffic(python, *config)
    time.sleep(0.5)  # the client connected and running before the move starts
    started = time.monotonic()
    server.client.modify_replication_group_shard_configuration(ReplicationGroupId="bench", ApplyImmediately=True,
                                                               **change)
    kb.wait_until(lambda: server.group_status("bench") == "available", 600, POLL, "bench available")
    elapsed = time.monotonic() - started
    return elapsed, traffic.finish()


def keyfleet_runs(python):
    server = kb.Keyfleet()
    server.client.create_replication_group(ReplicationGroupId="bench", ReplicationGroupDescription="bench",
                                           CacheNodeType=NODE_TYPE, NumNodeGroups=3, ReplicasPerNodeGroup=0,
                                           CacheParameterGroupName="default.redis7.cluster.on")
    kb.wait_until(lambda: server.group_status("bench") == "available", 120, POLL, "bench available")
    group = server.client.describe_replication_groups(ReplicationGroupId="bench")["ReplicationGroups"][0]
    load([(*node_endpoint(server, f"bench-{node_group['NodeGroupId']}-001"), parse_slots(node_group["Slots"]))
          for node_group in group["NodeGroups"]])
    config = (group["ConfigurationEndpoint"]["Address"], group["ConfigurationEndpoint"]["Port"])
    out_time, out_client = keyfleet_reshard(server, python, config, NodeGroupCount=4)
    group = server.client.describe_replication_groups(ReplicationGroupId="bench")["ReplicationGroups"][0]
    fourth = next(g for g in group["NodeGroups"] if g["NodeGroupId"] == "0004")
    moved_out = keys_in(parse_slots(fourth["Slots"]))
    assert dbsize(*node_endpoint(server, "bench-0004-001")) >= moved_out
    in_time, in_client = keyfleet_reshard(server, python, config, NodeGroupCount=3, NodeGroupsToRemove=["0004"])
    total = sum(dbsize(*node_endpoint(server, f"bench-000{n}-001")) for n in (1, 2, 3))
    assert total >= KEYS, total
    server.stop()
    return (out_time, moved_out, out_client), (in_time, moved_out, in_client)


# --- redis-cli on plain redis-servers -------------------------------------------------------

def redis_cli(*arguments):
    return subprocess.run(["redis-cli", *arguments], check=True, capture_output=True, text=True).stdout


def cluster_ok(port):
    if "cluster_state:ok" not in redis_cli("-p", str(port), "CLUSTER", "INFO"):
        return False
    check = subprocess.run(["redis-cli", "--cluster", "check", f"127.0.0.1:{port}"], capture_output=True, text=True)
    return check.returncode == 0 and "[OK] All 16384 slots covered" in check.stdout


def redis_cli_runs(python):
    directory = kb.temp_dir("reshard-bench-redis.")
    ports = []
    while len(ports) < 4:
        port = kb.free_port()
        if port + 10000 <= 65535 and port not in ports:
            ports.append(port)
    for port in ports:
        node_dir = os.path.join(directory, str(port))
        os.makedirs(node_dir)
        kb.spawn(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                  "--save", "", "--appendonly", "no", "--dir", node_dir], cwd=node_dir)
    for port in ports:
        kb.wait_until(lambda: kb.resp("127.0.0.1", port, "PING") == "+PONG", 10, 0.005, f"node {port}")
    redis_cli("--cluster", "create", *[f"127.0.0.1:{port}" for port in ports[:3]], "--cluster-yes")
    kb.wait_until(lambda: cluster_ok(ports[0]), 60, 0.05, "the plain cluster")
    slots = json.loads(redis_cli("-p", str(ports[0]), "--json", "CLUSTER", "SLOTS"))
    owners = {}
    for first, last, primary, *_ in slots:
        owners.setdefault((primary[0], primary[1]), []).append((first, last))
    load([(host, port, ranges) for (host, port), ranges in owners.items()])
    redis_cli("--cluster", "add-node", f"127.0.0.1:{ports[3]}", f"127.0.0.1:{ports[0]}")
    kb.wait_until(lambda: cluster_ok(ports[0]) and cluster_ok(ports[3]), 60, 0.05, "the fourth node")

    def timed_rebalance(*arguments):
        traffic = Traffic(python, "127.0.0.1", ports[0])
        time.sleep(0.5)
        started = time.monotonic()
        redis_cli("--cluster", "rebalance", f"127.0.0.1:{ports[0]}", *arguments)
        elapsed = time.monotonic() - started
        return elapsed, traffic.finish()

    out_time, out_client = timed_rebalance("--cluster-use-empty-masters")
    fourth_slots = [(first, last) for first, last, primary, *_ in
                    json.loads(redis_cli("-p", str(ports[0]), "--json", "CLUSTER", "SLOTS")) if primary[1] == ports[3]]
    moved_out = keys_in(fourth_slots)
    fourth = redis_cli("-p", str(ports[3]), "CLUSTER", "MYID").strip()
    in_time, in_client = timed_rebalance("--cluster-weight", f"{fourth}=0")
    assert not [slot for slot in json.loads(redis_cli("-p", str(ports[0]), "--json", "CLUSTER", "SLOTS"))
                if slot[2][1] == ports[3]]
    return (out_time, moved_out, out_client), (in_time, moved_out, in_client)


def main():
    python = redis_python()
    keyfleet = keyfleet_runs(python)
    reference = redis_cli_runs(python)
    print("## reshard\n")
    print(f"- {kb.machine()}")
    print(f"- Command: `KEYS={KEYS} bench/reshard/run.sh`; {KEYS:,} keys key:N -> 16 bytes in 3 shards of one "
          f"primary ({NODE_TYPE}); one run each, keyfleet first")
    print("- keys/s: keys moved to (3 -> 4) or off (4 -> 3) the fourth shard ÷ the time from the request (the "
          "redis-cli command's start) until Describe says available (redis-cli exits)")
    print(f"- client: redis-py's RedisCluster writing and reading through the cluster during the move, "
          f"{CLIENT_PAUSE} s between rounds of SET, GET, INCR\n")
    print("| move | keyfleet s | keys | keyfleet keys/s | redis-cli s | redis-cli keys/s | keyfleet / redis-cli "
          "| client errors (keyfleet, redis-cli) | client p99 ms (keyfleet, redis-cli) |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for name, ours, theirs in (("3 -> 4", keyfleet[0], reference[0]), ("4 -> 3", keyfleet[1], reference[1])):
        our_rate = ours[1] / ours[0]
        their_rate = theirs[1] / theirs[0]
        print(f"| {name} | {ours[0]:.3f} | {ours[1]:,} | {our_rate:,.0f} | {theirs[0]:.3f} | {their_rate:,.0f} | "
              f"{our_rate / their_rate:.1f}x | {ours[2]['errors']}, {theirs[2]['errors']} | "
              f"{ours[2]['p99_ms']}, {theirs[2]['p99_ms']} |")
    errors = [run[2]["first_errors"] for run in (*keyfleet, *reference) if run[2]["errors"]]
    if errors:
        print("\nClient errors: " + json.dumps(errors))


if __name__ == "__main__":
    main()
