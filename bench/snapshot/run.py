"""Snapshots: CreateSnapshot of a group holding KEYS small keys until DescribeSnapshots
says available, beside a raw BGSAVE of the same keys on a plain redis-server, in one run;
restores of that snapshot (same shape, and by slot into 3 shards) until available, beside
a plain redis-server loading the same RDB. Prints markdown."""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import keyfleet_bench as kb  # noqa: E402

RUNS = int(os.environ.get("RUNS", "3"))
snapshot_times, written_times = [], []  # CreateSnapshot until available (polled), until written
KEYS = int(os.environ.get("KEYS", "1000000"))
NODE_TYPE = "cache.r6g.large"  # 13 GB: the keys fit
POLL = 0.005
# Between status polls of a save, both sides: a boto3 call costs ~8 ms of CPU, and a
# client polling back to back would take a core from the save it waits for.
SAVE_POLL = 0.02


def load_keys(host, port, data_file):
    """KEYS keys key:N -> value:N through redis-cli --pipe (what DEBUG POPULATE writes)."""
    with open(data_file, "rb") as data:
        subprocess.run(["redis-cli", "-h", host, "-p", str(port), "--pipe"], stdin=data, check=True,
                       capture_output=True)


def write_data_file(path):
    with open(path, "wb") as out:
        for i in range(KEYS):
            out.write(kb.encode(("SET", f"key:{i}", f"value:{i}")))


def info(host, port, section):
    with kb.socket.create_connection((host, port), timeout=5) as s:
        s.sendall(kb.encode(("INFO", section)))
        data = b""
        while True:
            data += s.recv(65536)
            header, _, rest = data.partition(b"\r\n")
            if header.startswith(b"$") and len(rest) >= int(header[1:]):
                break
    return dict(line.split(":", 1) for line in rest.decode().split("\r\n") if ":" in line)


def dbsize(host, port):
    return int(kb.resp(host, port, "DBSIZE", timeout=5)[1:])


def raw_bgsave(host, port):
    before = int(info(host, port, "persistence")["rdb_saves"])
    started = time.monotonic()
    assert kb.resp(host, port, "BGSAVE", timeout=5).startswith("+")

    def saved():
        persistence = info(host, port, "persistence")
        return (persistence["rdb_bgsave_in_progress"] == "0" and int(persistence["rdb_saves"]) > before
                and persistence["rdb_last_bgsave_status"] == "ok")
    kb.wait_until(saved, 120, SAVE_POLL, "the raw BGSAVE")
    return time.monotonic() - started


def snapshot_status(server, name):
    try:
        return server.client.describe_snapshots(SnapshotName=name)["Snapshots"][0]["SnapshotStatus"]
    except server.client.exceptions.SnapshotNotFoundFault:
        return None


def keyfleet_snapshot(server, group_id, name):
    """Until available as a client polling every 20 ms sees it, and until the server wrote
    it (its SnapshotCreateTime), polled every 100 ms so the client's CPU (~8 ms a boto3
    call) stays off the two cores the save runs on. Alternating runs do one or the other."""
    polled_slowly = len(written_times) < len(snapshot_times)
    started_wall = time.time()
    started = time.monotonic()
    server.client.create_snapshot(ReplicationGroupId=group_id, SnapshotName=name)
    kb.wait_until(lambda: snapshot_status(server, name) == "available", 300, 0.1 if polled_slowly else SAVE_POLL,
                  f"{name} available")
    elapsed = time.monotonic() - started
    kb.wait_until(lambda: server.group_status(group_id) == "available", 60, POLL, f"{group_id} available")
    if polled_slowly:
        node = server.client.describe_snapshots(SnapshotName=name)["Snapshots"][0]["NodeSnapshots"][0]
        written_times.append(node["SnapshotCreateTime"].timestamp() - started_wall)
    else:
        snapshot_times.append(elapsed)


def primary_endpoint(server, group_id):
    group = server.client.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
    if group.get("ConfigurationEndpoint"):
        return group["ConfigurationEndpoint"]["Address"], group["ConfigurationEndpoint"]["Port"]
    endpoint = group["NodeGroups"][0]["PrimaryEndpoint"]
    return endpoint["Address"], endpoint["Port"]


