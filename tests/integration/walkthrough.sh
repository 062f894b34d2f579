#!/usr/bin/env bash
# The getting-started walkthrough (seeds/001), its commands as written with only
# --endpoint-url added: a subnet group, a cluster seeded from an RDB file in S3
# (keyfleet reads <data-dir>/s3/bucket/key), its endpoint, redis-cli against it, a
# cluster-mode-enabled group where redis-cli -c is redirected between shards, the
# delete; then the rename-commands example of seeds/004 on a group a cluster uses.
. "$(dirname "$0")/lib.sh"
require_tool redis-cli redis-server

# The default addressing, as a user gets it: every node at 127.N.x.y:6379.
reserve_loopback_network
start_keyfleet --loopback-network "$LOOPBACK_NETWORK" --cluster-node-pool 9
E=(--endpoint-url "$(endpoint)")

# --- Create a subnet group (verbatim) ----------------------------------------------------------
out=$(aws elasticache "${E[@]}" create-cache-subnet-group \
    --cache-subnet-group-name mysubnetgroup \
    --cache-subnet-group-description "Testing" \
    --subnet-ids subnet-53df9c3a)
assert_eq "mysubnetgroup|Testing|subnet-53df9c3a" \
    "$(jqr '.CacheSubnetGroup | "\(.CacheSubnetGroupName)|\(.CacheSubnetGroupDescription)|\(.Subnets[0].SubnetIdentifier)"' "$out")" \
    "the subnet group of the walkthrough"
[[ $(jqr .CacheSubnetGroup.VpcId "$out") =~ ^vpc-[0-9a-f]+$ ]] || fail "VpcId: $out"

# --- The RDB file behind arn:aws:s3:::my_bucket/snapshot.rdb, made by a throwaway redis-server ------
seed_dir=$TEST_TMP/seed-redis
mkdir -p "$seed_dir" "$KEYFLEET_DATA/s3/my_bucket"
seed_port=$(free_port)
redis-server --port "$seed_port" --bind 127.0.0.1 --dir "$seed_dir" --dbfilename snapshot.rdb --save "" \
    --appendonly no --logfile "$seed_dir/redis.log" >/dev/null 2>&1 &
seed_pid=$!
wait_until 10 rc "$seed_port" PING
rc "$seed_port" SET restored:greeting "from the snapshot" >/dev/null
rc "$seed_port" HSET restored:user name ada lang en >/dev/null
rc "$seed_port" RPUSH restored:list one two three >/dev/null
for i in $(seq 1 100); do echo "SET restored:n:$i $i"; done | rc "$seed_port" >/dev/null
assert_eq OK "$(rc "$seed_port" SAVE)" "SAVE on the throwaway redis-server"
rc "$seed_port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
wait "$seed_pid" || true
cp "$seed_dir/snapshot.rdb" "$KEYFLEET_DATA/s3/my_bucket/snapshot.rdb"

# --- Create the cluster (verbatim) -----------------------------------------------------------------
out=$(aws elasticache "${E[@]}" create-cache-cluster \
--cache-cluster-id my-cluster \
--cache-node-type cache.r4.large \
--engine redis \
--num-cache-nodes 1 \
--snapshot-arns arn:aws:s3:::my_bucket/snapshot.rdb)
assert_eq "my-cluster|creating|cache.r4.large|redis|1" \
    "$(jqr '.CacheCluster | "\(.CacheClusterId)|\(.CacheClusterStatus)|\(.CacheNodeType)|\(.Engine)|\(.NumCacheNodes)"' "$out")" \
    "create-cache-cluster answer"
wait_until 60 cluster_status_is my-cluster available

# --- Find the endpoint ------------------------------------------------------------------------------
out=$(aws elasticache "${E[@]}" describe-cache-clusters --cache-cluster-id my-cluster --show-cache-node-info)
address=$(jqr '.CacheClusters[0].CacheNodes[0].Endpoint.Address' "$out")
port=$(jqr '.CacheClusters[0].CacheNodes[0].Endpoint.Port' "$out")
[[ $address =~ ^127\.$LOOPBACK_NETWORK\.[0-9]+\.[0-9]+$ ]] || fail "endpoint address $address is not in 127.$LOOPBACK_NETWORK.0.0/16"
assert_eq 6379 "$port" "endpoint port: Redis's own, as on AWS"
cli() { timeout 10 redis-cli -h "$address" -p "$port" "$@"; }

# The cluster holds the snapshot's keys.
assert_eq "from the snapshot" "$(cli GET restored:greeting)" "a string from the RDB file"
assert_eq ada "$(cli HGET restored:user name)" "a hash from the RDB file"
assert_eq "one two three" "$(cli LRANGE restored:list 0 -1 | paste -sd ' ')" "a list from the RDB file"
assert_eq 103 "$(cli DBSIZE)" "every key of the RDB file"
# cache.r4.large: 12.3 GiB of which 25 % reserved.
assert_eq $((13201781556 - 13201781556 * 25 / 100)) "$(cli CONFIG GET maxmemory | sed -n 2p)" "maxmemory of cache.r4.large"

