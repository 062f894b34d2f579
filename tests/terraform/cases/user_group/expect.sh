# shellcheck shell=bash
# Shared by this case's checks: expect_group MEMBERS TAGS asserts, through the aws CLI, what
# keyfleet holds for tf-group (MEMBERS: user ids sorted, space-separated; TAGS: compact JSON
# object sorted by key), and that each member lists the group in its UserGroupIds.
GROUP=tf-group
GROUP_ARN=arn:aws:elasticache:us-east-1:000000000000:usergroup:$GROUP

expect_group() {
    local groups group member
    groups=$(ec describe-user-groups --user-group-id "$GROUP")
    assert_eq 1 "$(jq '.UserGroups | length' <<<"$groups")" "groups with id $GROUP"
    group=$(jq '.UserGroups[0]' <<<"$groups")
    assert_eq "$GROUP" "$(jq -r .UserGroupId <<<"$group")" "UserGroupId"
    assert_eq active "$(jq -r .Status <<<"$group")" "Status"
    assert_eq redis "$(jq -r .Engine <<<"$group")" "Engine"
    assert_eq "$1" "$(jq -r '.UserIds | sort | join(" ")' <<<"$group")" "UserIds"
    assert_eq null "$(jq -c .PendingChanges <<<"$group")" "PendingChanges"
    assert_eq "[]" "$(jq -c .ReplicationGroups <<<"$group")" "ReplicationGroups"
    assert_eq "$GROUP_ARN" "$(jq -r .ARN <<<"$group")" "ARN"
    assert_eq "$2" "$(ec list-tags-for-resource --resource-name "$GROUP_ARN" |
        jq -c '[.TagList[] | {(.Key): .Value}] | add // {} | to_entries | sort_by(.key) | from_entries')" "tags"
    for member in $1; do
        assert_eq "[\"$GROUP\"]" "$(ec describe-users --user-id "$member" | jq -c '.Users[0].UserGroupIds')" \
            "UserGroupIds of $member"
    done

    # What Terraform recorded agrees with the server. (The group's user_ids in state are
    # whatever its last read saw, which may predate the association; not compared.)
    assert_eq "$GROUP_ARN" "$(tf_output group_arn)" "group arn in state"
}

# gone CODE COMMAND...: succeeds when the command fails with that AWS error code.
gone() {
    local code=$1 out
    shift
    if out=$("$@" 2>&1); then return 1; fi
    [[ $out == *"($code)"* ]]
}
