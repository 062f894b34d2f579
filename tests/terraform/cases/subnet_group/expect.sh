# shellcheck shell=bash
# Shared by this case's checks: expect_group DESCRIPTION SUBNETS TAGS asserts, through the
# aws CLI, what keyfleet holds for tf-subnets. SUBNETS: ids sorted, space-separated;
# TAGS: compact JSON object sorted by key.
GROUP=tf-subnets
GROUP_ARN=arn:aws:elasticache:us-east-1:000000000000:subnetgroup:$GROUP

expect_group() {
    local group tags
    group=$(ec describe-cache-subnet-groups --cache-subnet-group-name "$GROUP")
    assert_eq 1 "$(jq '.CacheSubnetGroups | length' <<<"$group")" "groups named $GROUP"
    group=$(jq '.CacheSubnetGroups[0]' <<<"$group")
    assert_eq "$GROUP" "$(jq -r .CacheSubnetGroupName <<<"$group")" "stored name"
    assert_eq "$GROUP_ARN" "$(jq -r .ARN <<<"$group")" "ARN"
    assert_eq "$1" "$(jq -r .CacheSubnetGroupDescription <<<"$group")" "description"
    assert_eq "$2" "$(jq -r '[.Subnets[].SubnetIdentifier] | sort | join(" ")' <<<"$group")" "subnets"
    tags=$(ec list-tags-for-resource --resource-name "$GROUP_ARN")
    assert_eq "$3" "$(jq -c '[.TagList[] | {(.Key): .Value}] | add // {} | to_entries | sort_by(.key) | from_entries' <<<"$tags")" "tags"

    # What Terraform recorded agrees with the server, and the data source with the resource.
    assert_eq "$GROUP" "$(tf_output id)" "resource id in state"
    assert_eq "$GROUP_ARN" "$(tf_output arn)" "arn in state"
    assert_eq "$GROUP" "$(tf_output data_name)" "data source name"
    assert_eq true "$(tf_output data_matches)" "data source matches the resource"
}
