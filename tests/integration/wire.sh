#!/usr/bin/env bash
# The Query API on the wire, below botocore's forgiving parser: response roots,
# Result wrappers and list item names exactly as AWS writes them, RequestIds,
# HTTP statuses of errors, both spellings of input lists, GET like POST, and
# the answers for a missing, unknown or not-yet-implemented Action.
. "$(dirname "$0")/lib.sh"

start_keyfleet

# Create, with the list names botocore sends (SubnetIds.SubnetIdentifier.N, Tags.Tag.N).
send Action=CreateCacheSubnetGroup CacheSubnetGroupName=Wire1 CacheSubnetGroupDescription="on the wire" \
    SubnetIds.SubnetIdentifier.2=subnet-0b0b0b0b SubnetIds.SubnetIdentifier.1=subnet-0a0a0a0a \
    Tags.Tag.1.Key=team Tags.Tag.1.Value=cache
expect_success CreateCacheSubnetGroup
group=/CreateCacheSubnetGroupResponse/CreateCacheSubnetGroupResult/CacheSubnetGroup
assert_eq wire1 "$(xml $group/CacheSubnetGroupName)" "CacheSubnetGroupName"
assert_eq "on the wire" "$(xml $group/CacheSubnetGroupDescription)" "CacheSubnetGroupDescription"
assert_eq "subnet-0a0a0a0a subnet-0b0b0b0b" "$(xml $group/Subnets/Subnet/SubnetIdentifier | paste -sd' ')" \
    "Subnets/Subnet/SubnetIdentifier, ordered by index"
[[ $(xml $group/Subnets/Subnet/SubnetAvailabilityZone/Name | head -n1) =~ ^us-east-1[a-z]$ ]] ||
    fail "Subnet/SubnetAvailabilityZone/Name: $PATHS"
assert_eq arn:aws:elasticache:us-east-1:000000000000:subnetgroup:wire1 "$(xml $group/ARN)" ARN
[[ $(xml $group/VpcId) == vpc-* ]] || fail "VpcId: $PATHS"
assert_eq "ipv4" "$(xml $group/SupportedNetworkTypes/member)" "SupportedNetworkTypes/member"
# Every element in the group is one the model knows, in the model's order.
assert_eq "CacheSubnetGroupName CacheSubnetGroupDescription VpcId Subnets ARN SupportedNetworkTypes" \
    "$(sed -n "s|^$group/\([A-Za-z]*\)\(=.*\)\?$|\1|p" <<<"$PATHS" | paste -sd' ')" "CacheSubnetGroup members"

# The same with the AWS documentation's spelling (SubnetIds.member.N, Tags.member.N).
send Action=CreateCacheSubnetGroup CacheSubnetGroupName=wire2 CacheSubnetGroupDescription=d \
    SubnetIds.member.1=subnet-0c0c0c0c SubnetIds.member.2=subnet-0d0d0d0d \
    Tags.member.1.Key=team Tags.member.1.Value=docs
expect_success CreateCacheSubnetGroup
assert_eq "subnet-0c0c0c0c subnet-0d0d0d0d" "$(xml $group/Subnets/Subnet/SubnetIdentifier | paste -sd' ')" \
    "SubnetIds.member.N"

# Text that needs escaping in XML, and non-ASCII text, come back as sent.
description="a<b & c>d \"q\" 'x' ünï ]]>"
send Action=CreateCacheSubnetGroup CacheSubnetGroupName=escaped "CacheSubnetGroupDescription=$description" \
    SubnetIds.SubnetIdentifier.1=subnet-0f0f0f0f
expect_success CreateCacheSubnetGroup
assert_eq "$description" "$(xml $group/CacheSubnetGroupDescription)" "escaped description"
send Action=DeleteCacheSubnetGroup CacheSubnetGroupName=escaped
expect_success DeleteCacheSubnetGroup

# Describe: a list of <CacheSubnetGroup>, the default group first.
send Action=DescribeCacheSubnetGroups
expect_success DescribeCacheSubnetGroups
list=/DescribeCacheSubnetGroupsResponse/DescribeCacheSubnetGroupsResult/CacheSubnetGroups/CacheSubnetGroup
assert_eq "default wire1 wire2" "$(xml $list/CacheSubnetGroupName | paste -sd' ')" "<CacheSubnetGroup> items"
has /DescribeCacheSubnetGroupsResponse/DescribeCacheSubnetGroupsResult/Marker && fail "no Marker on the only page"

# GET with the parameters in the query string is answered like POST.
send --method GET Action=DescribeCacheSubnetGroups CacheSubnetGroupName=WIRE1
expect_success DescribeCacheSubnetGroups
assert_eq wire1 "$(xml $list/CacheSubnetGroupName)" "GET DescribeCacheSubnetGroups"

# Tags: <TagList> of <Tag>, with both input spellings; an empty list is an empty element.
for name in wire1 wire2; do
    send Action=ListTagsForResource ResourceName=arn:aws:elasticache:us-east-1:000000000000:subnetgroup:$name
    expect_success ListTagsForResource
    tag=/ListTagsForResourceResponse/ListTagsForResourceResult/TagList/Tag
    assert_eq team "$(xml $tag/Key)" "Tag/Key of $name"
done
assert_eq docs "$(xml $tag/Value)" "Tags.member.N value"
send Action=RemoveTagsFromResource ResourceName=arn:aws:elasticache:us-east-1:000000000000:subnetgroup:wire2 \
    TagKeys.member.1=team
expect_success RemoveTagsFromResource
has /RemoveTagsFromResourceResponse/RemoveTagsFromResourceResult/TagList ||
    fail "an empty TagList is still answered: $PATHS"
has /RemoveTagsFromResourceResponse/RemoveTagsFromResourceResult/TagList/Tag && fail "no <Tag> left: $PATHS"

