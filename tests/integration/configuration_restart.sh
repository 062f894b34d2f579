#!/usr/bin/env bash
# Configuration resources survive a kill -9: a parameter group with its values
# and tags, users, user groups with their members, a reservation, security
# group authorizations and the events are all back after a restart on the same
# data dir; a change killed while it was being applied is finished after it.
. "$(dirname "$0")/lib.sh"

# state: everything of ours, one line per resource, as the API shows it.
state() {
    local groups
    ec describe-cache-parameter-groups --cache-parameter-group-name keep-params |
        jq -r '.CacheParameterGroups[] | "parameter-group \(.CacheParameterGroupName) \(.CacheParameterGroupFamily) \(.Description)"'
    ec describe-cache-parameters --cache-parameter-group-name keep-params --source user |
        jq -r '.Parameters[] | "parameter \(.ParameterName)=\(.ParameterValue) \(.Source)"'
    ec list-tags-for-resource --resource-name arn:aws:elasticache:us-east-1:000000000000:parametergroup:keep-params |
        jq -r '"parameter-group-tags " + ([.TagList[] | "\(.Key)=\(.Value)"] | join(","))'
    ec describe-users |
        jq -r '.Users[] | "user \(.UserId) \(.UserName) \(.Status) \(.Authentication.Type)/\(.Authentication.PasswordCount // 0) [\(.AccessString)] groups=\(.UserGroupIds | sort | join(","))"'
    ec describe-user-groups |
        jq -r '.UserGroups[] | "user-group \(.UserGroupId) \(.Status) \(.Engine) members=\(.UserIds | sort | join(",")) pending=\(.PendingChanges // {} | tojson)"'
    ec describe-reserved-cache-nodes |
        jq -r '.ReservedCacheNodes[] | "reservation \(.ReservedCacheNodeId) \(.State) \(.CacheNodeCount) \(.StartTime)"'
    ec describe-cache-security-groups --cache-security-group-name keep-sg |
        jq -r '.CacheSecurityGroups[] | "security-group \(.CacheSecurityGroupName) " + ([.EC2SecurityGroups[] | "\(.EC2SecurityGroupName)/\(.EC2SecurityGroupOwnerId)"] | join(","))'
}
user_group_status_is() { [ "$(ec describe-user-groups --user-group-id "$1" | jq -r '.UserGroups[0].Status')" = "$2" ]; }
user_status_is() { [ "$(ec describe-users --user-id "$1" | jq -r '.Users[0].Status')" = "$2" ]; }
node_state_is() {
    [ "$(ec describe-reserved-cache-nodes --reserved-cache-node-id "$1" | jq -r '.ReservedCacheNodes[0].State')" = "$2" ]
}

start_keyfleet --cluster-node-pool 0   # no cache nodes here: none pre-started
ec create-cache-parameter-group --cache-parameter-group-name Keep-Params --cache-parameter-group-family redis7 \
    --description "kept params" --tags Key=team,Value=cache >/dev/null
ec modify-cache-parameter-group --cache-parameter-group-name keep-params --parameter-name-values \
    ParameterName=maxmemory-policy,ParameterValue=allkeys-lfu ParameterName=timeout,ParameterValue=600 >/dev/null
KEYFLEET_ENDPOINT=$(endpoint) "$(boto3_python)" - <<'EOF'
import os, boto3
client = boto3.client("elasticache", endpoint_url=os.environ["KEYFLEET_ENDPOINT"])
client.create_user(UserId="app", UserName="app", Engine="redis", AccessString="on ~app:* +@read",
                   Passwords=["app-password-000001", "app-password-000002"])
