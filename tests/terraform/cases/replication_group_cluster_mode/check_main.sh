# shellcheck shell=bash
# After main.tf: two shards of a primary and a replica, slots split evenly; keys written
# through the configuration endpoint land on both shards and read back.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 2 0 0

groups=$(ec describe-replication-groups --replication-group-id "$GROUP")
assert_eq 1 "$(jq '.ReplicationGroups | length' <<<"$groups")" "groups with id $GROUP"
group=$(jq '.ReplicationGroups[0]' <<<"$groups")
assert_eq available "$(jq -r .Status <<<"$group")" "Status"
assert_eq "$GROUP_ARN" "$(jq -r .ARN <<<"$group")" "ARN"
assert_eq "true enabled enabled" "$(jq -r '[.ClusterEnabled, .ClusterMode, .AutomaticFailover] | join(" ")' <<<"$group")" \
    "ClusterEnabled, ClusterMode, AutomaticFailover"
assert_eq "$MEMBERS" "$(jq -r '.MemberClusters | sort | join(" ")' <<<"$group")" "MemberClusters"
assert_eq "0001:0-8191:2 0002:8192-16383:2" \
    "$(jq -r '[.NodeGroups[] | "\(.NodeGroupId):\(.Slots):\(.NodeGroupMembers | length)"] | sort | join(" ")' <<<"$group")" \
    "node groups (id:slots:members)"
assert_eq "$(jq -r .ConfigurationEndpoint.Address <<<"$group")" "$(tf_output configuration_endpoint_address)" \
    "configuration_endpoint_address"
assert_eq "$(jq -r .ConfigurationEndpoint.Port <<<"$group")" "$(tf_output port)" "port"
assert_eq '{"Env":"test","Team":"cache"}' "$(ec list-tags-for-resource --resource-name "$GROUP_ARN" |
    jq -c '[.TagList[] | {(.Key): .Value}] | add // {} | to_entries | sort_by(.key) | from_entries')" "tags"
for member in $MEMBERS; do
    assert_eq "available $GROUP default.redis7.cluster.on" \
        "$(ec describe-cache-clusters --cache-cluster-id "$member" |
            jq -r '.CacheClusters[0] | [.CacheClusterStatus, .ReplicationGroupId, .CacheParameterGroup.CacheParameterGroupName] | join(" ")')" \
        "status, group and parameter group of $member"
done

# Terraform's state and the data source agree with the server.
assert_eq "$GROUP" "$(tf_output id)" "resource id in state"
assert_eq "$GROUP_ARN" "$(tf_output arn)" "arn in state"
assert_eq "$MEMBERS" "$(tf_output member_clusters)" "member_clusters in state"
assert_eq "true enabled 2 1 default.redis7.cluster.on" "$(tf_output shape)" \
    "cluster_enabled, cluster_mode, num_node_groups, replicas_per_node_group, parameter_group_name"
assert_eq "$(tf_output configuration_endpoint_address):$(tf_output port)" "$(tf_output data_configuration_endpoint)" \
    "data source configuration endpoint"
assert_eq "" "$(tf_output data_mismatches)" "attributes where the data source and the resource disagree"

# The Redis Cluster behind the configuration endpoint.
assert_eq cluster_state:ok "$(cluster_cli CLUSTER INFO | tr -d '\r' | grep '^cluster_state:')" "cluster_state"
assert_eq 4 "$(cluster_cli CLUSTER NODES | wc -l)" "nodes in CLUSTER NODES"
shards=$(primaries)
assert_eq "0-8191 8192-16383" "$(awk '{ print $2 }' <<<"$shards" | paste -sd ' ')" "slots of the primaries"
low=$(key_in_slots 0 8191)
high=$(key_in_slots 8192 16383)
assert_eq OK "$(cluster_cli SET "$low" "in the first shard")" "SET $low"
assert_eq OK "$(cluster_cli SET "$high" "in the second shard")" "SET $high"
assert_eq "in the first shard" "$(cluster_cli GET "$low")" "GET $low"
assert_eq "in the second shard" "$(cluster_cli GET "$high")" "GET $high"
# Each key is held by its own shard's primary.
read -r first_primary _ < <(sed -n 1p <<<"$shards")
read -r second_primary _ < <(sed -n 2p <<<"$shards")
assert_eq "in the first shard" "$(redis-cli -h "${first_primary%:*}" -p "${first_primary##*:}" GET "$low")" \
    "$low on the first shard's primary"
assert_eq "in the second shard" "$(redis-cli -h "${second_primary%:*}" -p "${second_primary##*:}" GET "$high")" \
    "$high on the second shard's primary"
assert_eq 4 "$(node_processes | wc -l)" "redis-server processes of the group"
