#!/usr/bin/env bash
# Cache security groups (EC2-Classic) through the aws CLI: create (names stored
# lowercase, never "default"), the computed `default` group, describe, EC2
# security group ingress authorized and revoked with AWS's refusals, tags on the
# group's ARN, delete, and the events these leave.
. "$(dirname "$0")/lib.sh"

arn=arn:aws:elasticache:us-east-1:000000000000:securitygroup:mysg
# ingress JSON: the EC2 security groups of a CacheSecurityGroup answer as "status:name:owner" items.
ingress() { jq -r '[.CacheSecurityGroup.EC2SecurityGroups[] | "\(.Status):\(.EC2SecurityGroupName):\(.EC2SecurityGroupOwnerId)"] | join(" ")' <<<"$1"; }

start_keyfleet --cluster-node-pool 0   # no cache nodes here: none pre-started

# Create.
out=$(ec create-cache-security-group --cache-security-group-name MySG --description "my security group" \
    --tags Key=env,Value=test)
assert_eq mysg "$(jqr .CacheSecurityGroup.CacheSecurityGroupName "$out")" "name stored lowercase"
assert_eq "my security group" "$(jqr .CacheSecurityGroup.Description "$out")" description
assert_eq 000000000000 "$(jqr .CacheSecurityGroup.OwnerId "$out")" OwnerId
assert_eq 0 "$(jqr '.CacheSecurityGroup.EC2SecurityGroups | length' "$out")" "no EC2 security groups yet"
assert_eq "$arn" "$(jqr .CacheSecurityGroup.ARN "$out")" ARN

# Refusals at create.
for name in default Default; do
    out=$(ec create-cache-security-group --cache-security-group-name "$name" --description d 2>&1) &&
        fail "a cache security group named $name should be refused"
    [[ $out == *"(InvalidParameterValue)"* ]] || fail "the name $name should be InvalidParameterValue: $out"
done
expect_message CacheSecurityGroupAlreadyExists "Cache security group mysg already exists." \
    ec create-cache-security-group --cache-security-group-name MYSG --description again
expect_error InvalidParameterValue ec create-cache-security-group --cache-security-group-name bad_name --description d

# Describe: the default group and ours, by name in any case, a missing one (404).
out=$(ec describe-cache-security-groups)
assert_eq "default mysg" "$(jqr '[.CacheSecurityGroups[].CacheSecurityGroupName] | join(" ")' "$out")" "listed groups"
assert_eq arn:aws:elasticache:us-east-1:000000000000:securitygroup:default \
    "$(jqr '.CacheSecurityGroups[] | select(.CacheSecurityGroupName == "default") | .ARN' "$out")" "default group ARN"
out=$(ec describe-cache-security-groups --cache-security-group-name MySg)
assert_eq "mysg|my security group" \
    "$(jqr '.CacheSecurityGroups | map("\(.CacheSecurityGroupName)|\(.Description)") | join(",")' "$out")" "by name"
out=$(ec describe-cache-security-groups --cache-security-group-name default)
assert_eq default "$(jqr '.CacheSecurityGroups[0].CacheSecurityGroupName' "$out")" "the default group by name"
send Action=DescribeCacheSecurityGroups CacheSecurityGroupName=nope
expect_wire_error 404 CacheSecurityGroupNotFound

# Authorize ingress: the answer is the whole group; a second time is refused.
out=$(ec authorize-cache-security-group-ingress --cache-security-group-name mysg \
    --ec2-security-group-name web --ec2-security-group-owner-id 123456789012)
assert_eq "authorized:web:123456789012" "$(ingress "$out")" "after the first authorization"
assert_eq mysg "$(jqr .CacheSecurityGroup.CacheSecurityGroupName "$out")" "the group answered"
out=$(ec authorize-cache-security-group-ingress --cache-security-group-name MYSG \
    --ec2-security-group-name db --ec2-security-group-owner-id 210987654321)
assert_eq "authorized:web:123456789012 authorized:db:210987654321" "$(ingress "$out")" "after the second"
expect_error AuthorizationAlreadyExists ec authorize-cache-security-group-ingress --cache-security-group-name mysg \
    --ec2-security-group-name web --ec2-security-group-owner-id 123456789012
send Action=AuthorizeCacheSecurityGroupIngress CacheSecurityGroupName=mysg EC2SecurityGroupName=web \
    EC2SecurityGroupOwnerId=123456789012
expect_wire_error 400 AuthorizationAlreadyExists
expect_error CacheSecurityGroupNotFound ec authorize-cache-security-group-ingress --cache-security-group-name nope \
    --ec2-security-group-name web --ec2-security-group-owner-id 123456789012
