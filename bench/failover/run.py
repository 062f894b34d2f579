"""Failover: time from kill -9 (or SIGSTOP) of a primary's redis-server to the first
successful write, keyfleet beside Redis Cluster and redis-sentinel at their defaults,
in one run. Prints markdown."""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import keyfleet_bench as kb  # noqa: E402

RUNS = int(os.environ.get("RUNS", "5"))
PEER_RUNS = int(os.environ.get("PEER_RUNS", "3"))
PEERS = os.environ.get("PEERS", "1") != "0"
ATTEMPT_TIMEOUT = 0.1  # a write to a paused node gets no answer: give up on the attempt after this


def direct_write(host, port):
    try:
        return kb.resp(host, port, "SET", "bench:failover", "x", timeout=ATTEMPT_TIMEOUT) == "+OK"
    except OSError:
        return False


def cluster_write(host, port, key):
    """redis-cli -c from a live node, following MOVED as any cluster client does."""
    answer = subprocess.run(["redis-cli", "-c", "-h", host, "-p", str(port), "SET", key, "x"],
                            capture_output=True, text=True, timeout=5).stdout.strip()
    return answer == "OK"


def time_to_write(fault, write, timeout):
    fault()
    started = time.monotonic()
    kb.wait_until(write, timeout, 0.0005, "the first successful write")
    return time.monotonic() - started


def node_pid(server, cluster_id):
    for pid in kb.node_pids(server.nodes_dir):
        if os.readlink(f"/proc/{pid}/cwd").rstrip("/").split("/")[-2] == cluster_id:
            return pid
    raise SystemExit(f"no process for {cluster_id}")


def members(server, group_id):
    group = server.client.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
    return [(shard["NodeGroupId"], member) for shard in group["NodeGroups"] for member in shard["NodeGroupMembers"]]


def settled(server, group_id):
    """available, every member back (the failed one as a replica), and every replica in sync."""
    group = server.client.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
    clusters = [c for c in server.client.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
                if c.get("ReplicationGroupId") == group_id]
    if group["Status"] != "available" or any(c["CacheClusterStatus"] != "available" for c in clusters):
        return False
    for cluster in clusters:
        endpoint = cluster["CacheNodes"][0]["Endpoint"]
        info = subprocess.run(["redis-cli", "-h", endpoint["Address"], "-p", str(endpoint["Port"]), "INFO",
                               "replication"], capture_output=True, text=True, timeout=5).stdout
        if "role:master" in info and "state=online" not in info:
            return False
        if "role:slave" in info and "master_link_status:up" not in info:
            return False
    return True


def keyfleet_disabled(server, fault_signal, runs):
    server.client.create_replication_group(
        ReplicationGroupId="fo-disabled", ReplicationGroupDescription="bench", Engine="redis",
        CacheNodeType="cache.t3.micro", NumCacheClusters=2, AutomaticFailoverEnabled=True)
    times = []
    for _ in range(runs):
        kb.wait_until(lambda: settled(server, "fo-disabled"), 120, 0.02, "fo-disabled settled")
        group = server.client.describe_replication_groups(ReplicationGroupId="fo-disabled")["ReplicationGroups"][0]
        endpoint = group["NodeGroups"][0]["PrimaryEndpoint"]
        primary = next(m["CacheClusterId"] for _, m in members(server, "fo-disabled") if m["CurrentRole"] == "primary")
        pid = node_pid(server, primary)
        assert direct_write(endpoint["Address"], endpoint["Port"])
        times.append(time_to_write(lambda: os.kill(pid, fault_signal),
                                   lambda: direct_write(endpoint["Address"], endpoint["Port"]), 60))
        if fault_signal == signal.SIGSTOP:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
    server.delete_group("fo-disabled")
    return times


