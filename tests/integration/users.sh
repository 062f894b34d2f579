#!/usr/bin/env bash
# RBAC users through the aws CLI: create with each authentication mode and every
# refusal AWS gives, the built-in `default` user, describe (by id, filter,
# engine), modify (modifying, then active), delete (deleting, then gone, and out
# of its groups), the `default` user that cannot change, and the events.
. "$(dirname "$0")/lib.sh"

password1=first-password-0001
password2=second-password-0002
# user_field ID FILTER: a member of one user as DescribeUsers shows it.
user_field() { jq -r ".Users[0] | $2" <<<"$(ec describe-users --user-id "$1")"; }
user_status_is() { [ "$(user_field "$1" .Status)" = "$2" ]; }
user_gone() {
    local out
    if out=$(ec describe-users --user-id "$1" 2>&1); then return 1; fi
    [[ $out == *"(UserNotFound)"* ]]
}

start_keyfleet --cluster-node-pool 0   # no cache nodes here: none pre-started

# --- CreateUser -----------------------------------------------------------------------
out=$(ec create-user --user-id Alice --user-name alice --engine REDIS --access-string "on ~app::* -@all +@read" \
    --passwords "$password1" --tags Key=team,Value=a)
assert_eq alice "$(jqr .UserId "$out")" "UserId stored lowercase"
assert_eq alice "$(jqr .UserName "$out")" UserName
assert_eq redis "$(jqr .Engine "$out")" "engine REDIS answered as redis"
assert_eq active "$(jqr .Status "$out")" Status
assert_eq "on ~app::* -@all +@read" "$(jqr .AccessString "$out")" AccessString
assert_eq "password 1" "$(jqr '"\(.Authentication.Type) \(.Authentication.PasswordCount)"' "$out")" Authentication
assert_eq 6.0 "$(jqr .MinimumEngineVersion "$out")" MinimumEngineVersion
assert_eq 0 "$(jqr '.UserGroupIds | length' "$out")" UserGroupIds
assert_eq arn:aws:elasticache:us-east-1:000000000000:user:alice "$(jqr .ARN "$out")" ARN
[[ $out != *"$password1"* ]] || fail "a password must never be answered: $out"

out=$(ec create-user --user-id bob --user-name bob --engine redis --access-string "on ~* +@all" \
    --authentication-mode "Type=password,Passwords=$password1,$password2")
assert_eq "password 2" "$(jqr '"\(.Authentication.Type) \(.Authentication.PasswordCount)"' "$out")" \
    "two passwords via AuthenticationMode"
out=$(ec create-user --user-id carol --user-name carol --engine redis --access-string "on ~* +@all" --no-password-required)
assert_eq '{"Type":"no-password"}' "$(jq -c .Authentication <<<"$out")" "NoPasswordRequired"
out=$(ec create-user --user-id dave --user-name dave --engine redis --access-string "on ~* +@all" \
    --authentication-mode Type=no-password-required)
assert_eq '{"Type":"no-password"}' "$(jq -c .Authentication <<<"$out")" "AuthenticationMode no-password-required"
out=$(ec create-user --user-id iam-user --user-name iam-user --engine redis --access-string "on ~* +@all" \
    --authentication-mode Type=iam)
assert_eq '{"Type":"iam"}' "$(jq -c .Authentication <<<"$out")" "AuthenticationMode iam"
# UserName is not unique among users.
out=$(ec create-user --user-id alice2 --user-name alice --engine redis --access-string "on ~* +@all" --no-password-required)
assert_eq alice "$(jqr .UserName "$out")" "a second user with the same user name"

# Refusals, each with AWS's code; none creates anything.
expect_message InvalidParameterCombination "User Id and User name must be same for authentication type: iam" \
    ec create-user --user-id iam2 --user-name other --engine redis --access-string "on ~* +@all" \
    --authentication-mode Type=iam
expect_message InvalidParameterValue "Passwords length must be between 16-128 characters." \
    ec create-user --user-id x1 --user-name x1 --engine redis --access-string "on ~* +@all" --passwords short
expect_message InvalidParameterValue "Passwords length must be between 16-128 characters." \
    ec create-user --user-id x1 --user-name x1 --engine redis --access-string "on ~* +@all" \
    --passwords "$(printf 'p%.0s' $(seq 1 129))"
expect_message InvalidParameterValue "Passwords length must be between 16-128 characters." \
    ec create-user --user-id x1 --user-name x1 --engine redis --access-string "on ~* +@all" \
    --authentication-mode Type=password,Passwords=tooshort
expect_error InvalidParameterValue ec create-user --user-id x1 --user-name x1 --engine redis --access-string "on ~* +@all" \
    --passwords "$password1" "$password2" third-password-0003
out=$(error_output ec create-user --user-id x1 --user-name x1 --engine redis --access-string "on ~* +@all" \
    --passwords "$password1" --no-password-required)
