#!/usr/bin/env bash
# DescribeEvents: every subnet group create/modify/delete leaves an event
# (SourceType cache-subnet-group, SourceIdentifier the group), newest first;
# filters by source type, identifier, StartTime/EndTime and Duration (at most
# 14 days back); pages of MaxRecords with a Marker; scoped by account and region.
. "$(dirname "$0")/lib.sh"

# shift_ms TIME MS: an ISO-8601 time (as DescribeEvents writes it) moved by MS milliseconds.
shift_ms() {
    python3 - "$1" "$2" <<'EOF'
import datetime, sys
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ") + datetime.timedelta(milliseconds=int(sys.argv[2]))
print(t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z")
EOF
}

# summary JSON: the events as "identifier:message" lines, in the order answered.
summary() { jq -r '.Events[] | "\(.SourceIdentifier):\(.Message)"' <<<"$1"; }

start_keyfleet

ec create-cache-subnet-group --cache-subnet-group-name first --cache-subnet-group-description d \
    --subnet-ids subnet-0a0a0a0a >/dev/null
ec modify-cache-subnet-group --cache-subnet-group-name first --cache-subnet-group-description changed >/dev/null
ec create-cache-subnet-group --cache-subnet-group-name second --cache-subnet-group-description d \
    --subnet-ids subnet-0b0b0b0b >/dev/null
ec delete-cache-subnet-group --cache-subnet-group-name first
# A refused call leaves no event.
expect_error CacheSubnetGroupAlreadyExists ec create-cache-subnet-group --cache-subnet-group-name second \
    --cache-subnet-group-description d --subnet-ids subnet-0b0b0b0b

all=$(ec describe-events)
assert_eq 4 "$(jqr '.Events | length' "$all")" "events in the last hour"
assert_eq "cache-subnet-group" "$(jqr '[.Events[].SourceType] | unique | join(",")' "$all")" SourceType
assert_eq "first second first first" "$(jqr '[.Events[].SourceIdentifier] | join(" ")' "$all")" "newest first"
assert_eq true "$(jqr '[.Events[].Date] as $d | $d == ($d | sort | reverse)' "$all")" "dates descending"
[[ $(jqr '.Events[0].Date' "$all") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]] ||
    fail "Date should be ISO-8601 with milliseconds, got $(jqr '.Events[0].Date' "$all")"
[[ $(jqr '.Events[3].Message' "$all") == *created* ]] || fail "oldest event should tell the creation: $(summary "$all")"
[[ $(jqr '.Events[2].Message' "$all") == *modified* ]] || fail "second event should tell the change: $(summary "$all")"
[[ $(jqr '.Events[0].Message' "$all") == *deleted* ]] || fail "newest event should tell the deletion: $(summary "$all")"
created_first=$(jqr '.Events[3].Date' "$all")
created_second=$(jqr '.Events[1].Date' "$all")
deleted_first=$(jqr '.Events[0].Date' "$all")

# Filters.
out=$(ec describe-events --source-type cache-subnet-group --source-identifier second)
assert_eq "second" "$(jqr '[.Events[].SourceIdentifier] | join(" ")' "$out")" "--source-identifier"
out=$(ec describe-events --source-type cache-subnet-group --source-identifier first)
assert_eq "first first first" "$(jqr '[.Events[].SourceIdentifier] | join(" ")' "$out")" "a deleted group's history"
out=$(ec describe-events --source-type cache-cluster)
assert_eq 0 "$(jqr '.Events | length' "$out")" "--source-type cache-cluster"
out=$(ec describe-events --start-time "$(shift_ms "$created_second" -1)")
assert_eq "first second" "$(jqr '[.Events[].SourceIdentifier] | join(" ")' "$out")" "--start-time"
out=$(ec describe-events --start-time "$(shift_ms "$created_first" 1)" --end-time "$(shift_ms "$deleted_first" -1)")
assert_eq "second first" "$(jqr '[.Events[].SourceIdentifier] | join(" ")' "$out")" "--start-time and --end-time"
out=$(ec describe-events --start-time "$(shift_ms "$created_first" -600000)" --end-time "$(shift_ms "$created_first" -1)")
assert_eq 0 "$(jqr '.Events | length' "$out")" "a window before everything"
out=$(ec describe-events --duration 5)
assert_eq 4 "$(jqr '.Events | length' "$out")" "--duration 5 (minutes)"
out=$(ec describe-events --duration 20160)
assert_eq 4 "$(jqr '.Events | length' "$out")" "--duration 20160 (14 days)"

# Refusals.
expect_message InvalidParameterValue "The parameter Duration must be between 0 and 20160 minutes." \
    ec describe-events --duration 20161
expect_error InvalidParameterValue ec describe-events --source-type bogus
expect_error InvalidParameterValue ec describe-events --start-time "$deleted_first" --end-time "$created_first"
expect_error InvalidParameterValue ec describe-events --max-records 19

# Events belong to the account and region they happened in.
out=$(AWS_DEFAULT_REGION=eu-west-1 ec describe-events)
assert_eq 0 "$(jqr '.Events | length' "$out")" "no events in another region"

# Pages: 25 more events, then 20 + Marker, then the rest.
KEYFLEET_ENDPOINT=$(endpoint) "$(boto3_python)" - <<'EOF'
import os, boto3
client = boto3.client("elasticache", endpoint_url=os.environ["KEYFLEET_ENDPOINT"])
for i in range(25):
    client.create_cache_subnet_group(CacheSubnetGroupName=f"bulk{i:02d}", CacheSubnetGroupDescription="d",
                                     SubnetIds=["subnet-0c0c0c0c"])
EOF
page1=$(ec describe-events --max-records 20)
assert_eq 20 "$(jqr '.Events | length' "$page1")" "first page of events"
assert_eq bulk24 "$(jqr '.Events[0].SourceIdentifier' "$page1")" "newest event first"
marker=$(jqr .Marker "$page1")
[ "$marker" != null ] || fail "a page of 20 out of 29 events should carry a Marker"
page2=$(ec describe-events --max-records 20 --marker "$marker")
assert_eq null "$(jqr .Marker "$page2")" "no Marker on the last page"
assert_eq "bulk04 bulk03 bulk02 bulk01 bulk00 first second first first" \
    "$(jqr '[.Events[].SourceIdentifier] | join(" ")' "$page2")" "second page of events"
out=$(ec describe-events --page-size 20)
assert_eq 29 "$(jqr '.Events | length' "$out")" "the CLI's paginator gets all events"