# --- Connect with redis-cli: the walkthrough's session ---------------------------------------------
assert_eq OK "$(cli set x Hello)" "set x Hello"
assert_eq Hello "$(cli get x)" "get x"
assert_eq OK "$(cli set a "hello")" 'set a "hello"'
assert_eq hello "$(cli get a)" "get a"
assert_eq "" "$(cli get b)" "get b: a miss"
assert_eq OK "$(cli set b "Good-bye" EX 5)" 'set b "Good-bye" EX 5'
assert_eq Good-bye "$(cli get b)" "get b before it expires"
expired() { [ -z "$(cli get b)" ] && [ "$(cli exists b)" = 0 ]; }
wait_until 15 expired

# The region of the Windows/Linux delete example holds no my-cluster: regions are separate.
expect_error CacheClusterNotFound aws elasticache "${E[@]}" delete-cache-cluster \
    --cache-cluster-id my-cluster \
    --region us-east-2

# --- A cluster-mode-enabled group: redis-cli -c follows redirections between shards --------------------
# The AWS CLI example of "Creating a Redis (cluster mode enabled) cluster", with this
# walkthrough's subnet group and the redis7 cluster.on group (the default engine is 7.1).
out=$(aws elasticache "${E[@]}" create-replication-group \
   --replication-group-id sample-repl-group \
   --replication-group-description "Demo cluster with replicas" \
   --num-node-groups 3 \
   --replicas-per-node-group 2 \
   --cache-node-type cache.m4.large \
   --engine redis \
   --security-group-ids sg-0123456789abcdef0 \
   --cache-subnet-group-name mysubnetgroup \
   --cache-parameter-group-name default.redis7.cluster.on)
assert_eq "sample-repl-group|creating" "$(jqr '.ReplicationGroup | "\(.ReplicationGroupId)|\(.Status)"' "$out")" \
    "create-replication-group answer"
wait_until 90 group_status_is sample-repl-group available
out=$(aws elasticache "${E[@]}" describe-replication-groups --replication-group-id sample-repl-group)
config_address=$(jqr '.ReplicationGroups[0].ConfigurationEndpoint.Address' "$out")
config_port=$(jqr '.ReplicationGroups[0].ConfigurationEndpoint.Port' "$out")
assert_eq 6379 "$config_port" "configuration endpoint port"
assert_eq 9 "$(jqr '.ReplicationGroups[0].MemberClusters | length' "$out")" "nine member clusters"
primaries=()
for shard in 0001 0002 0003; do
    primaries+=("$(node_address "sample-repl-group-$shard-001")")
done
# The walkthrough's session, in one redis-cli -c.
session=$(printf 'set x Hi\nset y Hello\nget y\nset z Bye\nget z\nget x\n' |
    timeout 20 redis-cli -h "$config_address" -c -p "$config_port")
assert_eq "OK OK Hello OK Bye Hi" "$(grep -v '^-> Redirected' <<<"$session" | paste -sd ' ')" \
    "replies of the cluster-mode session: $session"
assert_eq 16287 "$(rc "${primaries[0]}" CLUSTER KEYSLOT x)" "slot of x"
assert_eq 8157 "$(rc "${primaries[0]}" CLUSTER KEYSLOT z)" "slot of z"
# x and z live on different shards, so the session was redirected at least once; each
# redirection leads to the primary serving that slot, on its node endpoint.
redirects=$(sed -n 's/^-> Redirected to slot \[\([0-9]*\)\] located at \(.*\)$/\1 \2/p' <<<"$session")
[ -n "$redirects" ] || fail "redis-cli -c was never redirected: $session"
while read -r slot target; do
    owner=$(rc "${primaries[0]}" --json CLUSTER SLOTS |
        jq -r --argjson slot "$slot" '.[] | select(.[0] <= $slot and $slot <= .[1]) | "\(.[2][0]):\(.[2][1])"')
    assert_eq "$owner" "$target" "where slot $slot was redirected"
done <<<"$redirects"
assert_eq Hi "$(rc "${primaries[2]}" GET x)" "x lives on shard 0003"
assert_eq Bye "$(rc "${primaries[1]}" GET z)" "z lives on shard 0002"
# AWS gives the odd slot to the first shard: the AWS CLI reference shows a three-shard
# group (test-failover example) with Slots 0-5461, 5462-10922 and 10923-16383.
assert_eq "0-5461 5462-10922 10923-16383" "$(jqr '[.ReplicationGroups[0].NodeGroups[].Slots] | join(" ")' "$out")" \
    "three shards' slots"
served() { rc "${primaries[0]}" --json CLUSTER SLOTS | jq -r --arg node "$1" '.[] | select("\(.[2][0]):\(.[2][1])" == $node) | "\(.[0])-\(.[1])"'; }
assert_eq "0-5461 5462-10922 10923-16383" "$(served "${primaries[0]}") $(served "${primaries[1]}") $(served "${primaries[2]}")" \
    "the slots each shard's primary serves"