[[ $out == *"(InvalidParameterCombination)"* ]] || fail "passwords with NoPasswordRequired: $out"
expect_message InvalidParameterValue \
    "No password was provided. If you want to create/update the user without password, please use the NoPasswordRequired flag." \
    ec create-user --user-id x1 --user-name x1 --engine redis --access-string "on ~* +@all"
for access in "on >pass ~* +@all" "on ~* +@nosuchcategory" "on ~* nopass +@all" "on ~* +@all reset"; do
    expect_error InvalidParameterValue ec create-user --user-id x1 --user-name x1 --engine redis \
        --access-string "$access" --no-password-required
done
expect_error InvalidParameterValue ec create-user --user-id x1 --user-name x1 --engine mysql \
    --access-string "on ~* +@all" --no-password-required
expect_error InvalidParameterValue ec create-user --user-id 1x --user-name x1 --engine redis \
    --access-string "on ~* +@all" --no-password-required
expect_message UserAlreadyExists "User alice already exists." \
    ec create-user --user-id ALICE --user-name someone --engine redis --access-string "on" --no-password-required
expect_error UserAlreadyExists ec create-user --user-id default --user-name default --engine redis \
    --access-string "on" --no-password-required
expect_error UserNotFound ec describe-users --user-id x1

# --- DescribeUsers ----------------------------------------------------------------------
out=$(ec describe-users)
assert_eq "alice alice2 bob carol dave default iam-user" "$(jqr '[.Users[].UserId] | join(" ")' "$out")" "listed users"
assert_eq '{"UserId":"default","UserName":"default","Status":"active","Engine":"redis","AccessString":"on ~* +@all","UserGroupIds":[],"Authentication":{"Type":"no-password"},"ARN":"arn:aws:elasticache:us-east-1:000000000000:user:default"}' \
    "$(jq -c '.Users[] | select(.UserId == "default") | del(.MinimumEngineVersion)' <<<"$out")" "the built-in default user"
out=$(ec describe-users --user-id BOB)
assert_eq "bob|password|2" "$(jqr '.Users | map("\(.UserId)|\(.Authentication.Type)|\(.Authentication.PasswordCount)") | join(",")' "$out")" \
    "--user-id, any case"
out=$(ec describe-users --filters Name=user-id,Values=carol,dave)
assert_eq "carol dave" "$(jqr '[.Users[].UserId] | join(" ")' "$out")" "--filters Name=user-id"
out=$(ec describe-users --engine redis)
assert_eq 7 "$(jqr '.Users | length' "$out")" "--engine redis"
out=$(ec describe-users --engine valkey)
assert_eq 0 "$(jqr '.Users | length' "$out")" "--engine valkey"
send Action=DescribeUsers UserId=nope
expect_wire_error 404 UserNotFound "User nope not found."

# --- ModifyUser -------------------------------------------------------------------------
out=$(ec modify-user --user-id alice --append-access-string "+@write")
assert_eq modifying "$(jqr .Status "$out")" "ModifyUser answers status modifying"
assert_eq "on ~app::* -@all +@read +@write" "$(jqr .AccessString "$out")" "AppendAccessString"
wait_until 20 user_status_is alice active
assert_eq "on ~app::* -@all +@read +@write" "$(user_field alice .AccessString)" "appended access string kept"
out=$(ec modify-user --user-id alice --access-string "on ~* +@all" --passwords "$password1" "$password2")
assert_eq "modifying|on ~* +@all|2" "$(jqr '"\(.Status)|\(.AccessString)|\(.Authentication.PasswordCount)"' "$out")" \
    "new access string and passwords"
wait_until 20 user_status_is alice active
out=$(ec modify-user --user-id alice --no-password-required)
assert_eq no-password "$(jqr .Authentication.Type "$out")" "modified to no password"
wait_until 20 user_status_is alice active
assert_eq '{"Type":"no-password"}' "$(user_field alice '.Authentication | tojson')" "authentication after modify"
# Refusals leave the user as it was.
expect_error InvalidParameterValue ec modify-user --user-id alice --access-string "on >secret"
expect_message InvalidParameterValue "Passwords length must be between 16-128 characters." \
    ec modify-user --user-id alice --passwords short
expect_error UserNotFound ec modify-user --user-id nope --access-string "on"
out=$(error_output ec modify-user --user-id default --access-string "off")
[[ $out == *"(InvalidParameterValue)"* ]] || fail "the default user cannot be modified: $out"
assert_eq "active|on ~* +@all|no-password" "$(user_field alice '"\(.Status)|\(.AccessString)|\(.Authentication.Type)"')" \
    "refused modifies changed nothing"
assert_eq "on ~* +@all" "$(user_field default .AccessString)" "default user unchanged"