def keyfleet_enabled(server, runs):
    server.client.create_replication_group(
        ReplicationGroupId="fo-enabled", ReplicationGroupDescription="bench", Engine="redis",
        CacheNodeType="cache.t3.micro", NumNodeGroups=2, ReplicasPerNodeGroup=1,
        CacheParameterGroupName="default.redis7.cluster.on", AutomaticFailoverEnabled=True)
    times = []
    for _ in range(runs):
        kb.wait_until(lambda: settled(server, "fo-enabled"), 120, 0.02, "fo-enabled settled")
        shard = {}
        nodes = {c["CacheClusterId"]: c["CacheNodes"][0]["Endpoint"]
                 for c in server.client.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]}
        for node_group, member in members(server, "fo-enabled"):  # cluster mode: no CurrentRole, ask the node
            endpoint = member["ReadEndpoint"] = nodes[member["CacheClusterId"]]
            role = subprocess.run(["redis-cli", "-h", endpoint["Address"], "-p", str(endpoint["Port"]), "ROLE"],
                                  capture_output=True, text=True).stdout.split("\n")[0]
            shard.setdefault(node_group, {})["primary" if role == "master" else "replica"] = member
        primary = shard["0001"]["primary"]
        live = shard["0002"]["primary"]["ReadEndpoint"]
        key = key_in_node(live["Address"], live["Port"], primary["ReadEndpoint"])
        pid = node_pid(server, primary["CacheClusterId"])
        assert cluster_write(live["Address"], live["Port"], key)
        times.append(time_to_write(lambda: os.kill(pid, signal.SIGKILL),
                                   lambda: cluster_write(live["Address"], live["Port"], key), 60))
    server.delete_group("fo-enabled")
    return times


def key_in_node(host, port, target):
    """A key whose slot the node at target serves (from CLUSTER SLOTS asked at host:port)."""
    slots = subprocess.run(["redis-cli", "-h", host, "-p", str(port), "CLUSTER", "SLOTS"],
                           capture_output=True, text=True).stdout.split("\n")
    ranges = []
    for i in range(0, len(slots) - 3):
        if slots[i + 2] == target["Address"] and slots[i + 3] == str(target["Port"]):
            ranges.append((int(slots[i]), int(slots[i + 1])))
    for n in range(10000):
        key = f"bench:{n}"
        slot = int(subprocess.run(["redis-cli", "-h", host, "-p", str(port), "CLUSTER", "KEYSLOT", key],
                                  capture_output=True, text=True).stdout)
        if any(first <= slot <= last for first, last in ranges):
            return key
    raise SystemExit("no key for the shard")


def redis_cluster_defaults(runs):
    times = []
    for _ in range(runs):
        directory = kb.temp_dir("bench-redis-cluster.")
        ports = []
        while len(ports) < 6:
            port = kb.free_port()
            if port + 10000 <= 65535:
                ports.append(port)
        processes = {}
        for port in ports:
            node_dir = os.path.join(directory, str(port))
            os.makedirs(node_dir)
            processes[port] = kb.spawn(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled",
                                        "yes", "--save", "", "--appendonly", "no"], cwd=node_dir)
        for port in ports:
            kb.wait_until(lambda: kb.resp("127.0.0.1", port, "PING") == "+PONG", 10, 0.005, "node")
        subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{p}" for p in ports], "--cluster-replicas",
                        "1", "--cluster-yes"], check=True, capture_output=True)
        for port in ports:
            kb.wait_until(lambda: "cluster_state:ok" in subprocess.run(
                ["redis-cli", "-p", str(port), "CLUSTER", "INFO"], capture_output=True, text=True).stdout, 60, 0.02,
                "cluster ok")
        # A replica that has not finished its first sync (Redis delays it 5 s by default) cannot take over.
        for port in ports:
            kb.wait_until(lambda: "role:master" in (info := subprocess.run(
                ["redis-cli", "-p", str(port), "INFO", "replication"], capture_output=True, text=True).stdout)
                or "master_link_status:up" in info, 60, 0.05, "replicas in sync")
        victim = ports[0]  # redis-cli makes the first three masters
        live = ports[1]
        key = key_in_node("127.0.0.1", live, {"Address": "127.0.0.1", "Port": victim})
        assert cluster_write("127.0.0.1", live, key)
        times.append(time_to_write(lambda: processes[victim].kill(),
                                   lambda: cluster_write("127.0.0.1", live, key), 120))
        for process in processes.values():
            process.kill()
            process.wait()
    return times