client.create_user(UserId="ops", UserName="ops", Engine="redis", AccessString="on ~* +@all", NoPasswordRequired=True)
client.create_user(UserId="app-default", UserName="default", Engine="redis", AccessString="off", NoPasswordRequired=True)
client.create_user_group(UserGroupId="apps", Engine="redis", UserIds=["app-default", "app"])
client.create_cache_security_group(CacheSecurityGroupName="keep-sg", Description="kept")
client.authorize_cache_security_group_ingress(CacheSecurityGroupName="keep-sg", EC2SecurityGroupName="web",
                                              EC2SecurityGroupOwnerId="123456789012")
offering = client.describe_reserved_cache_nodes_offerings(CacheNodeType="cache.r7g.large", Duration="1",
                                                          ProductDescription="redis", OfferingType="No Upfront")
client.purchase_reserved_cache_nodes_offering(
    ReservedCacheNodesOfferingId=offering["ReservedCacheNodesOfferings"][0]["ReservedCacheNodesOfferingId"],
    ReservedCacheNodeId="keep-ri", CacheNodeCount=2)
EOF
ec modify-user --user-id ops --append-access-string=-flushall >/dev/null
wait_until 20 user_group_status_is apps active
wait_until 20 user_status_is ops active
wait_until 20 node_state_is keep-ri active
before=$(state)
expected="parameter-group keep-params redis7 kept params
parameter maxmemory-policy=allkeys-lfu user
parameter timeout=600 user
parameter-group-tags team=cache
user app app active password/2 [on ~app:* +@read] groups=apps
user app-default default active no-password/0 [off] groups=apps
user default default active no-password/0 [on ~* +@all] groups=
user ops ops active no-password/0 [on ~* +@all -flushall] groups=
user-group apps active redis members=app,app-default pending={}"
[[ $before == "$expected"* ]] || fail "state before the kill: $before"
[[ $before == *"reservation keep-ri active 2 "* && $before == *"security-group keep-sg web/123456789012"* ]] ||
    fail "reservation and security group before the kill: $before"
events_before=$(ec describe-events | jq -c '[.Events[] | [.SourceType, .SourceIdentifier, .Message]]')

# kill -9: nothing is lost.
stop_keyfleet KILL
start_keyfleet --cluster-node-pool 0
assert_eq "$before" "$(state)" "state after kill -9 and restart"
assert_eq "$events_before" "$(ec describe-events | jq -c '[.Events[] | [.SourceType, .SourceIdentifier, .Message]]')" \
    "events after kill -9 and restart"

# kill -9 right after changes were accepted: they were committed with their
# workflows, which finish after the restart.
out=$(ec modify-user-group --user-group-id apps --user-ids-to-add ops --user-ids-to-remove app)
assert_eq modifying "$(jqr .Status "$out")" "the group change was accepted"
ec delete-user --user-id app >/dev/null
ec modify-cache-parameter-group --cache-parameter-group-name keep-params \
    --parameter-name-values ParameterName=activedefrag,ParameterValue=yes >/dev/null
stop_keyfleet KILL
start_keyfleet --cluster-node-pool 0
wait_until 20 user_group_status_is apps active
users_gone() { ! ec describe-users --user-id app >/dev/null 2>&1; }
wait_until 20 users_gone
after=$(state)
expected="parameter-group keep-params redis7 kept params
parameter activedefrag=yes user
parameter maxmemory-policy=allkeys-lfu user
parameter timeout=600 user
parameter-group-tags team=cache
user app-default default active no-password/0 [off] groups=apps
user default default active no-password/0 [on ~* +@all] groups=
user ops ops active no-password/0 [on ~* +@all -flushall] groups=apps
user-group apps active redis members=app-default,ops pending={}"
[[ $after == "$expected"* ]] || fail "changes made just before the kill, after the restart: $after"
[[ $after == *"reservation keep-ri active 2 "* ]] || fail "the reservation after the second restart: $after"

# And a clean stop keeps all of it too.
stop_keyfleet TERM
assert_eq 0 "$KEYFLEET_EXIT_STATUS" "exit status after SIGTERM"
start_keyfleet --cluster-node-pool 0
assert_eq "$after" "$(state)" "state after SIGTERM and restart"
