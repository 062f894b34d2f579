#!/usr/bin/env python3
# Renders the results run.sh collected as the markdown that docs/PERFORMANCE.md keeps.
#
#   report.py RESULTS_DIR
#
# RESULTS_DIR holds load.jsonl (one wrk result per line, tagged with server and
# connections), cold_<server>.json (cold_start.py) and settings.md (prose, verbatim).
import json
import os
import sys

GOAL_RATIO = 20
GOAL_P99_MS = 5
GOAL_COLD_MS = 50


def ms(us):
    return f"{us / 1000:.2f}"


def cpu(run):
    """The server's CPU time (all threads, user + system) per answered request."""
    return f"{run['cpu_us'] / run['requests']:,.0f}"


def main():
    results = sys.argv[1]
    load = {}
    with open(os.path.join(results, "load.jsonl")) as lines:
        for line in lines:
            run = json.loads(line)
            run["rps"] = run["requests"] / (run["duration_us"] / 1e6)
            load[(run["server"], run["connections"])] = run
    cold = {}
    for server in ("keyfleet", "moto"):
        with open(os.path.join(results, f"cold_{server}.json")) as f:
            cold[server] = json.load(f)

    with open(os.path.join(results, "settings.md")) as f:
        print(f.read().rstrip())
    print()
    print("| connections | keyfleet req/s | p50 ms | p99 ms | CPU µs/req "
          "| moto req/s | p50 ms | p99 ms | CPU µs/req | req/s ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for connections in sorted({c for s, c in load if s == "keyfleet"}):
        k, m = load[("keyfleet", connections)], load[("moto", connections)]
        print(f"| {connections} | {k['rps']:,.0f} | {ms(k['p50_us'])} | {ms(k['p99_us'])} | {cpu(k)} "
              f"| {m['rps']:,.0f} | {ms(m['p50_us'])} | {ms(m['p99_us'])} | {cpu(m)} | {k['rps'] / m['rps']:.1f}x |")
    socket_errors = {key: run["socket_errors"] for key, run in load.items() if run["socket_errors"]}
    if socket_errors:
        print("\nSocket errors (connect/read/write/timeout) reported by wrk: " +
              ", ".join(f"{server} at {c} connections: {n}" for (server, c), n in sorted(socket_errors.items())))

    if any(server == "keyfleet-parameters" for server, _ in load):
        print()
        print("DescribeCacheParameters of default.redis7 (all its parameters in one page of MaxRecords 100; "
              "keyfleet only: moto does not implement it), beside DescribeCacheSubnetGroups:")
        print()
        print("| connections | DescribeCacheSubnetGroups p50 ms | p99 ms "
              "| DescribeCacheParameters req/s | p50 ms | p99 ms | CPU µs/req |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for connections in sorted({c for s, c in load if s == "keyfleet-parameters"}):
            k, p = load[("keyfleet", connections)], load[("keyfleet-parameters", connections)]
            print(f"| {connections} | {ms(k['p50_us'])} | {ms(k['p99_us'])} | {p['rps']:,.0f} "
                  f"| {ms(p['p50_us'])} | {ms(p['p99_us'])} | {cpu(p)} |")

    k, m = cold["keyfleet"], cold["moto"]
    print()
    print(f"Cold start, spawn to first answer (median of {k['runs']} runs; each run's figure in brackets):")
    print()
    print("| server | first 200 to GET | first 200 to signed DescribeCacheSubnetGroups |")
    print("|---|---:|---:|")
    for name, c, probe in (("keyfleet", k, "/_keyfleet/health"), ("moto_server", m, "/")):
        print(f"| {name} | {c['first_answer_median_ms']} ms `{probe}` {c['first_answer_ms']} "
              f"| {c['first_api_median_ms']} ms {c['first_api_ms']} |")
    print(f"| moto / keyfleet | {m['first_answer_median_ms'] / k['first_answer_median_ms']:.0f}x "
          f"| {m['first_api_median_ms'] / k['first_api_median_ms']:.0f}x |")

    ratios = [load[("keyfleet", c)]["rps"] / load[("moto", c)]["rps"] for s, c in load if s == "keyfleet"]
    top = max(c for s, c in load if s == "keyfleet")
    p99_top = load[("keyfleet", top)]["p99_us"] / 1000
    print()
    print("Against the goals: "
          f"throughput {min(ratios):.0f}x-{max(ratios):.0f}x moto (goal >= {GOAL_RATIO}x) "
          f"{'met' if min(ratios) >= GOAL_RATIO else 'MISSED'}; "
          f"p99 at {top} connections {p99_top:.2f} ms (goal < {GOAL_P99_MS} ms) "
          f"{'met' if p99_top < GOAL_P99_MS else 'MISSED'}; "
          f"cold start {k['first_answer_median_ms']} ms (goal < {GOAL_COLD_MS} ms) "
          f"{'met' if k['first_answer_median_ms'] < GOAL_COLD_MS else 'MISSED'}.")


if __name__ == "__main__":
    main()
