#!/usr/bin/env bash
# Automatic snapshots on real nodes, under the scheduler's clock moved days ahead through
# keyfleet's signed snapshot-clock path: one a day in the SnapshotWindow for a cache cluster
# and a replication group with a retention limit (none for a limit of 0), AWS's names and
# SnapshotSource, the data in them (restored into a new cluster), expiry after the
# retention limit, and deletion with their cluster while a manual snapshot stays.
. "$(dirname "$0")/lib.sh"
require_tool redis-cli

reserve_node_ports
start_keyfleet --node-ports "$NODE_PORTS" --cluster-node-pool 0

# advance SECONDS: the scheduler's clock moves ahead, then runs a pass; its JSON answer.
advance() {
    curl -fsS --aws-sigv4 "aws:amz:us-east-1:elasticache" --user test:test \
        "$(endpoint)/_keyfleet/snapshot-clock" -d "Seconds=$1"
}
snapshot_is() {
    [ "$(ec describe-snapshots --snapshot-name "$1" --query 'Snapshots[0].SnapshotStatus' --output text)" = "$2" ]
}
snapshot_gone() {
    local output
    ! output=$(ec describe-snapshots --snapshot-name "$1" 2>&1) && [[ $output == *"(SnapshotNotFoundFault)"* ]]
}
automatic_names() {
    ec describe-snapshots --snapshot-source system --query 'Snapshots[].SnapshotName' --output text | tr '\t' ' '
}
day_of() { date -u -d "@$1" +%Y-%m-%d; }

ec create-cache-cluster --cache-cluster-id daily --engine redis --cache-node-type cache.t3.micro \
    --snapshot-retention-limit 2 --snapshot-window 05:00-06:00 >/dev/null
ec create-replication-group --replication-group-id grp --replication-group-description g \
    --cache-node-type cache.t3.micro --num-cache-clusters 2 \
    --snapshot-retention-limit 1 --snapshot-window 05:00-06:00 >/dev/null
ec create-cache-cluster --cache-cluster-id off --engine redis --cache-node-type cache.t3.micro \
    --snapshot-window 05:00-06:00 >/dev/null
wait_until 60 cluster_status_is daily available
wait_until 60 group_status_is grp available
wait_until 60 cluster_status_is off available
rc "$(node_address daily)" SET kept-in-backup yes >/dev/null

# Bad input: AWS's error, the clock unmoved.
for bad in -5 12abc ""; do
    status=$(curl -sS -o "$TEST_TMP/clock.xml" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:elasticache" \
        --user test:test "$(endpoint)/_keyfleet/snapshot-clock" -d "Seconds=$bad")
    assert_eq 400 "$status" "HTTP status for Seconds=$bad"
    grep -q "<Code>InvalidParameterValue</Code>" "$TEST_TMP/clock.xml" || fail "error code for Seconds=$bad"
done

# To 05:10 UTC of the next day on the scheduler's clock.
now=$(jqr .Now "$(advance 0)")
now_s=$(date -u -d "$now" +%s)
target=$(date -u -d "$(day_of $((now_s + 86400))) 05:10:00" +%s)
out=$(advance $((target - now_s)))
day1=$(day_of "$target")
day2=$(day_of $((target + 86400)))
day3=$(day_of $((target + 2 * 86400)))
assert_eq "automatic.daily-$day1-05-10 automatic.grp-$day1-05-10" "$(jqr '.Started | sort | join(" ")' "$out")" \
    "automatic snapshots started in the window"
wait_until 60 snapshot_is "automatic.daily-$day1-05-10" available
wait_until 60 snapshot_is "automatic.grp-$day1-05-10" available
assert_eq "automatic.daily-$day1-05-10 automatic.grp-$day1-05-10" "$(automatic_names)" "SnapshotSource system"
assert_eq automated "$(ec describe-snapshots --snapshot-name "automatic.grp-$day1-05-10" \
    --query 'Snapshots[0].SnapshotSource' --output text)" "an automatic snapshot's SnapshotSource"
assert_eq "" "$(ec describe-snapshots --snapshot-source manual --query 'Snapshots[].SnapshotName' --output text)" \
    "no manual snapshots"
assert_eq "" "$(jqr '.Started | join(" ")' "$(advance 600)")" "one snapshot a day"

# An automatic snapshot holds the data.
ec create-cache-cluster --cache-cluster-id restored --cache-node-type cache.t3.micro \
    --snapshot-name "automatic.daily-$day1-05-10" >/dev/null
wait_until 60 cluster_status_is restored available
assert_eq yes "$(rc "$(node_address restored)" GET kept-in-backup)" "the key, restored from an automatic snapshot"

# A day later: new ones; the group's (retention 1 day) first one expires.
out=$(advance $((86400 - 600)))
assert_eq "automatic.daily-$day2-05-10 automatic.grp-$day2-05-10" "$(jqr '.Started | sort | join(" ")' "$out")" \
    "the next day's snapshots"
assert_eq "automatic.grp-$day1-05-10" "$(jqr '.Deleted | join(" ")' "$out")" "expired after one day"
wait_until 60 snapshot_gone "automatic.grp-$day1-05-10"
wait_until 60 snapshot_is "automatic.daily-$day2-05-10" available
wait_until 60 snapshot_is "automatic.grp-$day2-05-10" available

# Two days after the first: the cluster's (retention 2 days) first one expires.
out=$(advance 86400)
assert_eq "automatic.daily-$day1-05-10 automatic.grp-$day2-05-10" "$(jqr '.Deleted | sort | join(" ")' "$out")" \
    "expired after their retention limits"
wait_until 60 snapshot_gone "automatic.daily-$day1-05-10"
wait_until 60 snapshot_is "automatic.daily-$day3-05-10" available
wait_until 60 snapshot_is "automatic.grp-$day3-05-10" available
assert_eq "automatic.daily-$day2-05-10 automatic.daily-$day3-05-10 automatic.grp-$day3-05-10" "$(automatic_names)" \
    "what is left"

# Automatic snapshots go with their cluster and group; manual ones stay.
ec create-snapshot --cache-cluster-id daily --snapshot-name daily-manual >/dev/null
wait_until 60 snapshot_is daily-manual available
wait_until 60 cluster_status_is daily available
ec delete-cache-cluster --cache-cluster-id daily >/dev/null
ec delete-replication-group --replication-group-id grp >/dev/null
wait_until 60 cluster_gone daily
wait_until 60 group_gone grp
wait_until 60 snapshot_gone "automatic.daily-$day3-05-10"
wait_until 60 snapshot_gone "automatic.grp-$day3-05-10"
assert_eq "" "$(automatic_names)" "no automatic snapshot outlives its source"
snapshot_is daily-manual available || fail "the manual snapshot went with its cluster"

for cluster in off restored; do ec delete-cache-cluster --cache-cluster-id "$cluster" >/dev/null; done
wait_until 60 cluster_gone off
wait_until 60 cluster_gone restored
wait_until 20 no_nodes_left
echo "PASS [$TEST_NAME]"
