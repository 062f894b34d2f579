# shellcheck shell=bash
# Shared by this case's checks: expect_user ID NAME ACCESS_STRING AUTH TAGS asserts, through
# the aws CLI, what keyfleet holds for one user. AUTH: the Authentication object as compact
# JSON; TAGS: compact JSON object sorted by key.
APP=tf-app
OPEN=tf-open
APP_ARN=arn:aws:elasticache:us-east-1:000000000000:user:$APP
OPEN_ARN=arn:aws:elasticache:us-east-1:000000000000:user:$OPEN
# shellcheck disable=SC2034 # used by the check scripts
APP_ACCESS_EXPANDED="on ~app::* -@all +@read +@hash +@bitmap +@geo -setbit -bitfield -hset -hsetnx -hmset -hincrby -hincrbyfloat -hdel -bitop -geoadd -georadius -georadiusbymember"

expect_user() {
    local id=$1 name=$2 access=$3 auth=$4 tags=$5 users user arn
    arn=arn:aws:elasticache:us-east-1:000000000000:user:$id
    users=$(ec describe-users --user-id "$id")
    assert_eq 1 "$(jq '.Users | length' <<<"$users")" "users with id $id"
    user=$(jq '.Users[0]' <<<"$users")
    assert_eq "$id" "$(jq -r .UserId <<<"$user")" "$id: UserId"
    assert_eq "$name" "$(jq -r .UserName <<<"$user")" "$id: UserName"
    assert_eq active "$(jq -r .Status <<<"$user")" "$id: Status"
    assert_eq redis "$(jq -r .Engine <<<"$user")" "$id: Engine"
    assert_eq "$access" "$(jq -r .AccessString <<<"$user")" "$id: AccessString"
    assert_eq "$auth" "$(jq -c .Authentication <<<"$user")" "$id: Authentication"
    assert_eq "[]" "$(jq -c .UserGroupIds <<<"$user")" "$id: UserGroupIds"
    assert_eq "$arn" "$(jq -r .ARN <<<"$user")" "$id: ARN"
    assert_eq "$tags" "$(ec list-tags-for-resource --resource-name "$arn" |
        jq -c '[.TagList[] | {(.Key): .Value}] | add // {} | to_entries | sort_by(.key) | from_entries')" "$id: tags"
}

# state_attr NAME ATTRIBUTE: an attribute of aws_elasticache_user.NAME as stored in the
# state (terraform state pull: no provider start, unlike terraform show). An output would
# not do for engine: while applying the create, Terraform evaluates references to the user
# with the planned engine ("REDIS", as configured), although the provider stored the
# "redis" it read back (tolerated for legacy-SDK providers), so such an output would change
# on the next plan.
state_attr() {
    terraform state pull | jq -r --arg n "$1" --arg a "$2" \
        '.resources[] | select(.mode == "managed" and .type == "aws_elasticache_user" and .name == $n) | .instances[0].attributes[$a]'
}

# expect_state: what Terraform recorded agrees with the server.
expect_state() {
    assert_eq "$APP_ARN" "$(tf_output app_arn)" "tf-app arn in state"
    assert_eq redis "$(state_attr app engine)" "tf-app engine in state"
    assert_eq redis "$(state_attr open engine)" "tf-open engine in state"
    assert_eq "$APP" "$(state_attr app id)" "tf-app id in state"
    assert_eq password/1 "$(tf_output app_auth)" "tf-app authentication_mode in state"
    assert_eq "$OPEN_ARN" "$(tf_output open_arn)" "tf-open arn in state"
    assert_eq no-password/0 "$(tf_output open_auth)" "tf-open authentication_mode in state"
}

# user_gone ID: succeeds once DescribeUsers answers UserNotFound for the id (a deleted user
# stays "deleting" until the server's workflow removes it).
user_gone() {
    local out
    if out=$(ec describe-users --user-id "$1" 2>&1); then return 1; fi
    [[ $out == *"(UserNotFound)"* ]]
}
