#!/usr/bin/env bash
# Reserved cache nodes through the aws CLI: AWS's offerings catalog and its
# filters (node type, duration in years or seconds, product, offering type, id),
# purchases (a generated ri-<start time> id or one of ours; payment-pending,
# then active), DescribeReservedCacheNodes with the same filters, and AWS's
# refusals: unknown offering, duplicate id, missing reservation.
. "$(dirname "$0")/lib.sh"

catalog=$KEYFLEET_ROOT/api-schemas/reserved-offerings.json
# offerings_where JQ-SELECT: how many catalog offerings match.
offerings_where() { jq "[.offerings[] | select($1)] | length" "$catalog"; }
ids() { jq -r "[.$1[].$2] | sort | join(\" \")" <<<"$3"; }
node_state_is() {
    [ "$(ec describe-reserved-cache-nodes --reserved-cache-node-id "$1" | jq -r '.ReservedCacheNodes[0].State')" = "$2" ]
}

start_keyfleet --cluster-node-pool 0   # no cache nodes here: none pre-started

# An account with no reservations.
out=$(ec describe-reserved-cache-nodes)
assert_eq '{"ReservedCacheNodes":[]}' "$(jq -c . <<<"$out")" "no reservations yet"

# --- Offerings ---------------------------------------------------------------------------
out=$(ec describe-reserved-cache-nodes-offerings --cache-node-type cache.r7g.large)
assert_eq "$(offerings_where '.CacheNodeType == "cache.r7g.large"')" "$(jqr '.ReservedCacheNodesOfferings | length' "$out")" \
    "--cache-node-type"
assert_eq cache.r7g.large "$(jqr '[.ReservedCacheNodesOfferings[].CacheNodeType] | unique | join(",")' "$out")" "node types"
one_year=$(ec describe-reserved-cache-nodes-offerings --cache-node-type cache.r7g.large --duration 1)
assert_eq "$(offerings_where '.CacheNodeType == "cache.r7g.large" and .Duration == 31536000')" \
    "$(jqr '.ReservedCacheNodesOfferings | length' "$one_year")" "--duration 1 (years)"
assert_eq 31536000 "$(jqr '[.ReservedCacheNodesOfferings[].Duration] | unique | join(",")' "$one_year")" "durations"
out=$(ec describe-reserved-cache-nodes-offerings --cache-node-type cache.r7g.large --duration 31536000)
assert_eq "$(ids ReservedCacheNodesOfferings ReservedCacheNodesOfferingId "$one_year")" \
    "$(ids ReservedCacheNodesOfferings ReservedCacheNodesOfferingId "$out")" "--duration 31536000 is --duration 1"
out=$(ec describe-reserved-cache-nodes-offerings --cache-node-type cache.r7g.large --duration 3)
assert_eq 94608000 "$(jqr '[.ReservedCacheNodesOfferings[].Duration] | unique | join(",")' "$out")" "--duration 3"
out=$(ec describe-reserved-cache-nodes-offerings --cache-node-type cache.r7g.large --product-description valkey)
assert_eq valkey "$(jqr '[.ReservedCacheNodesOfferings[].ProductDescription] | unique | join(",")' "$out")" \
    "--product-description"
assert_eq "$(offerings_where '.CacheNodeType == "cache.r7g.large" and .ProductDescription == "valkey"')" \
    "$(jqr '.ReservedCacheNodesOfferings | length' "$out")" "valkey offerings of cache.r7g.large"
out=$(ec describe-reserved-cache-nodes-offerings --offering-type "Heavy Utilization" --product-description memcached \
    --duration 3)
assert_eq "$(offerings_where '.OfferingType == "Heavy Utilization" and .ProductDescription == "memcached" and .Duration == 94608000')" \
    "$(jqr '.ReservedCacheNodesOfferings | length' "$out")" "--offering-type \"Heavy Utilization\""
out=$(ec describe-reserved-cache-nodes-offerings --cache-node-type cache.r7g.large --duration 1 \
    --product-description redis --offering-type "No Upfront")
