#!/usr/bin/env bash
# DescribeCacheEngineVersions from AWS's catalog: all of them, by engine (any
# case), default only, by version and by parameter group family, in pages of
# MaxRecords; and ListAllowedNodeTypeModifications' refusals: it needs a
# cluster or a replication group, and one that exists.
. "$(dirname "$0")/lib.sh"

catalog=$KEYFLEET_ROOT/api-schemas/engine-versions.json
# versions JSON: the listed versions as "engine version" items, comma separated.
versions() { jq -r '[.CacheEngineVersions[] | "\(.Engine) \(.EngineVersion)"] | join(",")' <<<"$1"; }
# catalog_versions JQ-SELECT: the same for the catalog's entries that match.
catalog_versions() { jq -r "[.engines[] | select($1) | \"\(.Engine) \(.EngineVersion)\"] | join(\",\")" "$catalog"; }

start_keyfleet --cluster-node-pool 0   # no cache nodes here: none pre-started

# Everything: exactly the catalog, each entry with AWS's five members.
all=$(ec describe-cache-engine-versions)
total=$(jq '.engines | length' "$catalog")
assert_eq "$total" "$(jqr '.CacheEngineVersions | length' "$all")" "all engine versions"
assert_eq "$(jq -S '[.engines[] | {Engine, EngineVersion, CacheParameterGroupFamily, CacheEngineDescription,
    CacheEngineVersionDescription}]' "$catalog")" "$(jq -S .CacheEngineVersions <<<"$all")" "the catalog, member for member"
assert_eq "redis|7.1|redis7|Redis|redis version 7.1.0" \
    "$(jqr '.CacheEngineVersions[] | select(.Engine == "redis" and .EngineVersion == "7.1") |
        [.Engine, .EngineVersion, .CacheParameterGroupFamily, .CacheEngineDescription, .CacheEngineVersionDescription] | join("|")' "$all")" \
    "redis 7.1"
assert_eq "memcached|1.6.22|memcached1.6|memcached|memcached version 1.6.22" \
    "$(jqr '.CacheEngineVersions[] | select(.EngineVersion == "1.6.22") |
        [.Engine, .EngineVersion, .CacheParameterGroupFamily, .CacheEngineDescription, .CacheEngineVersionDescription] | join("|")' "$all")" \
    "memcached 1.6.22"
assert_eq "memcached redis valkey" "$(jqr '[.CacheEngineVersions[].Engine] | unique | join(" ")' "$all")" engines

# By engine, in any case.
out=$(ec describe-cache-engine-versions --engine redis)
assert_eq "$(catalog_versions '.Engine == "redis"')" "$(versions "$out")" "--engine redis"
assert_eq "$(versions "$out")" "$(versions "$(ec describe-cache-engine-versions --engine Redis)")" "--engine Redis"
out=$(ec describe-cache-engine-versions --engine MEMCACHED)
assert_eq "$(catalog_versions '.Engine == "memcached"')" "$(versions "$out")" "--engine MEMCACHED"
out=$(ec describe-cache-engine-versions --engine nosuchengine)
assert_eq 0 "$(jqr '.CacheEngineVersions | length' "$out")" "an unknown engine matches nothing"

# Default only: the engine's default, or each engine's.
out=$(ec describe-cache-engine-versions --engine redis --default-only)
assert_eq "redis 7.1" "$(versions "$out")" "--engine redis --default-only"
out=$(ec describe-cache-engine-versions --default-only)
assert_eq "$(catalog_versions .default)" "$(versions "$out")" "--default-only"
assert_eq 3 "$(jqr '.CacheEngineVersions | length' "$out")" "one default per engine"

# By version and by family.
out=$(ec describe-cache-engine-versions --engine redis --engine-version 6.2)
assert_eq "redis 6.2|redis6.x" "$(jqr '[.CacheEngineVersions[] | "\(.Engine) \(.EngineVersion)|\(.CacheParameterGroupFamily)"] | join(",")' "$out")" \
    "--engine-version 6.2"
out=$(ec describe-cache-engine-versions --engine-version 9.9.9)
assert_eq 0 "$(jqr '.CacheEngineVersions | length' "$out")" "an unknown version matches nothing"
out=$(ec describe-cache-engine-versions --cache-parameter-group-family redis6.x)
assert_eq "redis 6.0,redis 6.2" "$(versions "$out")" "--cache-parameter-group-family redis6.x"
out=$(ec describe-cache-engine-versions --engine memcached --cache-parameter-group-family memcached1.6 --default-only)
assert_eq "memcached 1.6.22" "$(versions "$out")" "engine, family and default together"

# Pages: 20 and a Marker, then the rest; together, everything once.
page1=$(ec describe-cache-engine-versions --max-records 20)
assert_eq 20 "$(jqr '.CacheEngineVersions | length' "$page1")" "first page"
marker=$(jqr .Marker "$page1")
[ "$marker" != null ] || fail "a page of 20 out of $total versions should carry a Marker"
page2=$(ec describe-cache-engine-versions --max-records 20 --marker "$marker")
assert_eq $((total - 20)) "$(jqr '.CacheEngineVersions | length' "$page2")" "second page"
assert_eq null "$(jqr .Marker "$page2")" "no Marker on the last page"
assert_eq "$(versions "$all")" "$(versions "$page1"),$(versions "$page2")" "the pages, in order, are the whole list"
expect_error InvalidParameterValue ec describe-cache-engine-versions --max-records 101
expect_error InvalidParameterValue ec describe-cache-engine-versions --max-records 20 --marker bm9wZQ

# ListAllowedNodeTypeModifications.
expect_error InvalidParameterCombination ec list-allowed-node-type-modifications
expect_message CacheClusterNotFound "CacheCluster not found: nope" \
    ec list-allowed-node-type-modifications --cache-cluster-id Nope
expect_error ReplicationGroupNotFoundFault ec list-allowed-node-type-modifications --replication-group-id nope
send Action=ListAllowedNodeTypeModifications CacheClusterId=nope
expect_wire_error 404 CacheClusterNotFound
send Action=ListAllowedNodeTypeModifications ReplicationGroupId=nope
expect_wire_error 404 ReplicationGroupNotFoundFault
send Action=ListAllowedNodeTypeModifications
expect_wire_error 400 InvalidParameterCombination