# --- Delete the cluster (verbatim) -------------------------------------------------------------------
pid=$(cat "$KEYFLEET_DATA/nodes/000000000000/us-east-1/my-cluster/0001/redis.pid")
out=$(aws elasticache "${E[@]}" delete-cache-cluster --cache-cluster-id my-cluster)
assert_eq deleting "$(jqr .CacheCluster.CacheClusterStatus "$out")" "delete-cache-cluster answer"
wait_until 60 cluster_gone my-cluster
process_gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_until 15 process_gone
wait_until 10 refuses_connections "$address:$port"
aws elasticache "${E[@]}" delete-replication-group --replication-group-id sample-repl-group >/dev/null
wait_until 60 group_gone sample-repl-group

# --- seeds/004: rename-commands on a parameter group a running cluster uses ----------------------------
# The example's custom_param_group is no valid identifier on AWS; custom-param-group is.
expect_error InvalidParameterValue aws elasticache "${E[@]}" create-cache-parameter-group \
    --cache-parameter-group-name custom_param_group --cache-parameter-group-family redis7 --description "renamed commands"
aws elasticache "${E[@]}" create-cache-parameter-group --cache-parameter-group-name custom-param-group \
    --cache-parameter-group-family redis7 --description "renamed commands" >/dev/null
aws elasticache "${E[@]}" create-cache-cluster --cache-cluster-id renamed --cache-node-type cache.t3.micro \
    --engine redis --cache-parameter-group-name custom-param-group >/dev/null
wait_until 60 cluster_status_is renamed available
renamed_node=$(node_address renamed)
rc "$renamed_node" SET doomed yes >/dev/null
out=$(aws elasticache "${E[@]}" modify-cache-parameter-group --cache-parameter-group-name custom-param-group \
  --parameter-name-values "ParameterName=rename-commands,  ParameterValue='flushall restrictedflushall'" --region us-east-1)
assert_eq custom-param-group "$(jqr .CacheParameterGroupName "$out")" "modify-cache-parameter-group answer"
out=$(ec describe-cache-parameters --cache-parameter-group-name custom-param-group --source user)
assert_eq "rename-commands=flushall restrictedflushall" \
    "$(jqr '[.Parameters[] | "\(.ParameterName)=\(.ParameterValue)"] | join(",")' "$out")" "the user's parameters"

# What the cluster reports must be true of its node: in-sync means FLUSHALL is already renamed
# (AWS documents rename-commands as applied at once); pending-reboot means it is after a reboot.
apply_status() {
    ec describe-cache-clusters --cache-cluster-id renamed --query 'CacheClusters[0].CacheParameterGroup.ParameterApplyStatus' \
        --output text
}
renamed_on_node() {
    [ -z "$(rc "$renamed_node" COMMAND INFO flushall | tr -d '[:space:]')" ] &&
        [ -n "$(rc "$renamed_node" COMMAND INFO restrictedflushall | tr -d '[:space:]')" ]
}
rename_settled() {
    local status
    status=$(apply_status)
    [ "$status" = pending-reboot ] || { [ "$status" = in-sync ] && renamed_on_node; }
}
(wait_until 30 rename_settled) ||
    fail "rename-commands: ParameterApplyStatus '$(apply_status)', yet FLUSHALL is not renamed on the node" \
        "(COMMAND INFO flushall: '$(rc "$renamed_node" COMMAND INFO flushall | head -1)';" \
        "COMMAND INFO restrictedflushall: '$(rc "$renamed_node" COMMAND INFO restrictedflushall | head -1)')"
if [ "$(apply_status)" = pending-reboot ]; then
    out=$(ec describe-cache-clusters --cache-cluster-id renamed)
    assert_eq 0001 "$(jqr '.CacheClusters[0].CacheParameterGroup.CacheNodeIdsToReboot | join(" ")' "$out")" \
        "CacheNodeIdsToReboot while pending-reboot"
    ec reboot-cache-cluster --cache-cluster-id renamed --cache-node-ids-to-reboot 0001 >/dev/null
    wait_until 60 cluster_status_is renamed available
    assert_eq in-sync "$(apply_status)" "ParameterApplyStatus after the reboot"
fi
reply=$(rc "$renamed_node" FLUSHALL 2>&1 || true)
[[ $reply == "ERR unknown command 'FLUSHALL'"* ]] || fail "FLUSHALL should be unknown once renamed, got: $reply"
assert_eq yes "$(rc "$renamed_node" GET doomed)" "FLUSHALL did nothing"
assert_eq OK "$(rc "$renamed_node" RESTRICTEDFLUSHALL)" "RESTRICTEDFLUSHALL"
assert_eq 0 "$(rc "$renamed_node" DBSIZE)" "RESTRICTEDFLUSHALL flushed"

aws elasticache "${E[@]}" delete-cache-cluster --cache-cluster-id renamed >/dev/null
wait_until 60 cluster_gone renamed

stop_keyfleet TERM
assert_eq 0 "$KEYFLEET_EXIT_STATUS" "exit status after SIGTERM"
wait_until 15 no_nodes_left