assert_eq 1 "$(jqr '.ReservedCacheNodesOfferings | length' "$out")" "all four filters"
offering=$(jq -c '.ReservedCacheNodesOfferings[0]' <<<"$out")
offering_id=$(jqr .ReservedCacheNodesOfferingId "$offering")
assert_eq "$(jq -S -c --arg id "$offering_id" '.offerings[] | select(.ReservedCacheNodesOfferingId == $id) | del(.approximate)' "$catalog")" \
    "$(jq -S -c . <<<"$offering")" "the offering as the catalog has it"
assert_eq "cache.r7g.large|31536000|redis|No Upfront|Hourly" \
    "$(jqr '"\(.CacheNodeType)|\(.Duration)|\(.ProductDescription)|\(.OfferingType)|\(.RecurringCharges[0].RecurringChargeFrequency)"' "$offering")" \
    "offering members"
out=$(ec describe-reserved-cache-nodes-offerings --reserved-cache-nodes-offering-id "$offering_id")
assert_eq "$offering_id" "$(ids ReservedCacheNodesOfferings ReservedCacheNodesOfferingId "$out")" "by offering id"
out=$(ec describe-reserved-cache-nodes-offerings --cache-node-type cache.nope.large)
assert_eq 0 "$(jqr '.ReservedCacheNodesOfferings | length' "$out")" "a node type with no offerings"
page=$(ec describe-reserved-cache-nodes-offerings --max-records 20)
assert_eq 20 "$(jqr '.ReservedCacheNodesOfferings | length' "$page")" "a page of 20 offerings"
[ "$(jqr .Marker "$page")" != null ] || fail "a page of 20 offerings should carry a Marker"
page2=$(ec describe-reserved-cache-nodes-offerings --max-records 20 --marker "$(jqr .Marker "$page")")
assert_eq 0 "$(jq -n --argjson a "$page" --argjson b "$page2" \
    '[$a.ReservedCacheNodesOfferings[].ReservedCacheNodesOfferingId] - ([$a.ReservedCacheNodesOfferings[].ReservedCacheNodesOfferingId] - [$b.ReservedCacheNodesOfferings[].ReservedCacheNodesOfferingId]) | length')" \
    "the second page repeats nothing of the first"
expect_error ReservedCacheNodesOfferingNotFound ec describe-reserved-cache-nodes-offerings \
    --reserved-cache-nodes-offering-id 00000000-0000-0000-0000-000000000000
send Action=DescribeReservedCacheNodesOfferings ReservedCacheNodesOfferingId=nope
expect_wire_error 404 ReservedCacheNodesOfferingNotFound
expect_error InvalidParameterValue ec describe-reserved-cache-nodes-offerings --duration 2

# --- Purchase ----------------------------------------------------------------------------------
out=$(ec purchase-reserved-cache-nodes-offering --reserved-cache-nodes-offering-id "$offering_id")
generated=$(jqr .ReservedCacheNode.ReservedCacheNodeId "$out")
[[ $generated =~ ^ri-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{3}$ ]] ||
    fail "a generated id should be ri-YYYY-MM-DD-HH-MM-SS-mmm, got $generated"
start=$(jqr .ReservedCacheNode.StartTime "$out")
# ri-2026-11-22-06-12-00-123 names the start time 2026-11-22T06:12:00.123.
assert_eq "$generated" "$(sed -E 's/^([0-9-]{10})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{3}).*/ri-\1-\2-\3-\4-\5/' <<<"$start")" \
    "the generated id names the StartTime ($start)"
assert_eq payment-pending "$(jqr .ReservedCacheNode.State "$out")" "a purchase starts payment-pending"
assert_eq 1 "$(jqr .ReservedCacheNode.CacheNodeCount "$out")" "CacheNodeCount defaults to 1"
assert_eq "$offering_id|cache.r7g.large|31536000|redis|No Upfront" \
    "$(jqr '.ReservedCacheNode | "\(.ReservedCacheNodesOfferingId)|\(.CacheNodeType)|\(.Duration)|\(.ProductDescription)|\(.OfferingType)"' "$out")" \
    "the reservation carries its offering"
assert_eq "arn:aws:elasticache:us-east-1:000000000000:reserved-instance:$generated" \
    "$(jqr .ReservedCacheNode.ReservationARN "$out")" ReservationARN
wait_until 20 node_state_is "$generated" active

