# shellcheck shell=bash
# Shared by this case's checks. expect_group DESCRIPTION TAGS asserts, through the aws CLI,
# what keyfleet holds for tf-rg (TAGS: compact JSON object sorted by key), that Terraform's
# state and the data source agree with it, and that the endpoints Terraform recorded reach
# real redis nodes: the primary endpoint the primary, the reader endpoint a replica.
GROUP=tf-rg
GROUP_ARN=arn:aws:elasticache:us-east-1:000000000000:replicationgroup:$GROUP
MEMBERS="tf-rg-001 tf-rg-002"  # a check may set more (update2)
AUTOMATIC_FAILOVER=enabled      # or disabled (update3)
require_tool redis-cli

expect_group() {
    local groups group node_group member
    groups=$(ec describe-replication-groups --replication-group-id "$GROUP")
    assert_eq 1 "$(jq '.ReplicationGroups | length' <<<"$groups")" "groups with id $GROUP"
    group=$(jq '.ReplicationGroups[0]' <<<"$groups")
    assert_eq available "$(jq -r .Status <<<"$group")" "Status"
    assert_eq "$GROUP_ARN" "$(jq -r .ARN <<<"$group")" "ARN"
    assert_eq "$1" "$(jq -r .Description <<<"$group")" "Description"
    assert_eq "$MEMBERS" "$(jq -r '.MemberClusters | sort | join(" ")' <<<"$group")" "MemberClusters"
    assert_eq "$AUTOMATIC_FAILOVER" "$(jq -r .AutomaticFailover <<<"$group")" "AutomaticFailover"
    assert_eq false "$(jq -r .ClusterEnabled <<<"$group")" "ClusterEnabled"
    assert_eq cache.t3.micro "$(jq -r .CacheNodeType <<<"$group")" "CacheNodeType"
    assert_eq "{}" "$(jq -c .PendingModifiedValues <<<"$group")" "PendingModifiedValues"
    assert_eq 1 "$(jq '.NodeGroups | length' <<<"$group")" "NodeGroups"
    node_group=$(jq '.NodeGroups[0]' <<<"$group")
    local roles=primary
    for member in ${MEMBERS#* }; do roles+=" replica"; done
    assert_eq "$roles" "$(jq -r '[.NodeGroupMembers[].CurrentRole] | sort | join(" ")' <<<"$node_group")" \
        "roles of the node group's members"
    assert_eq "$2" "$(ec list-tags-for-resource --resource-name "$GROUP_ARN" |
        jq -c '[.TagList[] | {(.Key): .Value}] | add // {} | to_entries | sort_by(.key) | from_entries')" "tags"
    for member in $MEMBERS; do
        member=$(ec describe-cache-clusters --cache-cluster-id "$member" | jq '.CacheClusters[0]')
        assert_eq "available $GROUP default.redis7 tf-rg-subnets" \
            "$(jq -r '[.CacheClusterStatus, .ReplicationGroupId, .CacheParameterGroup.CacheParameterGroupName, .CacheSubnetGroupName] | join(" ")' <<<"$member")" \
            "status, group, parameter group and subnet group of $(jq -r .CacheClusterId <<<"$member")"
    done

    # Terraform's state and the data source agree with the server.
    assert_eq "$GROUP" "$(tf_output id)" "resource id in state"
    assert_eq "$GROUP_ARN" "$(tf_output arn)" "arn in state"
    assert_eq "$MEMBERS" "$(tf_output member_clusters)" "member_clusters in state"
    assert_eq "$(jq -r .NodeGroups[0].PrimaryEndpoint.Address <<<"$group")" "$(tf_output primary_endpoint_address)" \
        "primary_endpoint_address"
    assert_eq "$(jq -r .NodeGroups[0].PrimaryEndpoint.Port <<<"$group")" "$(tf_output port)" "port"
    assert_eq "$(jq -r .NodeGroups[0].ReaderEndpoint.Address <<<"$group")" "$(tf_output reader_endpoint_address)" \
        "reader_endpoint_address"
    assert_eq "$(tf_output primary_endpoint_address):$(tf_output port)" "$(tf_output data_primary_endpoint)" \
        "data source primary endpoint"
    assert_eq "$(tf_output reader_endpoint_address)" "$(tf_output data_reader_endpoint_address)" \
        "data source reader endpoint address"
    assert_eq "" "$(tf_output data_mismatches)" "attributes where the data source and the resource disagree"

    # The endpoints as a Terraform user reaches them: <address>:<port>, one port for both.
    assert_eq master "$(primary_cli ROLE | head -n 1)" "role behind primary_endpoint_address:port"
    assert_eq slave "$(reader_cli ROLE | head -n 1)" "role behind reader_endpoint_address:port"
}

# primary_cli / reader_cli ARGS...: redis-cli at the group's primary or reader endpoint
# address, on the group's port, as Terraform recorded them.
primary_cli() {
    redis-cli -h "$(tf_output primary_endpoint_address)" -p "$(tf_output port)" --no-auth-warning "$@"
}
reader_cli() {
    redis-cli -h "$(tf_output reader_endpoint_address)" -p "$(tf_output port)" --no-auth-warning "$@"
}

# reads_back KEY VALUE: the reader endpoint returns VALUE for KEY (once replication caught up).
reads_back() {
    [ "$(reader_cli GET "$1")" = "$2" ]
}
