#!/usr/bin/env bash
# RBAC user groups through the aws CLI: create (creating, then active; a user
# named "default" required, users that exist, no two with the same name),
# describe, modify (modifying with the old members and PendingChanges, then
# active with the new ones; AWS's refusals change nothing), users' UserGroupIds
# following membership, delete (deleting, then gone), tags on users and user
# groups, and the events.
. "$(dirname "$0")/lib.sh"

# group JSON: one UserGroup as "status|member,member|pending" (pending: +added -removed).
group_summary() {
    jq -r '"\(.Status)|\(.UserIds | join(","))|\([(.PendingChanges.UserIdsToAdd // [] | map("+" + .)), (.PendingChanges.UserIdsToRemove // [] | map("-" + .))] | add | join(","))"' <<<"$1"
}
describe_group() { jq '.UserGroups[0]' <<<"$(ec describe-user-groups --user-group-id "$1")"; }
user_group_status_is() { [ "$(describe_group "$1" | jq -r .Status)" = "$2" ]; }
user_group_gone() {
    local out
    if out=$(ec describe-user-groups --user-group-id "$1" 2>&1); then return 1; fi
    [[ $out == *"(UserGroupNotFound)"* ]]
}
groups_of() { ec describe-users --user-id "$1" | jq -r '.Users[0].UserGroupIds | sort | join(",")'; }
tags() { jq -r '[.TagList | sort_by(.Key)[] | "\(.Key)=\(.Value)"] | join(" ")' <<<"$1"; }

start_keyfleet --cluster-node-pool 0   # no cache nodes here: none pre-started
KEYFLEET_ENDPOINT=$(endpoint) "$(boto3_python)" - <<'EOF'
import os, boto3
client = boto3.client("elasticache", endpoint_url=os.environ["KEYFLEET_ENDPOINT"])
for user_id, user_name in [("alice", "alice"), ("bob", "bob"), ("carol", "carol"), ("my-default", "default"),
                           ("other-alice", "alice")]:
    client.create_user(UserId=user_id, UserName=user_name, Engine="redis", AccessString="on ~* +@all",
                       NoPasswordRequired=True)
EOF

# --- CreateUserGroup ------------------------------------------------------------------------
out=$(ec create-user-group --user-group-id Team --engine REDIS --user-ids default alice --tags Key=env,Value=dev)
assert_eq team "$(jqr .UserGroupId "$out")" "UserGroupId stored lowercase"
assert_eq redis "$(jqr .Engine "$out")" "engine answered lowercase"
assert_eq "creating|alice,default|" "$(group_summary "$out")" "CreateUserGroup answers creating, with its members"
assert_eq 6.0 "$(jqr .MinimumEngineVersion "$out")" MinimumEngineVersion
assert_eq 0 "$(jqr '.ReplicationGroups | length' "$out")" ReplicationGroups
assert_eq arn:aws:elasticache:us-east-1:000000000000:usergroup:team "$(jqr .ARN "$out")" ARN
wait_until 20 user_group_status_is team active
assert_eq "active|alice,default|" "$(group_summary "$(describe_group team)")" "team once active"
assert_eq team "$(groups_of alice)" "alice's UserGroupIds"
assert_eq team "$(groups_of default)" "the default user's UserGroupIds"

# Refusals.
expect_message DefaultUserRequired "User group needs to contain a user with the user name default." \
    ec create-user-group --user-group-id nodefault --engine redis --user-ids alice bob
expect_message DefaultUserRequired "User group needs to contain a user with the user name default." \
    ec create-user-group --user-group-id nodefault --engine redis
send Action=CreateUserGroup UserGroupId=nodefault Engine=redis UserIds.member.1=alice
expect_wire_error 400 DefaultUserRequired "User group needs to contain a user with the user name default."
expect_error UserNotFound ec create-user-group --user-group-id ghost --engine redis --user-ids default nosuchuser
expect_error DuplicateUserName ec create-user-group --user-group-id twodefaults --engine redis \
    --user-ids default my-default
expect_error DuplicateUserName ec create-user-group --user-group-id twoalices --engine redis \
    --user-ids default alice other-alice
