#!/usr/bin/env bash
# Cache subnet groups through the aws CLI: the documented create example, names
# stored lowercase and found in any case, the computed `default` group, modify,
# delete, AWS's error codes for every refusal, and refusals that change nothing.
. "$(dirname "$0")/lib.sh"

start_keyfleet

# The example from the CreateCacheSubnetGroup documentation, verbatim.
out=$(aws elasticache --endpoint-url "$(endpoint)" --output json create-cache-subnet-group \
    --cache-subnet-group-name mysubnetgroup --cache-subnet-group-description "Testing" --subnet-ids subnet-53df9c3a)
assert_eq mysubnetgroup "$(jqr .CacheSubnetGroup.CacheSubnetGroupName "$out")" name
assert_eq Testing "$(jqr .CacheSubnetGroup.CacheSubnetGroupDescription "$out")" description
vpc=$(jqr .CacheSubnetGroup.VpcId "$out")
[[ $vpc =~ ^vpc-[0-9a-f]+$ ]] || fail "VpcId should look like vpc-<hex>, got '$vpc'"
assert_eq 1 "$(jqr '.CacheSubnetGroup.Subnets | length' "$out")" "subnet count"
assert_eq subnet-53df9c3a "$(jqr '.CacheSubnetGroup.Subnets[0].SubnetIdentifier' "$out")" SubnetIdentifier
az=$(jqr '.CacheSubnetGroup.Subnets[0].SubnetAvailabilityZone.Name' "$out")
[[ $az =~ ^us-east-1[a-z]$ ]] || fail "SubnetAvailabilityZone.Name should be a us-east-1 zone, got '$az'"
assert_eq arn:aws:elasticache:us-east-1:000000000000:subnetgroup:mysubnetgroup "$(jqr .CacheSubnetGroup.ARN "$out")" ARN

# A mixed-case name is stored lowercase, and found by any case.
out=$(ec create-cache-subnet-group --cache-subnet-group-name Mixed-Case-1 --cache-subnet-group-description "two subnets" \
    --subnet-ids subnet-0a1b2c3d subnet-0e1f2a3b)
assert_eq mixed-case-1 "$(jqr .CacheSubnetGroup.CacheSubnetGroupName "$out")" "stored name"
assert_eq arn:aws:elasticache:us-east-1:000000000000:subnetgroup:mixed-case-1 "$(jqr .CacheSubnetGroup.ARN "$out")" ARN
assert_eq "subnet-0a1b2c3d subnet-0e1f2a3b" "$(jqr '[.CacheSubnetGroup.Subnets[].SubnetIdentifier] | join(" ")' "$out")" \
    "subnets in request order"
out=$(ec describe-cache-subnet-groups --cache-subnet-group-name MIXED-case-1)
assert_eq 1 "$(jqr '.CacheSubnetGroups | length' "$out")" "groups found by name"
assert_eq mixed-case-1 "$(jqr '.CacheSubnetGroups[0].CacheSubnetGroupName' "$out")" "name found by any case"
assert_eq "two subnets" "$(jqr '.CacheSubnetGroups[0].CacheSubnetGroupDescription' "$out")" description

# The list: the region's default group and ours, in name order.
out=$(ec describe-cache-subnet-groups)
assert_eq "default mixed-case-1 mysubnetgroup" "$(jqr '[.CacheSubnetGroups[].CacheSubnetGroupName] | join(" ")' "$out")" \
    "listed groups"
assert_eq "Default CacheSubnetGroup" \
    "$(jqr '.CacheSubnetGroups[] | select(.CacheSubnetGroupName == "default") | .CacheSubnetGroupDescription' "$out")" \
    "default group description"
default_subnets=$(jqr '.CacheSubnetGroups[] | select(.CacheSubnetGroupName == "default") | .Subnets | length' "$out")
[ "$default_subnets" -ge 1 ] || fail "the default group should have subnets, has $default_subnets"
assert_eq "$vpc" "$(jqr '.CacheSubnetGroups[] | select(.CacheSubnetGroupName == "mysubnetgroup") | .VpcId' "$out")" \
    "VpcId stable between create and describe"
assert_eq null "$(jqr .Marker "$out")" "no Marker on a single page"

# Modify: the description alone keeps the subnets; subnets alone keep the description.
out=$(ec modify-cache-subnet-group --cache-subnet-group-name MySubnetGroup --cache-subnet-group-description "Changed")
assert_eq Changed "$(jqr .CacheSubnetGroup.CacheSubnetGroupDescription "$out")" "modified description"
assert_eq subnet-53df9c3a "$(jqr '[.CacheSubnetGroup.Subnets[].SubnetIdentifier] | join(" ")' "$out")" "subnets kept"
out=$(ec modify-cache-subnet-group --cache-subnet-group-name mysubnetgroup --subnet-ids subnet-11111111 subnet-22222222)
assert_eq "subnet-11111111 subnet-22222222" "$(jqr '[.CacheSubnetGroup.Subnets[].SubnetIdentifier] | join(" ")' "$out")" \
    "modified subnets"
assert_eq Changed "$(jqr .CacheSubnetGroup.CacheSubnetGroupDescription "$out")" "description kept"
out=$(ec describe-cache-subnet-groups --cache-subnet-group-name mysubnetgroup)
assert_eq "Changed|subnet-11111111 subnet-22222222" \
    "$(jqr '.CacheSubnetGroups[0] | .CacheSubnetGroupDescription + "|" + ([.Subnets[].SubnetIdentifier] | join(" "))' "$out")" \
    "modification persisted"

