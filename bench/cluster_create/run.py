"""Cluster creation: a 9-node cluster-mode group (3 shards x 2 replicas) and a single-node
cluster, each from the request until Describe says available, beside
`redis-cli --cluster create --cluster-replicas 2` on 9 fresh redis-server processes at
Redis defaults, in one run; then `keyfleet run -- true` (start, health, teardown) and a
`keyfleet run` whose command creates and deletes a 2-node replication group, beside the
same command's Python start-up alone. Prints markdown."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import keyfleet_bench as kb  # noqa: E402

RUNS = int(os.environ.get("RUNS", "5"))
POOL_RIPE_SECONDS = 2.5  # a pool node serves writes at once from 2.3 s after its start


def process_age(pid):
    ticks = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[19])
    uptime = float(open("/proc/uptime").read().split()[0])
    return uptime - ticks / os.sysconf("SC_CLK_TCK")


def pool_ready(server, size):
    pool = set(kb.node_pids(server.nodes_dir, include_pool=True)) - set(kb.node_pids(server.nodes_dir))
    return len(pool) >= size and all(process_age(pid) >= POOL_RIPE_SECONDS for pid in pool)


def create_group(server, group_id):
    started = time.monotonic()
    server.client.create_replication_group(
        ReplicationGroupId=group_id, ReplicationGroupDescription="bench", Engine="redis",
        CacheNodeType="cache.t3.micro", NumNodeGroups=3, ReplicasPerNodeGroup=2,
        CacheParameterGroupName="default.redis7.cluster.on", AutomaticFailoverEnabled=True)
    kb.wait_until(lambda: server.group_status(group_id) == "available", 60, 0.005, f"{group_id} available")
    elapsed = time.monotonic() - started
    # Not timed: the cluster really serves writes.
    group = server.client.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
    endpoint = group["ConfigurationEndpoint"]
    info = subprocess.run(["redis-cli", "-c", "-h", endpoint["Address"], "-p", str(endpoint["Port"]), "CLUSTER", "INFO"],
                          capture_output=True, text=True).stdout
    assert "cluster_state:ok" in info, info
    answer = subprocess.run(["redis-cli", "-c", "-h", endpoint["Address"], "-p", str(endpoint["Port"]), "SET", "k", "v"],
                            capture_output=True, text=True).stdout.strip()
    assert answer == "OK", answer
    server.delete_group(group_id)
    return elapsed


def create_single(server, cluster_id):
    started = time.monotonic()
    server.client.create_cache_cluster(CacheClusterId=cluster_id, Engine="redis", CacheNodeType="cache.t3.micro",
                                       NumCacheNodes=1)
    kb.wait_until(lambda: server.cluster_status(cluster_id) == "available", 30, 0.002, f"{cluster_id} available")
    elapsed = time.monotonic() - started
    server.client.delete_cache_cluster(CacheClusterId=cluster_id)
    kb.wait_until(lambda: server.cluster_status(cluster_id) is None, 60, 0.02, f"{cluster_id} deleted")
    return elapsed


def redis_cli_cluster(run):
    """9 fresh nodes at Redis defaults, spawn to cluster_state:ok on all of them."""
    directory = kb.temp_dir("redis-cluster-bench.")
    ports = [kb.free_port() for _ in range(9)]
    while any(port + 10000 > 65535 for port in ports):
        ports = [kb.free_port() for _ in range(9)]
    started = time.monotonic()
    processes = []
    for port in ports:
        node_dir = os.path.join(directory, str(port))
        os.makedirs(node_dir)
        processes.append(kb.spawn(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                                   "--save", "", "--appendonly", "no", "--dir", node_dir], cwd=node_dir))
    for port in ports:
        kb.wait_until(lambda: kb.resp("127.0.0.1", port, "PING") == "+PONG", 10, 0.001, f"node {port}")
    subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{port}" for port in ports],
                    "--cluster-replicas", "2", "--cluster-yes"], check=True, capture_output=True)
    for port in ports:
        kb.wait_until(lambda: "cluster_state:ok" in subprocess.run(
            ["redis-cli", "-p", str(port), "CLUSTER", "INFO"], capture_output=True, text=True).stdout,
            60, 0.005, f"cluster_state:ok on {port}")
    elapsed = time.monotonic() - started
    answer = subprocess.run(["redis-cli", "-c", "-p", str(ports[0]), "SET", "k", "v"], capture_output=True,
                            text=True).stdout.strip()
    assert answer == "OK", answer
    for process in processes:
        process.kill()
        process.wait()
    return elapsed


GROUP_SCRIPT = """
import boto3, time
ec = boto3.client("elasticache")
ec.create_replication_group(ReplicationGroupId="ci", ReplicationGroupDescription="ci", Engine="redis",
                            CacheNodeType="cache.t3.micro", NumCacheClusters=2)