expect_error UserGroupAlreadyExists ec create-user-group --user-group-id TEAM --engine redis --user-ids default
expect_error InvalidParameterValue ec create-user-group --user-group-id bad_id --engine redis --user-ids default
out=$(ec describe-user-groups)
assert_eq team "$(jqr '[.UserGroups[].UserGroupId] | join(" ")' "$out")" "refused creates created nothing"

# A group whose default is our own user named "default".
out=$(ec create-user-group --user-group-id own --engine redis --user-ids my-default bob)
assert_eq "creating|bob,my-default|" "$(group_summary "$out")" "group with a replacement default user"
wait_until 20 user_group_status_is own active

# --- DescribeUserGroups -------------------------------------------------------------------------
out=$(ec describe-user-groups)
assert_eq "own team" "$(jqr '[.UserGroups[].UserGroupId] | join(" ")' "$out")" "listed groups"
assert_eq "active active" "$(jqr '[.UserGroups[].Status] | join(" ")' "$out")" "their status"
out=$(ec describe-user-groups --user-group-id OWN)
assert_eq "own|bob,my-default" "$(jqr '.UserGroups | map("\(.UserGroupId)|\(.UserIds | join(","))") | join(";")' "$out")" \
    "by id, any case"
send Action=DescribeUserGroups UserGroupId=nope
expect_wire_error 404 UserGroupNotFound

# --- ModifyUserGroup ------------------------------------------------------------------------------
out=$(ec modify-user-group --user-group-id team --user-ids-to-add bob carol --user-ids-to-remove alice)
assert_eq "modifying|alice,default|+bob,+carol,-alice" "$(group_summary "$out")" \
    "ModifyUserGroup answers modifying, the old members and PendingChanges"
wait_until 20 user_group_status_is team active
out=$(describe_group team)
assert_eq "active|bob,carol,default|" "$(group_summary "$out")" "the change applied"
assert_eq null "$(jqr .PendingChanges "$out")" "no PendingChanges once active"
assert_eq "" "$(groups_of alice)" "alice left team"
assert_eq "own,team" "$(groups_of bob)" "bob is in both groups"
assert_eq team "$(groups_of carol)" "carol joined team"

# Refusals: the whole request is refused, adds included.
out=$(error_output ec modify-user-group --user-group-id team --user-ids-to-add alice --user-ids-to-remove my-default)
[[ $out == *"(InvalidParameterValue)"*"is not a member"* ]] || fail "removing a non-member: $out"
expect_message DefaultUserRequired "User group needs to contain a user with the user name default." \
    ec modify-user-group --user-group-id team --user-ids-to-remove default
expect_error DuplicateUserName ec modify-user-group --user-group-id team --user-ids-to-add my-default
expect_error UserNotFound ec modify-user-group --user-group-id team --user-ids-to-add nosuchuser
expect_error UserGroupNotFound ec modify-user-group --user-group-id nope --user-ids-to-add alice
assert_eq "active|bob,carol,default|" "$(group_summary "$(describe_group team)")" "refused modifies changed nothing"
assert_eq "" "$(groups_of alice)" "alice still in no group"

# Replacing the default user: remove one "default", add the other, in one request.
out=$(ec modify-user-group --user-group-id team --user-ids-to-remove default --user-ids-to-add my-default)
assert_eq "modifying|bob,carol,default|+my-default,-default" "$(group_summary "$out")" "swapping the default user"
wait_until 20 user_group_status_is team active
assert_eq "active|bob,carol,my-default|" "$(group_summary "$(describe_group team)")" "after the swap"
assert_eq "" "$(groups_of default)" "the built-in default user left team"
assert_eq "own,team" "$(groups_of my-default)" "my-default's groups"

# A group still changing refuses another change. The change is applied at once
# here, so this is checked only when a second request catches it.
KEYFLEET_ENDPOINT=$(endpoint) "$(boto3_python)" - <<'EOF' || fail "InvalidUserGroupState while modifying"
import os, time, boto3, botocore
client = boto3.client("elasticache", endpoint_url=os.environ["KEYFLEET_ENDPOINT"])
deadline = time.monotonic() + 30