def keyfleet_restore(server, group_id, **source_and_shape):
    started = time.monotonic()
    server.client.create_replication_group(ReplicationGroupId=group_id, ReplicationGroupDescription="restore",
                                           CacheNodeType=NODE_TYPE, **source_and_shape)
    kb.wait_until(lambda: server.group_status(group_id) == "available", 600, SAVE_POLL, f"{group_id} available")
    elapsed = time.monotonic() - started
    host, port = primary_endpoint(server, group_id)
    cluster = ["-c"] if "NumNodeGroups" in source_and_shape else []
    answer = subprocess.run(["redis-cli", *cluster, "-h", host, "-p", str(port), "GET", f"key:{KEYS - 1}"],
                            capture_output=True, text=True).stdout.strip()
    assert answer == f"value:{KEYS - 1}", answer
    server.delete_group(group_id)
    return elapsed


def raw_load(rdb_file):
    directory = kb.temp_dir("snapshot-bench-load.")
    shutil.copy(rdb_file, os.path.join(directory, "dump.rdb"))
    port = kb.free_port()
    started = time.monotonic()
    process = kb.spawn(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
                        "--save", "", "--appendonly", "no"])
    kb.wait_until(lambda: kb.resp("127.0.0.1", port, "PING") == "+PONG", 120, SAVE_POLL, "the raw load")
    elapsed = time.monotonic() - started
    assert dbsize("127.0.0.1", port) == KEYS
    process.terminate()
    process.wait()
    shutil.rmtree(directory, ignore_errors=True)
    return elapsed