# Events: <Events> of <Event>, dates with milliseconds.
send Action=DescribeEvents
expect_success DescribeEvents
event=/DescribeEventsResponse/DescribeEventsResult/Events/Event
assert_eq "escaped escaped wire2 wire1" "$(xml $event/SourceIdentifier | paste -sd' ')" "<Event> items, newest first"
assert_eq "cache-subnet-group" "$(xml $event/SourceType | sort -u)" "Event/SourceType"
[[ $(xml $event/Date | head -n1) =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]] ||
    fail "Event/Date: $PATHS"

# Modify, then Delete: an empty output shape has no Result content.
send Action=ModifyCacheSubnetGroup CacheSubnetGroupName=wire2 SubnetIds.SubnetIdentifier.1=subnet-0e0e0e0e
expect_success ModifyCacheSubnetGroup
assert_eq subnet-0e0e0e0e \
    "$(xml /ModifyCacheSubnetGroupResponse/ModifyCacheSubnetGroupResult/CacheSubnetGroup/Subnets/Subnet/SubnetIdentifier)" \
    "ModifyCacheSubnetGroupResult"
send Action=DeleteCacheSubnetGroup CacheSubnetGroupName=wire2
expect_success DeleteCacheSubnetGroup
assert_eq "/DeleteCacheSubnetGroupResponse/@xmlns=$XMLNS
/DeleteCacheSubnetGroupResponse
/DeleteCacheSubnetGroupResponse/ResponseMetadata
/DeleteCacheSubnetGroupResponse/ResponseMetadata/RequestId=$(header x-amzn-RequestId)" "$PATHS" \
    "DeleteCacheSubnetGroup answer"

# Errors carry the model's HTTP status, which is not always 404 for "not found".
send Action=DescribeCacheSubnetGroups CacheSubnetGroupName=wire2
expect_wire_error 400 CacheSubnetGroupNotFoundFault "Cache subnet group wire2 not found."
assert_eq Sender "$(xml /ErrorResponse/Error/Type)" "a client error's Type"
send Action=ListTagsForResource ResourceName=arn:aws:elasticache:us-east-1:000000000000:cluster:nope
expect_wire_error 404 CacheClusterNotFound
send Action=RemoveTagsFromResource ResourceName=arn:aws:elasticache:us-east-1:000000000000:subnetgroup:wire1 \
    TagKeys.member.1=nope
expect_wire_error 404 TagNotFound
send Action=ListTagsForResource ResourceName=wire1
expect_wire_error 400 InvalidARN "Input ARN string does not have 7 components."
send Action=CreateCacheSubnetGroup CacheSubnetGroupName=wire1 CacheSubnetGroupDescription=d \
    SubnetIds.SubnetIdentifier.1=subnet-0a0a0a0a
expect_wire_error 400 CacheSubnetGroupAlreadyExists "Cache subnet group wire1 already exists."
# An empty list, as the SDKs send one: SubnetIds= with no members.
send Action=CreateCacheSubnetGroup CacheSubnetGroupName=wire3 CacheSubnetGroupDescription=d SubnetIds=
expect_wire_error 400 InvalidParameterValue "The parameter SubnetIds must be provided."
send Action=CreateCacheSubnetGroup CacheSubnetGroupName= CacheSubnetGroupDescription=d \
    SubnetIds.SubnetIdentifier.1=subnet-0a0a0a0a
expect_wire_error 400 InvalidParameterValue "The parameter CacheSubnetGroupName must be provided and must not be blank."
send Action=DescribeCacheSubnetGroups MaxRecords=abc
expect_wire_error 400 InvalidParameterValue

# Action: missing, unknown, or known but not carried out yet.
send Action=
expect_wire_error 400 MissingAction
send
expect_wire_error 400 MissingAction
send Action=DescribeEverything
expect_wire_error 400 InvalidAction
send Action=CreateServerlessCache ServerlessCacheName=s1 Engine=redis
expect_wire_error 501 NotImplemented
[[ $(xml /ErrorResponse/Error/Message) == *CreateServerlessCache* ]] ||
    fail "NotImplemented should name the operation: $(xml /ErrorResponse/Error/Message)"
# The aws CLI shows it as an error of that operation.
expect_error NotImplemented ec describe-serverless-caches

# GET: every character SigV4 encodes must survive signing and decoding, including a space,
# which botocore signs as %20 and sends as '+' (form encoding) in the query string.
description="sp ace*~!'()+&=/ü%"
send --method GET Action=CreateCacheSubnetGroup CacheSubnetGroupName=by-get "CacheSubnetGroupDescription=$description" \
    SubnetIds.SubnetIdentifier.1=subnet-0f0f0f0f
expect_success CreateCacheSubnetGroup
assert_eq "$description" "$(xml $group/CacheSubnetGroupDescription)" "GET CreateCacheSubnetGroup"
send Action=DeleteCacheSubnetGroup CacheSubnetGroupName=by-get
expect_success DeleteCacheSubnetGroup

# A body over the server's 1 MiB cap is answered (413), not met with a closed connection,
# whether its size is announced in Content-Length or only found while reading chunks.
head -c 1100000 /dev/zero | tr '\0' a >"$TEST_TMP/big-body"
for framing in "Content-Length" "Transfer-Encoding: chunked"; do
    extra=()
    [ "$framing" = Content-Length ] || extra=(-H "$framing")
    status=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Expect:' "${extra[@]}" -X POST "$(endpoint)/" \
        --data-binary @"$TEST_TMP/big-body" 2>/dev/null) || true
    assert_eq 413 "$status" "HTTP status of a 1.1 MB body sent with $framing"
done
keyfleet_healthy || fail "the server should still serve after an oversized request"
