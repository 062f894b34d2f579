#!/usr/bin/env bash
# What a user meets first: `keyfleet serve` run from a working directory of its own
# with a relative --data-dir and --credentials (as tools/run.sh does), where a
# cluster, a replication group and a cluster-mode group start and serve; and a
# node that cannot start, which fails its cluster at once with redis-server's own
# reason (at create and at reboot), then comes back once the cause is gone.
. "$(dirname "$0")/lib.sh"
require_tool redis-cli redis-server

reserve_loopback_network
work=$TEST_TMP/work
mkdir -p "$work"
echo "AKIDSECONDACCOUNT secondsecret 111111111111" >"$work/credentials"
KEYFLEET_PORT=$(free_port)
KEYFLEET_DATA=$work/.keyfleet  # what node_pids and the checks below look under
(cd "$work" && exec "$KEYFLEET_BIN" serve --host 127.0.0.1 --port "$KEYFLEET_PORT" --data-dir ./.keyfleet \
    --credentials credentials --loopback-network "$LOOPBACK_NETWORK" --cluster-node-pool 2) >>"$KEYFLEET_LOG" 2>&1 &
KEYFLEET_PID=$!
start_aws_driver
wait_until 20 keyfleet_healthy
grep -q "data dir $work/.keyfleet," "$KEYFLEET_LOG" || fail "the data dir is not resolved against the working dir: $(head -3 "$KEYFLEET_LOG")"
[ -f "$work/.keyfleet/keyfleet.db" ] || fail "no database under the relative data dir"

# The relative credentials file was read: its key is an account of its own.
out=$(AWS_ACCESS_KEY_ID=AKIDSECONDACCOUNT AWS_SECRET_ACCESS_KEY=secondsecret ec describe-cache-clusters)
assert_eq 0 "$(jqr '.CacheClusters | length' "$out")" "clusters of the second account"

# --- A cluster, a replication group and a cluster-mode group start and serve --------------------
ec create-cache-cluster --cache-cluster-id plain --engine redis --cache-node-type cache.t3.micro \
    --num-cache-nodes 1 >/dev/null
ec create-replication-group --replication-group-id pair --replication-group-description "two nodes" \
    --cache-node-type cache.t3.micro --num-cache-clusters 2 >/dev/null
ec create-replication-group --replication-group-id sharded --replication-group-description "two shards" \
    --cache-node-type cache.t3.micro --cache-parameter-group-name default.redis7.cluster.on \
    --num-node-groups 2 --replicas-per-node-group 0 >/dev/null
wait_until 60 cluster_status_is plain available
wait_until 60 group_status_is pair available
wait_until 60 group_status_is sharded available

plain=$(node_address plain)
assert_eq OK "$(rc "$plain" SET greeting hello)" "SET on the cluster"
assert_eq hello "$(rc "$plain" GET greeting)" "GET on the cluster"
primary=$(ec describe-replication-groups --replication-group-id pair \
    --query 'ReplicationGroups[0].NodeGroups[0].PrimaryEndpoint.[Address, Port]' --output text | tr '\t' :)
assert_eq OK "$(rc "$primary" SET greeting paired)" "SET on the group's primary endpoint"
assert_eq paired "$(rc "$primary" GET greeting)" "GET on the group's primary endpoint"
configuration=$(ec describe-replication-groups --replication-group-id sharded \
    --query 'ReplicationGroups[0].ConfigurationEndpoint.[Address, Port]' --output text | tr '\t' :)
for key in a b c d e f; do
    assert_eq OK "$(rc "$configuration" -c SET "$key" "value-$key")" "SET $key on the cluster-mode group"
done
for key in a b c d e f; do
    assert_eq "value-$key" "$(rc "$configuration" -c GET "$key")" "GET $key on the cluster-mode group"
done
for pid in $(node_pids); do
    [[ $(readlink "/proc/$pid/cwd") == "$work/.keyfleet/nodes/"* ]] || fail "node $pid works outside the data dir"
done

# --- A node that cannot start fails its cluster at once, with redis-server's reason ------------
reason="Can't open the log file: Is a directory"
mkdir -p "$work/.keyfleet/nodes/000000000000/us-east-1/broken/0001/node.log"
started=$(date +%s%N)
ec create-cache-cluster --cache-cluster-id broken --engine redis --cache-node-type cache.t3.micro \
    --num-cache-nodes 1 >/dev/null
wait_until 10 cluster_status_is broken create-failed
echo "create-failed $(( ($(date +%s%N) - started) / 1000000 )) ms after CreateCacheCluster" >&2
events=$(ec describe-events --source-type cache-cluster --source-identifier broken --query 'Events[].Message' --output text)
[[ $events == *"Failed to create cache cluster: cache node 0001 of broken could not start: redis-server exited with status 1: "*"$reason"* ]] ||
    fail "the event should carry the node's exit status and reason: $events"
grep -q "broken/0001 (pid [0-9]*) exited with status 1: .*$reason" "$KEYFLEET_LOG" ||
    fail "the server log should carry the node's exit and reason"
grep -q "workflow .* cluster:broken failed at step start: .*$reason" "$KEYFLEET_LOG" ||
    fail "the server log should carry the workflow's failure with the reason"
ec delete-cache-cluster --cache-cluster-id broken >/dev/null
wait_until 30 cluster_gone broken

# --- A reboot whose node cannot start says why; the node comes back once it can -----------------
log_file=$work/.keyfleet/nodes/000000000000/us-east-1/plain/0001/node.log
rm -f "$log_file" && mkdir "$log_file"
ec reboot-cache-cluster --cache-cluster-id plain --cache-node-ids-to-reboot 0001 >/dev/null
reboot_failed() {
    ec describe-events --source-type cache-cluster --source-identifier plain --query 'Events[].Message' --output text |
        grep -q "Failed to apply a change: cache node 0001 of plain could not start: redis-server exited with status 1: .*$reason"
}
wait_until 20 reboot_failed
rmdir "$log_file"
wait_until 60 rc "$plain" PING
wait_until 30 cluster_status_is plain available
assert_eq hello "$(rc "$plain" GET greeting)" "the rebooted node's data (saved at stop, loaded at start)"

# --- SIGINT stops the server and every node it started ----------------------------------------
stop_keyfleet INT
assert_eq 0 "$KEYFLEET_EXIT_STATUS" "exit status after SIGINT"
no_nodes_left "$work" || fail "redis-server left running after SIGINT: $(node_pids "$work")"