other_offering=$(ec describe-reserved-cache-nodes-offerings --cache-node-type cache.t4g.small --duration 3 \
    --product-description valkey --offering-type "All Upfront" | jq -r '.ReservedCacheNodesOfferings[0].ReservedCacheNodesOfferingId')
out=$(ec purchase-reserved-cache-nodes-offering --reserved-cache-nodes-offering-id "$other_offering" \
    --reserved-cache-node-id my-reservation --cache-node-count 3 --tags Key=cost-center,Value=42)
assert_eq "my-reservation|3|payment-pending" \
    "$(jqr '.ReservedCacheNode | "\(.ReservedCacheNodeId)|\(.CacheNodeCount)|\(.State)"' "$out")" "a purchase with our own id"
wait_until 20 node_state_is my-reservation active
out=$(ec list-tags-for-resource --resource-name arn:aws:elasticache:us-east-1:000000000000:reserved-instance:my-reservation)
assert_eq "cost-center=42" "$(jqr '[.TagList[] | "\(.Key)=\(.Value)"] | join(" ")' "$out")" "tags given at purchase"

# Refusals: none buys anything.
expect_error ReservedCacheNodeAlreadyExists ec purchase-reserved-cache-nodes-offering \
    --reserved-cache-nodes-offering-id "$offering_id" --reserved-cache-node-id my-reservation
send Action=PurchaseReservedCacheNodesOffering "ReservedCacheNodesOfferingId=$offering_id" \
    ReservedCacheNodeId=my-reservation
expect_wire_error 404 ReservedCacheNodeAlreadyExists
expect_error ReservedCacheNodesOfferingNotFound ec purchase-reserved-cache-nodes-offering \
    --reserved-cache-nodes-offering-id 00000000-0000-0000-0000-000000000000
send Action=PurchaseReservedCacheNodesOffering ReservedCacheNodesOfferingId=nope
expect_wire_error 404 ReservedCacheNodesOfferingNotFound
expect_error InvalidParameterValue ec purchase-reserved-cache-nodes-offering \
    --reserved-cache-nodes-offering-id "$offering_id" --cache-node-count 0

# --- DescribeReservedCacheNodes --------------------------------------------------------------------
out=$(ec describe-reserved-cache-nodes)
assert_eq "$(printf '%s\n' "$generated" my-reservation | sort | paste -sd' ')" \
    "$(ids ReservedCacheNodes ReservedCacheNodeId "$out")" "all reservations (the refused purchases bought nothing)"
assert_eq "active active" "$(jqr '[.ReservedCacheNodes[].State] | join(" ")' "$out")" "both active"
out=$(ec describe-reserved-cache-nodes --reserved-cache-node-id my-reservation)
assert_eq "my-reservation|cache.t4g.small|94608000|valkey|All Upfront|3" \
    "$(jqr '.ReservedCacheNodes[] | "\(.ReservedCacheNodeId)|\(.CacheNodeType)|\(.Duration)|\(.ProductDescription)|\(.OfferingType)|\(.CacheNodeCount)"' "$out")" \
    "by id"
# filter ARGS... : the ids DescribeReservedCacheNodes answers for those filters.
filter() { ids ReservedCacheNodes ReservedCacheNodeId "$(ec describe-reserved-cache-nodes "$@")"; }
assert_eq my-reservation "$(filter --cache-node-type cache.t4g.small)" "--cache-node-type"
assert_eq "$generated" "$(filter --duration 1)" "--duration 1"
assert_eq my-reservation "$(filter --duration 94608000)" "--duration 94608000"
assert_eq "$generated" "$(filter --product-description redis)" "--product-description"
assert_eq my-reservation "$(filter --offering-type "All Upfront")" "--offering-type"
assert_eq "$generated" "$(filter --reserved-cache-nodes-offering-id "$offering_id")" "--reserved-cache-nodes-offering-id"
assert_eq "" "$(filter --cache-node-type cache.m5.large)" "a filter nothing matches"
expect_error ReservedCacheNodeNotFound ec describe-reserved-cache-nodes --reserved-cache-node-id nope
send Action=DescribeReservedCacheNodes ReservedCacheNodeId=nope
expect_wire_error 404 ReservedCacheNodeNotFound
