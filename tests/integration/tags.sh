#!/usr/bin/env bash
# Tags on cache subnet groups: given at create, listed, added (new keys and
# overwrites), removed; every answer is the resource's whole TagList. The ARN
# must name an existing resource of the caller's account and region; 50 tags at
# most; the `default` group takes none; a deleted group's tags go with it.
. "$(dirname "$0")/lib.sh"

# tags JSON: the TagList as "k=v k=v", sorted by key.
tags() { jq -r '[.TagList | sort_by(.Key)[] | "\(.Key)=\(.Value)"] | join(" ")' <<<"$1"; }

start_keyfleet
arn=arn:aws:elasticache:us-east-1:000000000000:subnetgroup:tagged

ec create-cache-subnet-group --cache-subnet-group-name tagged --cache-subnet-group-description d \
    --subnet-ids subnet-0a0a0a0a --tags Key=a,Value=1 Key=b,Value=2 >/dev/null
assert_eq "a=1 b=2" "$(tags "$(ec list-tags-for-resource --resource-name "$arn")")" "tags given at create"

out=$(ec add-tags-to-resource --resource-name "$arn" --tags Key=c,Value=3 Key=a,Value=10)
assert_eq "a=10 b=2 c=3" "$(tags "$out")" "AddTagsToResource answers the whole list (new key, overwrite)"
out=$(ec remove-tags-from-resource --resource-name "$arn" --tag-keys b)
assert_eq "a=10 c=3" "$(tags "$out")" "RemoveTagsFromResource answers what is left"
assert_eq "a=10 c=3" "$(tags "$(ec list-tags-for-resource --resource-name "$arn")")" "ListTagsForResource after remove"

# An empty value is a value.
out=$(ec add-tags-to-resource --resource-name "$arn" --tags Key=empty,Value=)
assert_eq "a=10 c=3 empty=" "$(tags "$out")" "a tag with an empty value"

# Removing a key the resource does not have changes nothing, not even the keys that do exist.
expect_error TagNotFound ec remove-tags-from-resource --resource-name "$arn" --tag-keys a missing
assert_eq "a=10 c=3 empty=" "$(tags "$(ec list-tags-for-resource --resource-name "$arn")")" "after a refused remove"

# ARNs that name nothing of ours.
expect_message InvalidARN "Input ARN string does not have 7 components." \
    ec list-tags-for-resource --resource-name tagged
expect_error InvalidARN ec add-tags-to-resource --resource-name arn:aws:elasticache:us-east-1:000000000000:nosuchkind:x \
    --tags Key=a,Value=1
expect_error CacheSubnetGroupNotFoundFault ec list-tags-for-resource \
    --resource-name arn:aws:elasticache:us-east-1:000000000000:subnetgroup:nope
expect_error CacheSubnetGroupNotFoundFault ec add-tags-to-resource \
    --resource-name arn:aws:elasticache:us-east-1:000000000000:subnetgroup:nope --tags Key=a,Value=1
expect_error CacheClusterNotFound ec list-tags-for-resource \
    --resource-name arn:aws:elasticache:us-east-1:000000000000:cluster:nope
expect_error ReplicationGroupNotFoundFault ec list-tags-for-resource \
    --resource-name arn:aws:elasticache:us-east-1:000000000000:replicationgroup:nope
# The same group name in the ARN, but another region or another account.
expect_error CacheSubnetGroupNotFoundFault ec list-tags-for-resource \
    --resource-name arn:aws:elasticache:eu-west-1:000000000000:subnetgroup:tagged
expect_error CacheSubnetGroupNotFoundFault ec add-tags-to-resource \
    --resource-name arn:aws:elasticache:us-east-1:111111111111:subnetgroup:tagged --tags Key=x,Value=y
# Signed for another region, the right ARN is someone else's resource.
expect_error CacheSubnetGroupNotFoundFault env AWS_DEFAULT_REGION=eu-west-1 \
    aws elasticache --endpoint-url "$(endpoint)" list-tags-for-resource --resource-name "$arn"

# The default subnet group takes no tags.
expect_error InvalidParameterValue ec add-tags-to-resource \
    --resource-name arn:aws:elasticache:us-east-1:000000000000:subnetgroup:default --tags Key=a,Value=1

# Invalid tags.
expect_error InvalidParameterValue ec add-tags-to-resource --resource-name "$arn" --tags Key=aws:reserved,Value=1

# At most 50 tags per resource: 3 + 47 is fine, one more is not, and the refusal adds none.
many=()
for i in $(seq 1 48); do many+=("Key=k$i,Value=v$i"); done
expect_error TagQuotaPerResourceExceeded ec add-tags-to-resource --resource-name "$arn" --tags "${many[@]}"
assert_eq 3 "$(jqr '.TagList | length' "$(ec list-tags-for-resource --resource-name "$arn")")" "after a refused add"
out=$(ec add-tags-to-resource --resource-name "$arn" --tags "${many[@]:0:47}")
assert_eq 50 "$(jqr '.TagList | length' "$out")" "50 tags"
# Overwriting at the limit is not adding.
out=$(ec add-tags-to-resource --resource-name "$arn" --tags Key=a,Value=11)
assert_eq 11 "$(jqr '.TagList[] | select(.Key == "a") | .Value' "$out")" "overwrite at the limit"
# 51 tags at create.
many+=("Key=k49,Value=v" "Key=k50,Value=v" "Key=k51,Value=v")
expect_error TagQuotaPerResourceExceeded ec create-cache-subnet-group --cache-subnet-group-name toomanytags \
    --cache-subnet-group-description d --subnet-ids subnet-0a0a0a0a --tags "${many[@]}"
expect_error CacheSubnetGroupNotFoundFault ec describe-cache-subnet-groups --cache-subnet-group-name toomanytags

# Deleting the group deletes its tags: the same name again starts with none.
ec delete-cache-subnet-group --cache-subnet-group-name tagged
expect_error CacheSubnetGroupNotFoundFault ec list-tags-for-resource --resource-name "$arn"
ec create-cache-subnet-group --cache-subnet-group-name tagged --cache-subnet-group-description d \
    --subnet-ids subnet-0a0a0a0a >/dev/null
out=$(ec list-tags-for-resource --resource-name "$arn")
assert_eq "[]" "$(jq -c .TagList <<<"$out")" "a re-created group has an empty TagList"
