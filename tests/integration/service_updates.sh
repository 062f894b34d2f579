#!/usr/bin/env bash
# Service updates through the aws CLI: AWS's catalog (all, by name, by status),
# no update actions while no cluster or replication group exists, and batch
# apply/stop answering every target that does not exist as unprocessed, with
# ServiceUpdateNotFoundFault for an update that does not exist.
. "$(dirname "$0")/lib.sh"

catalog=$KEYFLEET_ROOT/api-schemas/service-updates.json
names() { jq -r '[.ServiceUpdates[].ServiceUpdateName] | join(" ")' <<<"$1"; }
catalog_names() { jq -r "[.serviceUpdates[] | select($1) | .ServiceUpdateName] | join(\" \")" "$catalog"; }
available=$(catalog_names '.ServiceUpdateStatus == "available"')
update=${available%% *}

start_keyfleet --cluster-node-pool 0   # no cache nodes here: none pre-started

# --- DescribeServiceUpdates ---------------------------------------------------------------
all=$(ec describe-service-updates)
assert_eq "$(catalog_names true)" "$(names "$all")" "all service updates"
# Every member but the dates as the catalog has it (the CLI re-renders timestamps).
assert_eq "$(jq -S -c '[.serviceUpdates[] | with_entries(select(.key | endswith("Date") | not))]' "$catalog")" \
    "$(jq -S -c '[.ServiceUpdates[] | with_entries(select(.key | endswith("Date") | not))]' <<<"$all")" \
    "service updates member for member"
out=$(ec describe-service-updates --service-update-name elc-20191007-001)
assert_eq "elc-20191007-001|expired|important|security-update|redis, memcached|30 minutes per node|false" \
    "$(jqr '.ServiceUpdates | map("\(.ServiceUpdateName)|\(.ServiceUpdateStatus)|\(.ServiceUpdateSeverity)|\(.ServiceUpdateType)|\(.Engine)|\(.EstimatedUpdateTime)|\(.AutoUpdateAfterRecommendedApplyByDate)") | join(";")' "$out")" \
    "one service update by name"
[[ $(jqr '.ServiceUpdates[0].ServiceUpdateReleaseDate' "$out") == 2019-10-09T16:00:00* ]] ||
    fail "ServiceUpdateReleaseDate: $(jqr '.ServiceUpdates[0].ServiceUpdateReleaseDate' "$out")"
out=$(ec describe-service-updates --service-update-status available)
assert_eq "$available" "$(names "$out")" "--service-update-status available"
[ -n "$available" ] || fail "the catalog should have an available update"
out=$(ec describe-service-updates --service-update-status expired cancelled)
assert_eq "$(catalog_names '.ServiceUpdateStatus == "expired" or .ServiceUpdateStatus == "cancelled"')" "$(names "$out")" \
    "--service-update-status expired cancelled"
out=$(ec describe-service-updates --service-update-name "$update" --service-update-status expired)
assert_eq "" "$(names "$out")" "a name with a status it does not have"
expect_error ServiceUpdateNotFoundFault ec describe-service-updates --service-update-name nope
send Action=DescribeServiceUpdates ServiceUpdateName=nope
expect_wire_error 404 ServiceUpdateNotFoundFault

# --- DescribeUpdateActions: nothing to update ------------------------------------------------
out=$(ec describe-update-actions)
assert_eq '{"UpdateActions":[]}' "$(jq -c . <<<"$out")" "no update actions"
out=$(ec describe-update-actions --service-update-name "$update")
assert_eq 0 "$(jqr '.UpdateActions | length' "$out")" "no update actions for $update"
out=$(ec describe-update-actions --replication-group-ids rg1 --update-action-status not-applied)
assert_eq 0 "$(jqr '.UpdateActions | length' "$out")" "no update actions for a replication group"

# --- BatchApplyUpdateAction / BatchStopUpdateAction -----------------------------------------------
# unprocessed JSON: "target|update|has-message" for each unprocessed action.
unprocessed() {
    jq -r '[.UnprocessedUpdateActions[] | "\(.ReplicationGroupId // .CacheClusterId)|\(.ServiceUpdateName)|\(.ErrorMessage | length > 0)"] | join(" ")' <<<"$1"
}
out=$(ec batch-apply-update-action --service-update-name "$update" --replication-group-ids rg-missing \
    --cache-cluster-ids cc-missing)
assert_eq 0 "$(jqr '.ProcessedUpdateActions | length' "$out")" "nothing processed"
assert_eq "rg-missing|$update|true cc-missing|$update|true" "$(unprocessed "$out")" \
    "missing targets are unprocessed, each with an ErrorMessage"
assert_eq rg-missing "$(jqr '.UnprocessedUpdateActions[] | select(.ReplicationGroupId) | .ReplicationGroupId' "$out")" \
    "a replication group target is named as one"
assert_eq cc-missing "$(jqr '.UnprocessedUpdateActions[] | select(.CacheClusterId) | .CacheClusterId' "$out")" \
    "a cluster target is named as one"
out=$(ec batch-stop-update-action --service-update-name "$update" --replication-group-ids rg-missing)
assert_eq 0 "$(jqr '.ProcessedUpdateActions | length' "$out")" "nothing stopped"
assert_eq "rg-missing|$update|true" "$(unprocessed "$out")" "stop: the missing target is unprocessed"
out=$(ec describe-update-actions)
assert_eq 0 "$(jqr '.UpdateActions | length' "$out")" "unprocessed actions leave no update action"

expect_error ServiceUpdateNotFoundFault ec batch-apply-update-action --service-update-name nope \
    --replication-group-ids rg-missing
expect_error ServiceUpdateNotFoundFault ec batch-stop-update-action --service-update-name nope \
    --cache-cluster-ids cc-missing
send Action=BatchApplyUpdateAction ServiceUpdateName=nope ReplicationGroupIds.member.1=rg-missing
expect_wire_error 404 ServiceUpdateNotFoundFault
send Action=BatchStopUpdateAction ServiceUpdateName=nope ReplicationGroupIds.member.1=rg-missing
expect_wire_error 404 ServiceUpdateNotFoundFault