# A change still being applied refuses another one. The change is applied at
# once here, so this is checked only when a second request catches it.
KEYFLEET_ENDPOINT=$(endpoint) "$(boto3_python)" - <<'EOF' || fail "InvalidUserState while modifying"
import os, time, boto3, botocore
client = boto3.client("elasticache", endpoint_url=os.environ["KEYFLEET_ENDPOINT"])
deadline = time.monotonic() + 30
for _ in range(20):
    first = client.modify_user(UserId="carol", AppendAccessString="+get")
    assert first["Status"] == "modifying", first
    try:
        client.modify_user(UserId="carol", AppendAccessString="+set")
    except botocore.exceptions.ClientError as e:
        error = e.response["Error"]
        assert error["Code"] == "InvalidUserState", error
        assert error["Message"] == "User carol has status modifying. Only active users can be modified.", error
        break
    while client.describe_users(UserId="carol")["Users"][0]["Status"] != "active":
        assert time.monotonic() < deadline, "carol never became active again"
EOF
wait_until 20 user_status_is carol active

# --- Tags -----------------------------------------------------------------------------------
alice_arn=arn:aws:elasticache:us-east-1:000000000000:user:alice
out=$(ec add-tags-to-resource --resource-name "$alice_arn" --tags Key=env,Value=dev)
assert_eq "env=dev team=a" "$(jqr '[.TagList | sort_by(.Key)[] | "\(.Key)=\(.Value)"] | join(" ")' "$out")" "user tags"
expect_error UserNotFound ec list-tags-for-resource --resource-name arn:aws:elasticache:us-east-1:000000000000:user:nope

# --- DeleteUser -------------------------------------------------------------------------------
ec create-user-group --user-group-id team --engine redis --user-ids default bob >/dev/null
group_active() { [ "$(ec describe-user-groups --user-group-id team | jq -r '.UserGroups[0].Status')" = active ]; }
wait_until 20 group_active
assert_eq team "$(user_field bob '.UserGroupIds | join(",")')" "bob's groups"
assert_eq team "$(user_field default '.UserGroupIds | join(",")')" "the default user's groups"
out=$(ec delete-user --user-id BOB)
assert_eq "bob|deleting" "$(jqr '"\(.UserId)|\(.Status)"' "$out")" "DeleteUser answers status deleting"
wait_until 20 user_gone bob
out=$(ec describe-user-groups --user-group-id team)
assert_eq default "$(jqr '.UserGroups[0].UserIds | join(",")' "$out")" "a deleted user leaves its groups"
expect_error UserNotFound ec delete-user --user-id bob
expect_error UserNotFound ec list-tags-for-resource --resource-name arn:aws:elasticache:us-east-1:000000000000:user:bob

out=$(error_output ec delete-user --user-id default)
[[ $out == *"(InvalidParameterValue)"* ]] || fail "the default user cannot be deleted: $out"
# A user of ours named "default" stands in for the built-in one; while in a group it cannot go.
ec create-user --user-id my-default --user-name default --engine redis --access-string "on ~* +@all" \
    --passwords "$password1" >/dev/null
ec create-user-group --user-group-id own --engine redis --user-ids my-default >/dev/null
expect_message DefaultUserAssociatedToUserGroup "User is associated to user group(s) as a default user and can't be deleted." \
    ec delete-user --user-id my-default
send Action=DeleteUser UserId=my-default
expect_wire_error 400 DefaultUserAssociatedToUserGroup
assert_eq active "$(user_field my-default .Status)" "the refused delete left the user"
# Out of groups, it can.
out=$(ec delete-user --user-id carol)
assert_eq deleting "$(jqr .Status "$out")" "carol deleting"
wait_until 20 user_gone carol
out=$(ec describe-users)
assert_eq "alice alice2 dave default iam-user my-default" "$(jqr '[.Users[].UserId] | join(" ")' "$out")" "users after deletes"

# --- Events -----------------------------------------------------------------------------------
out=$(ec describe-events --source-type user --source-identifier bob)
assert_eq user "$(jqr '[.Events[].SourceType] | unique | join(",")' "$out")" "event SourceType"
[[ $(jqr '.Events[0].Message' "$out") == *deleted* ]] || fail "bob's newest event: $(jqr '[.Events[].Message] | join("|")' "$out")"
[[ $(jqr '.Events[-1].Message' "$out") == *created* ]] || fail "bob's oldest event: $(jqr '[.Events[].Message] | join("|")' "$out")"
out=$(ec describe-events --source-type user --source-identifier alice)
[[ $(jqr '[.Events[].Message] | join("|")' "$out") == *modified* ]] ||
    fail "alice's events should tell the modification: $(jqr '[.Events[].Message] | join("|")' "$out")"
out=$(ec describe-events --source-type user --source-identifier x1)
assert_eq 0 "$(jqr '.Events | length' "$out")" "refused creates leave no event"
