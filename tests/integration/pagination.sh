#!/usr/bin/env bash
# DescribeCacheSubnetGroups pages: MaxRecords (20-100) and an opaque Marker give
# every group exactly once in name order, by hand and through the aws CLI's own
# paginator; and the per-region quota of 50 subnet groups (default not counted).
. "$(dirname "$0")/lib.sh"

# create_groups FIRST LAST: groups g01..gNN through boto3, much faster than a CLI call each.
create_groups() {
    KEYFLEET_ENDPOINT=$(endpoint) "$(boto3_python)" - "$1" "$2" <<'EOF'
import os, sys, boto3
client = boto3.client("elasticache", endpoint_url=os.environ["KEYFLEET_ENDPOINT"])
for i in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    client.create_cache_subnet_group(CacheSubnetGroupName=f"G{i:02d}", CacheSubnetGroupDescription=f"group {i}",
                                     SubnetIds=[f"subnet-{i:08x}"])
EOF
}

start_keyfleet
create_groups 1 25
expected=$(printf '%s\n' default $(seq -f 'g%02g' 1 25) | sort | tr '\n' ' ')

# By hand: 20, then the remaining 6 with no further Marker.
page1=$(ec describe-cache-subnet-groups --max-records 20)
assert_eq 20 "$(jqr '.CacheSubnetGroups | length' "$page1")" "first page size"
marker=$(jqr .Marker "$page1")
[[ -n $marker && $marker != null ]] || fail "a first page of 20 out of 26 should carry a Marker"
page2=$(ec describe-cache-subnet-groups --max-records 20 --marker "$marker")
assert_eq 6 "$(jqr '.CacheSubnetGroups | length' "$page2")" "second page size"
assert_eq null "$(jqr .Marker "$page2")" "no Marker on the last page"
both=$(jq -r -s '[.[].CacheSubnetGroups[].CacheSubnetGroupName] | join(" ")' <<<"$page1$page2")
assert_eq "$expected" "$both " "two pages: every group once, in name order"

# MaxRecords at the top of its range: one page.
hundred=$(ec describe-cache-subnet-groups --max-records 100)
assert_eq 26 "$(jqr '.CacheSubnetGroups | length' "$hundred")" "MaxRecords 100"
assert_eq null "$(jqr .Marker "$hundred")" "no Marker when everything fits"

# Out of range.
for records in 19 101; do
    expect_message InvalidParameterValue "Invalid value for max records. Must be between 20 and 100" \
        ec describe-cache-subnet-groups --max-records "$records"
done
expect_error InvalidParameterValue ec describe-cache-subnet-groups --max-records 20 --marker 'not a marker!'

# The CLI's own paginator follows the Markers to the end.
all=$(ec describe-cache-subnet-groups --page-size 20)
assert_eq "$expected" "$(jqr '[.CacheSubnetGroups[].CacheSubnetGroupName] | join(" ")' "$all") " "CLI pagination"
paged=$(ec describe-cache-subnet-groups --page-size 20 --max-items 21)
assert_eq 21 "$(jqr '.CacheSubnetGroups | length' "$paged")" "--max-items 21 across two pages"
token=$(jqr .NextToken "$paged")
rest=$(ec describe-cache-subnet-groups --page-size 20 --starting-token "$token")
assert_eq "$expected" "$(jq -r -s '[.[].CacheSubnetGroups[].CacheSubnetGroupName] | join(" ")' <<<"$paged$rest") " \
    "--starting-token resumes where --max-items stopped"

# Quota: 50 subnet groups per region, the default group not counted.
create_groups 26 50
expect_error CacheSubnetGroupQuotaExceeded ec create-cache-subnet-group --cache-subnet-group-name g51 --cache-subnet-group-description d --subnet-ids subnet-51
all=$(ec describe-cache-subnet-groups)
assert_eq 51 "$(jqr '.CacheSubnetGroups | length' "$all")" "50 groups and default"
assert_eq false "$(jqr '[.CacheSubnetGroups[].CacheSubnetGroupName] | index("g51") != null' "$all")" \
    "the refused group was not created"
# Another region has its own quota; freeing one slot here makes room again.
out=$(AWS_DEFAULT_REGION=eu-west-1 ec create-cache-subnet-group --cache-subnet-group-name g51 \
    --cache-subnet-group-description d --subnet-ids subnet-51)
assert_eq arn:aws:elasticache:eu-west-1:000000000000:subnetgroup:g51 "$(jqr .CacheSubnetGroup.ARN "$out")" "other region"
ec delete-cache-subnet-group --cache-subnet-group-name g50
out=$(ec create-cache-subnet-group --cache-subnet-group-name g51 --cache-subnet-group-description d --subnet-ids subnet-51)
assert_eq g51 "$(jqr .CacheSubnetGroup.CacheSubnetGroupName "$out")" "room after a delete"
