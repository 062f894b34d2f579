# shellcheck shell=bash
# After update.tf: two replicas per shard, real Redis Cluster replicas of their shard's
# primary, holding the keys written in step main.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 1 0
group=$(ec describe-replication-groups --replication-group-id "$GROUP" | jq '.ReplicationGroups[0]')
assert_eq available "$(jq -r .Status <<<"$group")" "Status"
assert_eq "0001:0-8191:3 0002:8192-16383:3" \
    "$(jq -r '[.NodeGroups[] | "\(.NodeGroupId):\(.Slots):\(.NodeGroupMembers | length)"] | sort | join(" ")' <<<"$group")" \
    "node groups (id:slots:members)"
assert_eq "tf-rgc-0001-001 tf-rgc-0001-002 tf-rgc-0001-003 tf-rgc-0002-001 tf-rgc-0002-002 tf-rgc-0002-003" \
    "$(jq -r '.MemberClusters | sort | join(" ")' <<<"$group")" "MemberClusters"
assert_eq "2 2" "$(tf_output shape | awk '{ print $4 }') $(jq -r '.NodeGroups[0].NodeGroupMembers | length - 1' <<<"$group")" \
    "replicas_per_node_group in state and on the server"
assert_eq cluster_state:ok "$(cluster_cli CLUSTER INFO | tr -d '\r' | grep '^cluster_state:')" "cluster_state"
assert_eq "2 4" "$(cluster_cli CLUSTER NODES | awk '$3 ~ /master/ { m++ } $3 ~ /slave/ { s++ } END { print m, s }')" \
    "primaries and replicas in CLUSTER NODES"
# Each new replica serves its shard's keys (READONLY: a replica read in cluster mode).
for shard in 0001 0002; do
    node=$(ec describe-cache-clusters --cache-cluster-id "tf-rgc-$shard-003" --show-cache-node-info |
        jq -r '.CacheClusters[0].CacheNodes[0].Endpoint | "\(.Address) \(.Port)"')
    read -r host port <<<"$node"
    assert_eq slave "$(redis-cli -h "$host" -p "$port" ROLE | head -n 1)" "role of tf-rgc-$shard-003"
done
low=$(key_in_slots 0 8191)
assert_eq "in the first shard" "$(cluster_cli GET "$low")" "a key written in step main"
assert_eq 6 "$(node_processes | wc -l)" "redis-server processes of the group"
