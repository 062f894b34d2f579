"""Memory: keyfleet's own RSS idle and with N single-node clusters running, and the
RSS of the node processes (total and per node); also how long N creates and N deletes
take, issued at once. Prints markdown."""

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import keyfleet_bench as kb  # noqa: E402

N = int(os.environ.get("N", "100"))


def main():
    server = kb.Keyfleet("--cluster-node-pool", "0")
    idle_kib = kb.rss_kib(server.process.pid)
    ids = [f"mem-{i:03d}" for i in range(N)]

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda cluster_id: server.client.create_cache_cluster(
            CacheClusterId=cluster_id, Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1), ids))

    def all_available():
        pages = server.client.get_paginator("describe_cache_clusters").paginate(MaxRecords=100)
        statuses = [c["CacheClusterStatus"] for page in pages for c in page["CacheClusters"]]
        return len(statuses) == N and all(status == "available" for status in statuses)

    kb.wait_until(all_available, 300, 0.02, f"{N} clusters available")
    create_seconds = time.monotonic() - started

    pids = kb.node_pids(server.nodes_dir)
    assert len(pids) == N, f"{len(pids)} node processes for {N} clusters"
    server_kib = kb.rss_kib(server.process.pid)
    node_kib = [kb.rss_kib(pid) for pid in pids]

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda cluster_id: server.client.delete_cache_cluster(CacheClusterId=cluster_id), ids))
    kb.wait_until(lambda: not server.client.describe_cache_clusters()["CacheClusters"], 300, 0.02, "all deleted")
    kb.wait_until(lambda: not kb.node_pids(server.nodes_dir), 60, 0.02, "node processes gone")
    delete_seconds = time.monotonic() - started

    print("## node_memory\n")
    print(f"{kb.machine()}; {N} single-node clusters (cache.t3.micro, redis), created and deleted 8 requests at a time.\n")
    print("| what | figure |")
    print("|---|---:|")
    print(f"| keyfleet RSS, idle | {idle_kib / 1024:.1f} MiB |")
    print(f"| keyfleet RSS, {N} clusters running | {server_kib / 1024:.1f} MiB |")
    print(f"| keyfleet RSS per cluster | {(server_kib - idle_kib) / N:.0f} KiB |")
    print(f"| node processes, total RSS | {sum(node_kib) / 1024:.1f} MiB |")
    print(f"| RSS per node (mean / min / max) | {sum(node_kib) / N / 1024:.2f} / {min(node_kib) / 1024:.2f} / "
          f"{max(node_kib) / 1024:.2f} MiB |")
    print(f"| {N} CreateCacheCluster until all available | {create_seconds:.2f} s |")
    print(f"| {N} DeleteCacheCluster until all gone | {delete_seconds:.2f} s |")
    print(f"\nCommand: `N={N} bench/node_memory/run.sh`")


if __name__ == "__main__":
    main()
