# shellcheck shell=bash
# Shared by this case's checks: the group's node groups as keyfleet describes them and the
# Redis Cluster behind the configuration endpoint Terraform recorded.
GROUP=tf-rgr
require_tool redis-cli

# cluster_cli ARGS...: redis-cli in cluster mode (following MOVED/ASK) at
# configuration_endpoint_address:port.
cluster_cli() {
    redis-cli -c -h "$(tf_output configuration_endpoint_address)" -p "$(tf_output port)" --no-auth-warning "$@"
}

# check_shape SHARDS REPLICAS LAYOUT: Describe, Terraform's state and the cluster agree on
# SHARDS node groups of 1 + REPLICAS nodes with slots LAYOUT ("id=slots ..."), and every
# key written in step main reads back through the configuration endpoint.
check_shape() {
    local shards=$1 replicas=$2 layout=$3 group
    group=$(ec describe-replication-groups --replication-group-id "$GROUP" | jq '.ReplicationGroups[0]')
    assert_eq available "$(jq -r .Status <<<"$group")" "Status"
    assert_eq "$layout" "$(jq -r '[.NodeGroups[] | "\(.NodeGroupId)=\(.Slots)"] | join(" ")' <<<"$group")" "node groups"
    assert_eq "$shards" "$(jq -r '[.NodeGroups[] | select(.NodeGroupMembers | length == '$((replicas + 1))')] | length' <<<"$group")" \
        "node groups of $((replicas + 1)) members"
    assert_eq "true enabled $shards $replicas default.redis7.cluster.on" "$(tf_output shape)" "shape in state"
    assert_eq "" "$(tf_output data_mismatches)" "attributes where the data source and the resource disagree"
    assert_eq "$(jq -r '.MemberClusters | sort | join(" ")' <<<"$group")" "$(tf_output member_clusters)" "member_clusters"
    local info
    info=$(cluster_cli CLUSTER INFO | tr -d '\r')
    grep -qx cluster_state:ok <<<"$info" || fail "cluster: $info"
    grep -qx "cluster_size:$shards" <<<"$info" || fail "cluster: $info"
    grep -qx "cluster_known_nodes:$((shards * (replicas + 1)))" <<<"$info" || fail "cluster: $info"
    local i
    for i in $(seq 1 200); do echo "GET tf:key:$i"; done | cluster_cli >"$TEST_TMP/get.out"
    assert_eq "$(seq 1 200 | sed 's/^/value:/')" "$(grep -v '^-> ' "$TEST_TMP/get.out")" "the 200 keys of step main"
    assert_eq $((shards * (replicas + 1))) "$(node_processes | wc -l)" "redis-server processes of the group"
}