# Refusals, each with AWS's code; none of them changes anything.
expect_message CacheSubnetGroupAlreadyExists "Cache subnet group mysubnetgroup already exists." \
    ec create-cache-subnet-group --cache-subnet-group-name MYSUBNETGROUP \
    --cache-subnet-group-description "again" --subnet-ids subnet-53df9c3a
not_identifier="The parameter CacheSubnetGroupName is not a valid identifier. Identifiers must begin with a letter; \
must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens."
for name in bad_name 1leading-digit trailing-hyphen- double--hyphen; do
    expect_message InvalidParameterValue "$not_identifier" ec create-cache-subnet-group --cache-subnet-group-name "$name" \
        --cache-subnet-group-description d --subnet-ids subnet-53df9c3a
done
expect_message InvalidParameterValue "Some input subnets in :[not-a-subnet] are invalid." \
    ec create-cache-subnet-group --cache-subnet-group-name badsubnet \
    --cache-subnet-group-description d --subnet-ids subnet-53df9c3a not-a-subnet
too_many=()
for i in $(seq 1 21); do too_many+=("subnet-$(printf '%08x' "$i")"); done
expect_error CacheSubnetQuotaExceededFault ec create-cache-subnet-group --cache-subnet-group-name toomany \
    --cache-subnet-group-description d --subnet-ids "${too_many[@]}"
expect_error CacheSubnetQuotaExceededFault ec modify-cache-subnet-group --cache-subnet-group-name mysubnetgroup \
    --subnet-ids "${too_many[@]}"
expect_error InvalidParameterValue ec modify-cache-subnet-group --cache-subnet-group-name mysubnetgroup \
    --cache-subnet-group-description "Should not stick" --subnet-ids subnet-33333333 oops
out=$(ec describe-cache-subnet-groups)
assert_eq "default mixed-case-1 mysubnetgroup" "$(jqr '[.CacheSubnetGroups[].CacheSubnetGroupName] | join(" ")' "$out")" \
    "refused creates created nothing"
assert_eq Changed \
    "$(jqr '.CacheSubnetGroups[] | select(.CacheSubnetGroupName == "mysubnetgroup") | .CacheSubnetGroupDescription' "$out")" \
    "a refused duplicate or modify leaves the description"
assert_eq "subnet-11111111 subnet-22222222" \
    "$(jqr '.CacheSubnetGroups[] | select(.CacheSubnetGroupName == "mysubnetgroup") | [.Subnets[].SubnetIdentifier] | join(" ")' "$out")" \
    "a refused modify leaves the subnets"

# Names of up to 255 characters.
long_name=n$(printf 'a%.0s' $(seq 1 254))
out=$(ec create-cache-subnet-group --cache-subnet-group-name "$long_name" --cache-subnet-group-description d \
    --subnet-ids subnet-53df9c3a)
assert_eq "$long_name" "$(jqr .CacheSubnetGroup.CacheSubnetGroupName "$out")" "a 255-character name"
expect_error InvalidParameterValue ec create-cache-subnet-group --cache-subnet-group-name "${long_name}b" \
    --cache-subnet-group-description d --subnet-ids subnet-53df9c3a
ec delete-cache-subnet-group --cache-subnet-group-name "$long_name"

# Exactly 20 subnets is allowed.
twenty=("${too_many[@]:0:20}")
out=$(ec create-cache-subnet-group --cache-subnet-group-name twenty --cache-subnet-group-description d --subnet-ids "${twenty[@]}")
assert_eq 20 "$(jqr '.CacheSubnetGroup.Subnets | length' "$out")" "20 subnets"

# A group that does not exist.
expect_message CacheSubnetGroupNotFoundFault "Cache subnet group nope not found." \
    ec describe-cache-subnet-groups --cache-subnet-group-name nope
expect_error CacheSubnetGroupNotFoundFault ec modify-cache-subnet-group --cache-subnet-group-name nope \
    --cache-subnet-group-description d
expect_error CacheSubnetGroupNotFoundFault ec delete-cache-subnet-group --cache-subnet-group-name nope

# The default group is the region's own: it can be neither modified nor deleted.
expect_error InvalidParameterValue ec modify-cache-subnet-group --cache-subnet-group-name default \
    --cache-subnet-group-description "mine now"
expect_error InvalidParameterValue ec delete-cache-subnet-group --cache-subnet-group-name Default
out=$(ec describe-cache-subnet-groups --cache-subnet-group-name default)
assert_eq "Default CacheSubnetGroup" "$(jqr '.CacheSubnetGroups[0].CacheSubnetGroupDescription' "$out")" \
    "default group unchanged"

# Delete (by any case): the group is gone, the others stay.
out=$(ec delete-cache-subnet-group --cache-subnet-group-name MySubnetGroup)
assert_eq "" "$out" "DeleteCacheSubnetGroup prints nothing"
expect_error CacheSubnetGroupNotFoundFault ec describe-cache-subnet-groups --cache-subnet-group-name mysubnetgroup
expect_error CacheSubnetGroupNotFoundFault ec delete-cache-subnet-group --cache-subnet-group-name mysubnetgroup
out=$(ec describe-cache-subnet-groups)
assert_eq "default mixed-case-1 twenty" "$(jqr '[.CacheSubnetGroups[].CacheSubnetGroupName] | join(" ")' "$out")" \
    "groups after delete"

# The name is free again.
out=$(ec create-cache-subnet-group --cache-subnet-group-name mysubnetgroup --cache-subnet-group-description "Reborn" \
    --subnet-ids subnet-53df9c3a)
assert_eq Reborn "$(jqr .CacheSubnetGroup.CacheSubnetGroupDescription "$out")" "re-created group"