def main():
    server = kb.Keyfleet("--cluster-node-pool", "0")
    # A second server as users run it, with its pool of pre-started cluster-mode
    # nodes (ripe long before the restores below), restoring the same file from a bucket.
    pooled = kb.Keyfleet(network_range=(200, 249))
    data_file = os.path.join(kb.temp_dir("snapshot-bench-data."), "keys.resp")
    write_data_file(data_file)

    # The group, and a plain redis-server beside it, with the same keys.
    server.client.create_replication_group(ReplicationGroupId="bench", ReplicationGroupDescription="bench",
                                           CacheNodeType=NODE_TYPE, NumCacheClusters=2)
    kb.wait_until(lambda: server.group_status("bench") == "available", 60, POLL, "bench available")
    primary = primary_endpoint(server, "bench")
    replica = server.client.describe_cache_clusters(CacheClusterId="bench-002", ShowCacheNodeInfo=True)
    replica = replica["CacheClusters"][0]["CacheNodes"][0]["Endpoint"]
    load_keys(*primary, data_file)
    kb.wait_until(lambda: dbsize(replica["Address"], replica["Port"]) == KEYS, 120, 0.05, "the replica's keys")
    raw_dir = kb.temp_dir("snapshot-bench-raw.")
    raw_port = kb.free_port()
    kb.spawn(["redis-server", "--port", str(raw_port), "--bind", "127.0.0.1", "--dir", raw_dir, "--save", "",
              "--appendonly", "no"])
    kb.wait_until(lambda: kb.resp("127.0.0.1", raw_port, "PING") == "+PONG", 30, POLL, "the raw server")
    load_keys("127.0.0.1", raw_port, data_file)
    assert dbsize("127.0.0.1", raw_port) == KEYS

    bgsave_times, node_bgsave_times = [], []
    for run in range(2 * RUNS):
        name = f"bench-{run}"
        # Alternate which goes first, so neither always runs on a warmer machine. Besides
        # the plain server, a BGSAVE sent straight to the replica keyfleet saves on: the
        # same process and data, so the difference is keyfleet's own work.
        if run % 2 == 0:
            keyfleet_snapshot(server, "bench", name)
            bgsave_times.append(raw_bgsave("127.0.0.1", raw_port))
            node_bgsave_times.append(raw_bgsave(replica["Address"], replica["Port"]))
        else:
            node_bgsave_times.append(raw_bgsave(replica["Address"], replica["Port"]))
            bgsave_times.append(raw_bgsave("127.0.0.1", raw_port))
            keyfleet_snapshot(server, "bench", name)
        if run < 2 * RUNS - 1:
            server.client.delete_snapshot(SnapshotName=name)
            kb.wait_until(lambda: snapshot_status(server, name) is None, 60, POLL, f"{name} deleted")
    snapshot = f"bench-{2 * RUNS - 1}"
    rdb_file = os.path.join(server.data_dir, "snapshots", "000000000000", "us-east-1", snapshot, "0001.rdb")
    rdb_mb = os.path.getsize(rdb_file) / 1e6

    bucket = os.path.join(pooled.data_dir, "s3", "bench")
    os.makedirs(bucket)
    shutil.copy(rdb_file, os.path.join(bucket, "snapshot.rdb"))
    by_slot = dict(NumNodeGroups=3, ReplicasPerNodeGroup=0, CacheParameterGroupName="default.redis7.cluster.on")

    restore_times, load_times, reshard_times, pooled_times = [], [], [], []
    for run in range(RUNS):
        if run % 2 == 0:
            restore_times.append(keyfleet_restore(server, f"restored-{run}", SnapshotName=snapshot, NumCacheClusters=1))
            load_times.append(raw_load(rdb_file))
        else:
            load_times.append(raw_load(rdb_file))
            restore_times.append(keyfleet_restore(server, f"restored-{run}", SnapshotName=snapshot, NumCacheClusters=1))
        reshard_times.append(keyfleet_restore(server, f"resharded-{run}", SnapshotName=snapshot, **by_slot))
        pooled_times.append(keyfleet_restore(pooled, f"pooled-{run}",
                                             SnapshotArns=["arn:aws:s3:::bench/snapshot.rdb"], **by_slot))
    server.stop()
    pooled.stop()

    m = kb.median
    print("## snapshot\n")
    print(f"- {kb.machine()}")
    print(f"- Command: `RUNS={RUNS} KEYS={KEYS} bench/snapshot/run.sh`; {KEYS:,} keys key:N -> value:N, "
          f"RDB {rdb_mb:.1f} MB; a group of a primary and a replica ({NODE_TYPE}); medians of {RUNS} runs")
    print()
    print("| what | keyfleet s | plain redis-server s | keyfleet / plain |")
    print("|---|---:|---:|---:|")
    print(f"| CreateSnapshot until available / BGSAVE until saved | {m(snapshot_times):.3f} | "
          f"{m(bgsave_times):.3f} | {m(snapshot_times) / m(bgsave_times):.2f}x |")
    print(f"| CreateSnapshot until written (SnapshotCreateTime) / BGSAVE on a plain redis-server | "
          f"{m(written_times):.3f} | {m(bgsave_times):.3f} | {m(written_times) / m(bgsave_times):.2f}x |")
    print(f"| CreateSnapshot until written / BGSAVE sent to the same replica node | {m(written_times):.3f} | "
          f"{m(node_bgsave_times):.3f} | {m(written_times) / m(node_bgsave_times):.2f}x |")
    print(f"| CreateSnapshot until available / BGSAVE sent to the same replica node | {m(snapshot_times):.3f} | "
          f"{m(node_bgsave_times):.3f} | {m(snapshot_times) / m(node_bgsave_times):.2f}x |")
    print(f"| restore (same shape) until available / start on the RDB until it answers | {m(restore_times):.3f} | "
          f"{m(load_times):.3f} | {m(restore_times) / m(load_times):.2f}x |")
    print(f"| restore by slot into 3 shards until available (--cluster-node-pool 0) | {m(reshard_times):.3f} | | "
          f"{KEYS / m(reshard_times):,.0f} keys/s |")
    print(f"| the same from a bucket (SnapshotArns), with the default pool | {m(pooled_times):.3f} | | "
          f"{KEYS / m(pooled_times):,.0f} keys/s |")
    print()
    print("All runs (s): snapshot " + ", ".join(f"{t:.3f}" for t in snapshot_times) +
          "; written " + ", ".join(f"{t:.3f}" for t in written_times) +
          "; BGSAVE " + ", ".join(f"{t:.3f}" for t in bgsave_times) +
          "; BGSAVE on the node " + ", ".join(f"{t:.3f}" for t in node_bgsave_times) +
          "; restore " + ", ".join(f"{t:.3f}" for t in restore_times) +
          "; plain load " + ", ".join(f"{t:.3f}" for t in load_times) +
          "; by slot " + ", ".join(f"{t:.3f}" for t in reshard_times) +
          "; by slot with the pool " + ", ".join(f"{t:.3f}" for t in pooled_times))


if __name__ == "__main__":
    main()
