#!/usr/bin/env bash
# `keyfleet run -- CMD`: a server of its own for one command, which finds it through
# the environment alone; the command's exit status; signals forwarded; every node
# and the temp data dir gone afterwards (--keep keeps it); and a wrapper killed with
# SIGKILL still takes its server and nodes with it.
. "$(dirname "$0")/lib.sh"
require_tool redis-cli redis-server

# Nothing of the test's own set-up reaches the command: no credentials, no region, no config.
clean_env=(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_DEFAULT_REGION -u AWS_REGION
    -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE HOME="$TEST_TMP/home" TMPDIR="$TEST_TMP")
mkdir -p "$TEST_TMP/home"
run_dirs() { find "$TEST_TMP" -maxdepth 1 -name 'keyfleet-run.*'; }

# --- The aws CLI works with no other set-up; nothing is left -------------------------------------
out=$("${clean_env[@]}" "$KEYFLEET_BIN" run -- sh -c 'aws elasticache describe-cache-clusters --output json')
assert_eq 0 "$(jqr '.CacheClusters | length' "$out")" "describe-cache-clusters through keyfleet run"
assert_eq "" "$(run_dirs)" "temp data dirs left"

# --- The environment the command gets ---------------------------------------------------------
out=$("${clean_env[@]}" "$KEYFLEET_BIN" run --region eu-west-1 -- env)
url=$(sed -n 's/^KEYFLEET_URL=//p' <<<"$out")
[[ $url =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || fail "KEYFLEET_URL: $out"
for variable in "AWS_ENDPOINT_URL_ELASTICACHE=$url" "AWS_ENDPOINT_URL=$url" AWS_ACCESS_KEY_ID=test \
    AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=eu-west-1 AWS_REGION=eu-west-1; do
    grep -qx "$variable" <<<"$out" || fail "the command's environment lacks $variable: $out"
done
[[ $(sed -n 's/^KEYFLEET_DATA_DIR=//p' <<<"$out") == "$TEST_TMP"/keyfleet-run.* ]] || fail "KEYFLEET_DATA_DIR: $out"

# --- Exit statuses: the command's own; 127 when it cannot be found; 2 for bad flags ---------------
status=0
"${clean_env[@]}" "$KEYFLEET_BIN" run -- sh -c 'exit 7' || status=$?
assert_eq 7 "$status" "exit status of the command"
status=0
"${clean_env[@]}" "$KEYFLEET_BIN" run -- no-such-command-here 2>/dev/null || status=$?
assert_eq 127 "$status" "exit status of a command not found"
status=0
"$KEYFLEET_BIN" run 2>/dev/null || status=$?
[ "$status" -ne 0 ] || fail "keyfleet run without a command should fail"

# --- A group created inside: its nodes serve, then stop with the run; --keep keeps the data ------
cat >"$TEST_TMP/inside.sh" <<'EOF'
set -eu
aws elasticache create-replication-group --replication-group-id ci --replication-group-description ci \
    --cache-node-type cache.t3.micro --num-cache-clusters 2 >/dev/null
aws elasticache wait replication-group-available --replication-group-id ci
address=$(aws elasticache describe-replication-groups --replication-group-id ci \
    --query 'ReplicationGroups[0].NodeGroups[0].PrimaryEndpoint.Address' --output text)
timeout 10 redis-cli -h "$address" -p 6379 SET from-ci yes
echo "$KEYFLEET_DATA_DIR" >"$1"
EOF
out=$("${clean_env[@]}" "$KEYFLEET_BIN" run --keep -- sh "$TEST_TMP/inside.sh" "$TEST_TMP/data-dir" 2>"$TEST_TMP/run.err")
assert_eq OK "$out" "SET on the group's primary inside keyfleet run"
kept=$(cat "$TEST_TMP/data-dir")
grep -q "data dir kept at $kept" "$TEST_TMP/run.err" || fail "--keep should say where: $(cat "$TEST_TMP/run.err")"
[ -f "$kept/keyfleet.db" ] || fail "--keep should keep the data dir $kept"
no_nodes_left "$kept" || fail "nodes left after keyfleet run: $(node_pids "$kept")"
rm -rf "$kept"

# --- Signals reach the command, whose exit status is the run's ----------------------------------
"${clean_env[@]}" "$KEYFLEET_BIN" run -- sh -c 'trap "exit 42" TERM; touch "$0"; while :; do sleep 0.05; done' \
    "$TEST_TMP/trapping" &
wrapper=$!
wait_until 20 test -f "$TEST_TMP/trapping"
kill -TERM "$wrapper"
status=0
wait "$wrapper" || status=$?
assert_eq 42 "$status" "exit status after SIGTERM, forwarded to the command"
wait_until 20 test -z "$(run_dirs)"

# --- SIGKILL of the wrapper: its server and nodes still go, and the temp dir with them ----------
cat >"$TEST_TMP/long.sh" <<'EOF'
set -eu
aws elasticache create-cache-cluster --cache-cluster-id orphan --engine redis --cache-node-type cache.t3.micro \
    --num-cache-nodes 1 >/dev/null
aws elasticache wait cache-cluster-available --cache-cluster-id orphan
echo "$$ $KEYFLEET_DATA_DIR" >"$1.tmp" && mv "$1.tmp" "$1"
exec sleep 120
EOF
"${clean_env[@]}" "$KEYFLEET_BIN" run -- sh "$TEST_TMP/long.sh" "$TEST_TMP/long" &
wrapper=$!
wait_until 60 test -s "$TEST_TMP/long"
read -r command_pid data_dir <"$TEST_TMP/long"
[ -n "$(node_pids "$data_dir")" ] || fail "the cluster's node should run before the wrapper is killed"
kill -KILL "$wrapper"
wait "$wrapper" 2>/dev/null || true
kill "$command_pid" 2>/dev/null || true  # the command itself outlives a killed wrapper, as under any parent
server_gone() { ! pgrep -f "keyfleet run -- sh $TEST_TMP/long.sh" >/dev/null; }
wait_until 30 server_gone
wait_until 30 no_nodes_left "$data_dir"
wait_until 30 test ! -e "$data_dir"