expect_error InvalidParameterValue ec authorize-cache-security-group-ingress --cache-security-group-name default \
    --ec2-security-group-name web --ec2-security-group-owner-id 123456789012
out=$(ec describe-cache-security-groups --cache-security-group-name mysg)
assert_eq "authorized:web:123456789012 authorized:db:210987654321" \
    "$(ingress "$(jq '{CacheSecurityGroup: .CacheSecurityGroups[0]}' <<<"$out")")" "authorizations as described"

# Revoke: the same name with another owner is another authorization.
expect_error AuthorizationNotFound ec revoke-cache-security-group-ingress --cache-security-group-name mysg \
    --ec2-security-group-name web --ec2-security-group-owner-id 999999999999
send Action=RevokeCacheSecurityGroupIngress CacheSecurityGroupName=mysg EC2SecurityGroupName=nosuch \
    EC2SecurityGroupOwnerId=123456789012
expect_wire_error 404 AuthorizationNotFound
expect_error CacheSecurityGroupNotFound ec revoke-cache-security-group-ingress --cache-security-group-name nope \
    --ec2-security-group-name web --ec2-security-group-owner-id 123456789012
out=$(ec revoke-cache-security-group-ingress --cache-security-group-name mysg \
    --ec2-security-group-name web --ec2-security-group-owner-id 123456789012)
assert_eq "authorized:db:210987654321" "$(ingress "$out")" "after revoking web"
expect_error AuthorizationNotFound ec revoke-cache-security-group-ingress --cache-security-group-name mysg \
    --ec2-security-group-name web --ec2-security-group-owner-id 123456789012

# Tags on the group's ARN; the default group takes none.
tags() { jq -r '[.TagList | sort_by(.Key)[] | "\(.Key)=\(.Value)"] | join(" ")' <<<"$1"; }
assert_eq "env=test" "$(tags "$(ec list-tags-for-resource --resource-name "$arn")")" "tags given at create"
assert_eq "env=prod team=cache" \
    "$(tags "$(ec add-tags-to-resource --resource-name "$arn" --tags Key=team,Value=cache Key=env,Value=prod)")" \
    "tags added"
assert_eq "team=cache" "$(tags "$(ec remove-tags-from-resource --resource-name "$arn" --tag-keys env)")" "tags removed"
expect_error InvalidParameterValue ec add-tags-to-resource \
    --resource-name arn:aws:elasticache:us-east-1:000000000000:securitygroup:default --tags Key=a,Value=1
expect_error CacheSecurityGroupNotFound ec list-tags-for-resource \
    --resource-name arn:aws:elasticache:us-east-1:000000000000:securitygroup:nope

# Delete: not the default group, not a missing one; a deleted group's tags go with it.
expect_error InvalidParameterValue ec delete-cache-security-group --cache-security-group-name default
expect_error CacheSecurityGroupNotFound ec delete-cache-security-group --cache-security-group-name nope
out=$(ec delete-cache-security-group --cache-security-group-name MySG)
assert_eq "" "$out" "DeleteCacheSecurityGroup prints nothing"
expect_error CacheSecurityGroupNotFound ec describe-cache-security-groups --cache-security-group-name mysg
expect_error CacheSecurityGroupNotFound ec list-tags-for-resource --resource-name "$arn"
out=$(ec describe-cache-security-groups)
assert_eq "default" "$(jqr '[.CacheSecurityGroups[].CacheSecurityGroupName] | join(" ")' "$out")" "after delete"
out=$(ec create-cache-security-group --cache-security-group-name mysg --description reborn)
assert_eq 0 "$(jqr '.CacheSecurityGroup.EC2SecurityGroups | length' "$out")" "the name again starts with no authorizations"
assert_eq "" "$(tags "$(ec list-tags-for-resource --resource-name "$arn")")" "and no tags"

# Events.
out=$(ec describe-events --source-type cache-security-group --source-identifier mysg)
assert_eq cache-security-group "$(jqr '[.Events[].SourceType] | unique | join(",")' "$out")" "event SourceType"
messages=$(jqr '[.Events[].Message] | join("|")' "$out")
[[ $(jqr '.Events[0].Message' "$out") == *created* ]] || fail "newest event should tell the re-creation: $messages"
[[ $messages == *deleted* ]] || fail "events should tell the deletion: $messages"
# created, 2 authorizations, 1 revoke, deleted, created again: refusals leave none.
assert_eq 6 "$(jqr '.Events | length' "$out")" "events of mysg ($messages)"
