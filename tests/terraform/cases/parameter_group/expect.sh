# shellcheck shell=bash
# Shared by this case's checks: expect_group PARAMETERS TAGS asserts, through the aws CLI,
# what keyfleet holds for tf-params-redis7. PARAMETERS: compact JSON object of the
# parameters DescribeCacheParameters --source user returns, sorted by name; TAGS: compact
# JSON object sorted by key.
GROUP=tf-params-redis7
GROUP_ARN=arn:aws:elasticache:us-east-1:000000000000:parametergroup:$GROUP
DESCRIPTION="keyfleet terraform case: redis7 parameters"

# user_parameters: Source=user of the group, every page, as a sorted compact JSON object.
user_parameters() {
    ec describe-cache-parameters --cache-parameter-group-name "$GROUP" --source user |
        jq -c '[.Parameters[] | {(.ParameterName): .ParameterValue}] | add // {} | to_entries | sort_by(.key) | from_entries'
}

expect_group() {
    local group tags parameters
    group=$(ec describe-cache-parameter-groups --cache-parameter-group-name "$GROUP")
    assert_eq 1 "$(jq '.CacheParameterGroups | length' <<<"$group")" "groups named $GROUP"
    group=$(jq '.CacheParameterGroups[0]' <<<"$group")
    assert_eq "$GROUP" "$(jq -r .CacheParameterGroupName <<<"$group")" "stored name"
    assert_eq redis7 "$(jq -r .CacheParameterGroupFamily <<<"$group")" "family"
    assert_eq "$DESCRIPTION" "$(jq -r .Description <<<"$group")" "description"
    assert_eq "$GROUP_ARN" "$(jq -r .ARN <<<"$group")" "ARN"
    assert_eq false "$(jq -r .IsGlobal <<<"$group")" "IsGlobal"

    assert_eq "$1" "$(user_parameters)" "Source=user parameters"
    # Every user parameter is also in the full listing with the same value, marked user.
    parameters=$(ec describe-cache-parameters --cache-parameter-group-name "$GROUP")
    assert_eq "$1" "$(jq -c '[.Parameters[] | select(.Source == "user") | {(.ParameterName): .ParameterValue}] | add // {} | to_entries | sort_by(.key) | from_entries' <<<"$parameters")" \
        "parameters marked user in the full listing"

    tags=$(ec list-tags-for-resource --resource-name "$GROUP_ARN")
    assert_eq "$2" "$(jq -c '[.TagList[] | {(.Key): .Value}] | add // {} | to_entries | sort_by(.key) | from_entries' <<<"$tags")" "tags"

    # What Terraform recorded agrees with the server.
    assert_eq "$GROUP" "$(tf_output id)" "resource id in state"
    assert_eq "$GROUP" "$(tf_output name)" "name in state"
    assert_eq "$GROUP_ARN" "$(tf_output arn)" "arn in state"
}
