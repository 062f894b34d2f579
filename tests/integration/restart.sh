#!/usr/bin/env bash
# Durability and start-up: subnet groups, tags and events survive a SIGTERM
# (exit status 0) and a kill -9; a second server on the same data dir, a busy
# port and an unusable data dir each fail at once with a clear message, and
# leave the running server serving.
. "$(dirname "$0")/lib.sh"

# refuse_to_start MESSAGE serve-flags...: `keyfleet serve` exits non-zero, saying MESSAGE.
refuse_to_start() {
    local message=$1 output status=0
    shift
    output=$(timeout 20 "$KEYFLEET_BIN" serve --host 127.0.0.1 "$@" 2>&1) || status=$?
    [ "$status" -ne 0 ] || fail "keyfleet serve $* should have refused to start; it exited 0: $output"
    [ "$status" -ne 124 ] || fail "keyfleet serve $* should have refused to start; it was still running after 20s"
    grep -qiF -- "$message" <<<"$output" || fail "keyfleet serve $*: expected '$message' in: $output"
}

# state: the groups with their description and tags, one line each.
state() {
    local groups name
    groups=$(ec describe-cache-subnet-groups)
    for name in $(jqr '.CacheSubnetGroups[].CacheSubnetGroupName' "$groups"); do
        [ "$name" = default ] && continue
        printf '%s|%s|%s\n' "$name" \
            "$(jqr ".CacheSubnetGroups[] | select(.CacheSubnetGroupName == \"$name\") | .CacheSubnetGroupDescription" "$groups")" \
            "$(jq -r '[.TagList | sort_by(.Key)[] | "\(.Key)=\(.Value)"] | join(",")' \
                <<<"$(ec list-tags-for-resource --resource-name "arn:aws:elasticache:us-east-1:000000000000:subnetgroup:$name")")"
    done
}

start_keyfleet
ec create-cache-subnet-group --cache-subnet-group-name keep1 --cache-subnet-group-description one \
    --subnet-ids subnet-0a0a0a0a --tags Key=a,Value=1 >/dev/null
ec create-cache-subnet-group --cache-subnet-group-name keep2 --cache-subnet-group-description two \
    --subnet-ids subnet-0b0b0b0b >/dev/null
ec add-tags-to-resource --resource-name arn:aws:elasticache:us-east-1:000000000000:subnetgroup:keep2 \
    --tags Key=b,Value=2 Key=c,Value=3 >/dev/null
before=$(state)
assert_eq "keep1|one|a=1
keep2|two|b=2,c=3" "$before" "state before restart"

# Only one server per data dir; a busy port; a data dir that cannot be made.
refuse_to_start "another keyfleet process is using data dir" --port "$(free_port)" --data-dir "$KEYFLEET_DATA"
refuse_to_start "address already in use" --port "$KEYFLEET_PORT" --data-dir "$TEST_TMP/other-data"
touch "$TEST_TMP/a-file"
refuse_to_start "cannot create data dir $TEST_TMP/a-file/data" --port "$(free_port)" --data-dir "$TEST_TMP/a-file/data"
assert_eq "$before" "$(state)" "the running server is undisturbed by the refused ones"

# SIGTERM: a clean exit with status 0; everything is there after a start on the same dir and port.
stop_keyfleet TERM
assert_eq 0 "$KEYFLEET_EXIT_STATUS" "exit status after SIGTERM"
start_keyfleet
assert_eq "$before" "$(state)" "state after SIGTERM and restart"
events=$(ec describe-events --source-type cache-subnet-group)
assert_eq "keep2 keep1" "$(jqr '[.Events[].SourceIdentifier] | join(" ")' "$events")" "events after restart"

# kill -9 right after a change: the change was committed before it was answered.
ec modify-cache-subnet-group --cache-subnet-group-name keep1 --cache-subnet-group-description "one, changed" >/dev/null
ec remove-tags-from-resource --resource-name arn:aws:elasticache:us-east-1:000000000000:subnetgroup:keep2 \
    --tag-keys b >/dev/null
ec delete-cache-subnet-group --cache-subnet-group-name keep2
stop_keyfleet KILL
start_keyfleet
assert_eq "keep1|one, changed|a=1" "$(state)" "state after kill -9 and restart"
expect_error CacheSubnetGroupNotFoundFault ec list-tags-for-resource \
    --resource-name arn:aws:elasticache:us-east-1:000000000000:subnetgroup:keep2
events=$(ec describe-events --source-type cache-subnet-group)
assert_eq "keep2 keep1 keep2 keep1" "$(jqr '[.Events[].SourceIdentifier] | join(" ")' "$events")" \
    "events after kill -9 and restart"

# The lock of a killed server does not outlive it: a new one on the same dir started above;
# and the re-created name starts without the deleted group's tags.
ec create-cache-subnet-group --cache-subnet-group-name keep2 --cache-subnet-group-description again \
    --subnet-ids subnet-0b0b0b0b >/dev/null
assert_eq "keep1|one, changed|a=1
keep2|again|" "$(state)" "state after re-creating keep2"