def sentinel_defaults(runs):
    times = []
    for _ in range(runs):
        directory = kb.temp_dir("bench-sentinel.")
        primary_port, replica_port = kb.free_port(), kb.free_port()
        primary = kb.spawn(["redis-server", "--port", str(primary_port), "--bind", "127.0.0.1", "--save", ""],
                           cwd=directory)
        replica = kb.spawn(["redis-server", "--port", str(replica_port), "--bind", "127.0.0.1", "--save", "",
                            "--replicaof", "127.0.0.1", str(primary_port)], cwd=directory)
        sentinels = []
        for i in range(3):
            port = kb.free_port()
            config = os.path.join(directory, f"sentinel-{i}.conf")
            with open(config, "w") as out:
                out.write(f"port {port}\nbind 127.0.0.1\nsentinel monitor bench 127.0.0.1 {primary_port} 2\n")
            sentinels.append((port, kb.spawn(["redis-server", config, "--sentinel"], cwd=directory)))

        def master_address():
            lines = subprocess.run(["redis-cli", "-p", str(sentinels[0][0]), "SENTINEL", "get-master-addr-by-name",
                                    "bench"], capture_output=True, text=True).stdout.split()
            return lines[0], int(lines[1])

        def replica_linked():
            return "master_link_status:up" in subprocess.run(["redis-cli", "-p", str(replica_port), "INFO", "replication"],
                                                               capture_output=True, text=True).stdout

        def sentinels_know_all():
            info = subprocess.run(["redis-cli", "-p", str(sentinels[0][0]), "SENTINEL", "master", "bench"],
                                  capture_output=True, text=True).stdout.split()
            fields = dict(zip(info[::2], info[1::2]))
            return fields.get("num-slaves") == "1" and fields.get("num-other-sentinels") == "2"

        kb.wait_until(replica_linked, 30, 0.02, "replica linked")
        kb.wait_until(sentinels_know_all, 60, 0.05, "sentinels discovered each other")
        times.append(time_to_write(lambda: primary.kill(), lambda: master_address()[1] != primary_port and
                                   direct_write(*master_address()), 120))
        for process in [replica] + [p for _, p in sentinels]:
            process.kill()
            process.wait()
    return times


def row(name, times, keyfleet_median=None):
    ms = [t * 1000 for t in times]
    ratio = f"{kb.median(times) / keyfleet_median:.0f}x" if keyfleet_median else ""
    return f"| {name} | {kb.median(ms):.1f} | {min(ms):.1f} | {max(ms):.1f} | {len(ms)} | {ratio} |"


def main():
    server = kb.Keyfleet("--cluster-node-pool", "4")
    killed_disabled = keyfleet_disabled(server, signal.SIGKILL, RUNS)
    paused_disabled = keyfleet_disabled(server, signal.SIGSTOP, RUNS)
    killed_enabled = keyfleet_enabled(server, RUNS)
    server.stop()
    cluster_times = redis_cluster_defaults(PEER_RUNS) if PEERS else []
    sentinel_times = sentinel_defaults(PEER_RUNS) if PEERS else []

    print("## failover\n")
    print(f"{kb.machine()}. Time from the fault to the first successful write (fresh connection per attempt,")
    print("attempts 0.5 ms apart, 100 ms answer timeout): through the primary endpoint (cluster mode disabled), or")
    print("with redis-cli -c from a live node to a key of the failed shard (cluster mode enabled, Redis Cluster);")
    print("for sentinel, to the address the sentinels report once it is no longer the killed one.\n")
    print("| scenario | median ms | min | max | runs | this / keyfleet kill -9 (same mode) |")
    print("|---|---:|---:|---:|---:|---:|")
    print(row("keyfleet, cluster mode disabled, kill -9 primary", killed_disabled))
    print(row("keyfleet, cluster mode disabled, SIGSTOP primary", paused_disabled))
    print(row("keyfleet, cluster mode enabled (2 shards x 1 replica), kill -9 primary", killed_enabled))
    if PEERS:
        print(row("Redis Cluster, 3 x 1, cluster-node-timeout 15000 (default), kill -9 primary", cluster_times,
                  kb.median(killed_enabled)))
        print(row("redis-sentinel x 3, down-after-milliseconds 30000 (default), kill -9 primary", sentinel_times,
                  kb.median(killed_disabled)))
    print(f"\nCommand: `RUNS={RUNS} PEER_RUNS={PEER_RUNS} PEERS={int(PEERS)} bench/failover/run.sh`")


if __name__ == "__main__":
    main()