def status():
    try:
        return ec.describe_replication_groups(ReplicationGroupId="ci")["ReplicationGroups"][0]["Status"]
    except ec.exceptions.ReplicationGroupNotFoundFault:
        return None
deadline = time.monotonic() + 60
while status() != "available":
    assert time.monotonic() < deadline
    time.sleep(0.005)
ec.delete_replication_group(ReplicationGroupId="ci")
while status() is not None:
    assert time.monotonic() < deadline
    time.sleep(0.005)
"""
IMPORT_SCRIPT = 'import boto3; boto3.client("elasticache", region_name="us-east-1")'


def timed(command):
    started = time.monotonic()
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL)
    return time.monotonic() - started


def row(name, times, reference=None, ratio_column=True):
    ms = [t * 1000 for t in times]
    cells = [name, f"{kb.median(ms):.0f}", f"{min(ms):.0f}", f"{max(ms):.0f}", str(len(ms))]
    if ratio_column:
        cells.append(f"{reference / kb.median(times):.1f}x" if reference else "")
    return "| " + " | ".join(cells) + " |"


def main():
    pooled = kb.Keyfleet()
    pooled_times = []
    for run in range(RUNS):
        kb.wait_until(lambda: pool_ready(pooled, 9), 60, 0.05, "a full, ripe cluster-node pool")
        pooled_times.append(create_group(pooled, f"bench-pool-{run}"))
    single_times = [create_single(pooled, f"bench-single-{run}") for run in range(RUNS * 2)]
    pooled.stop()

    cold = kb.Keyfleet("--cluster-node-pool", "0")
    cold_times = [create_group(cold, f"bench-cold-{run}") for run in range(RUNS)]
    cold.stop()

    redis_cli_times = [redis_cli_cluster(run) for run in range(RUNS)]
    reference = kb.median(redis_cli_times)

    run_runs = RUNS * 2
    empty_run_times = [timed([kb.KEYFLEET_BIN, "run", "--", "true"]) for _ in range(run_runs)]
    empty_run_no_pool_times = [timed([kb.KEYFLEET_BIN, "run", "--cluster-node-pool", "0", "--", "true"])
                               for _ in range(run_runs)]
    group_run_times = [timed([kb.KEYFLEET_BIN, "run", "--", sys.executable, "-c", GROUP_SCRIPT]) for _ in range(RUNS)]
    import_times = [timed([sys.executable, "-c", IMPORT_SCRIPT]) for _ in range(RUNS)]

    print("## cluster_create\n")
    print(f"{kb.machine()}; median of {RUNS} (single node: {RUNS * 2}); times from the request until Describe says")
    print("available (keyfleet), or from spawning 9 redis-server processes until every node reports")
    print("cluster_state:ok (redis-cli --cluster create, Redis defaults); each cluster then takes a SET, untimed.\n")
    print("| what | median ms | min | max | runs | redis-cli / this |")
    print("|---|---:|---:|---:|---:|---:|")
    print(row("keyfleet CreateReplicationGroup 3 shards x 2 replicas (pool of 9, default)", pooled_times, reference))
    print(row("keyfleet CreateReplicationGroup 3 shards x 2 replicas (--cluster-node-pool 0)", cold_times, reference))
    print(row("redis-cli --cluster create --cluster-replicas 2, 9 fresh nodes", redis_cli_times, reference))
    print(row("keyfleet CreateCacheCluster, 1 node", single_times))
    print("\n`keyfleet run`: wall time of the whole command, from spawn to exit (server start, health,")
    print("the command, every node stopped, temp dir removed).\n")
    print("| what | median ms | min | max | runs |")
    print("|---|---:|---:|---:|---:|")
    print(row("keyfleet run -- true (pool of 9, default)", empty_run_times, ratio_column=False))
    print(row("keyfleet run --cluster-node-pool 0 -- true", empty_run_no_pool_times, ratio_column=False))
    print(row("keyfleet run -- python3 (boto3: a 2-node replication group created, available, deleted)",
              group_run_times, ratio_column=False))
    print(row("python3 importing boto3 and making a client, alone (part of the row above)", import_times,
              ratio_column=False))
    print(f"\nCommand: `RUNS={RUNS} bench/cluster_create/run.sh`")


if __name__ == "__main__":
    main()