def modify_when_active(**change):
    while client.describe_user_groups(UserGroupId="own")["UserGroups"][0]["Status"] != "active":
        assert time.monotonic() < deadline, "own never became active again"
    return client.modify_user_group(UserGroupId="own", **change)

for _ in range(20):
    assert modify_when_active(UserIdsToAdd=["alice"])["Status"] == "modifying"
    try:
        client.modify_user_group(UserGroupId="own", UserIdsToAdd=["carol"])
        modify_when_active(UserIdsToRemove=["alice", "carol"])
    except botocore.exceptions.ClientError as e:
        error = e.response["Error"]
        assert error["Code"] == "InvalidUserGroupState", error
        assert error["Message"] == "User group own has status modifying. Only active user groups can be modified.", error
        modify_when_active(UserIdsToRemove=["alice"])
        break
EOF
wait_until 20 user_group_status_is own active
assert_eq "active|bob,my-default|" "$(group_summary "$(describe_group own)")" "own after the add and remove of alice"

# --- Tags on users and user groups ------------------------------------------------------------------
group_arn=arn:aws:elasticache:us-east-1:000000000000:usergroup:team
user_arn=arn:aws:elasticache:us-east-1:000000000000:user:carol
assert_eq "env=dev" "$(tags "$(ec list-tags-for-resource --resource-name "$group_arn")")" "group tags given at create"
assert_eq "env=dev owner=me" "$(tags "$(ec add-tags-to-resource --resource-name "$group_arn" --tags Key=owner,Value=me)")" \
    "group tags added"
assert_eq "owner=me" "$(tags "$(ec remove-tags-from-resource --resource-name "$group_arn" --tag-keys env)")" "group tag removed"
assert_eq "role=reader" "$(tags "$(ec add-tags-to-resource --resource-name "$user_arn" --tags Key=role,Value=reader)")" \
    "user tags"
assert_eq "role=reader" "$(tags "$(ec list-tags-for-resource --resource-name "$user_arn")")" "user tags listed"
expect_error UserGroupNotFound ec list-tags-for-resource \
    --resource-name arn:aws:elasticache:us-east-1:000000000000:usergroup:nope
expect_error UserNotFound ec add-tags-to-resource \
    --resource-name arn:aws:elasticache:us-east-1:000000000000:user:nope --tags Key=a,Value=1

# --- DeleteUserGroup ------------------------------------------------------------------------------
expect_error UserGroupNotFound ec delete-user-group --user-group-id nope
out=$(ec delete-user-group --user-group-id TEAM)
assert_eq "team|deleting" "$(jqr '"\(.UserGroupId)|\(.Status)"' "$out")" "DeleteUserGroup answers deleting"
wait_until 20 user_group_gone team
assert_eq "" "$(groups_of carol)" "carol's UserGroupIds after the delete"
assert_eq own "$(groups_of my-default)" "my-default's UserGroupIds after the delete"
expect_error UserGroupNotFound ec delete-user-group --user-group-id team
expect_error UserGroupNotFound ec list-tags-for-resource --resource-name "$group_arn"
out=$(ec create-user-group --user-group-id team --engine redis --user-ids default)
wait_until 20 user_group_status_is team active
assert_eq "" "$(tags "$(ec list-tags-for-resource --resource-name "$group_arn")")" "the id again starts with no tags"

# --- Events -------------------------------------------------------------------------------------------
out=$(ec describe-events --source-type user-group --source-identifier team)
assert_eq user-group "$(jqr '[.Events[].SourceType] | unique | join(",")' "$out")" "event SourceType"
messages=$(jqr '[.Events[].Message] | join("|")' "$out")
[[ $messages == *created* && $messages == *modified* && $messages == *deleted* ]] ||
    fail "team's events should tell creation, modification and deletion: $messages"
[[ $(jqr '.Events[-1].Message' "$out") == *created* ]] || fail "team's oldest event: $messages"
out=$(ec describe-events --source-type user-group --source-identifier nodefault)
assert_eq 0 "$(jqr '.Events | length' "$out")" "refused creates leave no event"
