#!/usr/bin/env bash
# Cache parameter groups through the aws CLI: the computed default groups of
# every family, create (names stored lowercase, tags), the parameters of a group
# from AWS's catalog (Source user/system, node-type specific ones, pages of
# MaxRecords counting both lists), modify with every refusal AWS gives and a
# refused modify that changes nothing, reset (named, all), delete, each
# family's engine defaults, and the events these leave.
. "$(dirname "$0")/lib.sh"

catalog=$KEYFLEET_ROOT/api-schemas/parameters
arn=arn:aws:elasticache:us-east-1:000000000000:parametergroup:my-params

# names JSON [LIST]: the ParameterName of each entry of Parameters (or LIST), space separated.
names() { jq -r "[.${2:-Parameters}[]?.ParameterName] | join(\" \")" <<<"$1"; }
# value JSON NAME: the ParameterValue of one parameter ("" when it has none).
value() { jq -r --arg n "$2" '.Parameters[] | select(.ParameterName == $n) | .ParameterValue // ""' <<<"$1"; }

start_keyfleet --cluster-node-pool 0   # no cache nodes here: none pre-started

# --- Create ----------------------------------------------------------------------
out=$(ec create-cache-parameter-group --cache-parameter-group-name My-Params --cache-parameter-group-family redis7 \
    --description "my params" --tags Key=team,Value=cache)
assert_eq my-params "$(jqr .CacheParameterGroup.CacheParameterGroupName "$out")" "name stored lowercase"
assert_eq redis7 "$(jqr .CacheParameterGroup.CacheParameterGroupFamily "$out")" family
assert_eq "my params" "$(jqr .CacheParameterGroup.Description "$out")" description
assert_eq false "$(jqr .CacheParameterGroup.IsGlobal "$out")" IsGlobal
assert_eq "$arn" "$(jqr .CacheParameterGroup.ARN "$out")" ARN
out=$(ec list-tags-for-resource --resource-name "$arn")
assert_eq "team=cache" "$(jqr '[.TagList[] | "\(.Key)=\(.Value)"] | join(" ")' "$out")" "tags given at create"

expect_message CacheParameterGroupAlreadyExists "Parameter group my-params already exists" \
    ec create-cache-parameter-group --cache-parameter-group-name MY-PARAMS --cache-parameter-group-family redis7 \
    --description again
not_identifier="The parameter CacheParameterGroupName is not a valid identifier. Identifiers must begin with a letter; \
must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens."
# A default group's name (with dots) is no identifier for a group of ours.
for name in bad_name double--hyphen default.redis7; do
    expect_message InvalidParameterValue "$not_identifier" ec create-cache-parameter-group \
        --cache-parameter-group-name "$name" --cache-parameter-group-family redis7 --description d
done
out=$(error_output ec create-cache-parameter-group --cache-parameter-group-name nofamily \
    --cache-parameter-group-family redis99 --description d)
[[ $out == *"(InvalidParameterValue)"*"not a valid parameter group family"* ]] ||
    fail "an unknown family should be InvalidParameterValue, 'not a valid parameter group family': $out"

# --- DescribeCacheParameterGroups --------------------------------------------------
out=$(ec describe-cache-parameter-groups)
listed=$(jqr '[.CacheParameterGroups[].CacheParameterGroupName] | join(" ")' "$out")
for name in default.memcached1.4 default.memcached1.5 default.memcached1.6 default.redis2.8 default.redis6.x \
    default.redis6.x.cluster.on default.redis7 default.redis7.cluster.on default.valkey8 my-params; do
    [[ " $listed " == *" $name "* ]] || fail "DescribeCacheParameterGroups should list $name: $listed"
done
[[ " $listed " != *" nofamily "* && " $listed " != *" bad_name "* ]] || fail "refused creates created something: $listed"
[[ " $listed " != *" default.memcached1.6.cluster.on "* ]] || fail "memcached has no cluster-mode default group: $listed"
# describe JSON NAME MEMBER: one member of one listed group.
describe() { jq -r --arg n "$2" ".CacheParameterGroups[] | select(.CacheParameterGroupName == \$n) | .$3" <<<"$1"; }
assert_eq "Default parameter group for redis7" "$(describe "$out" default.redis7 Description)" "default.redis7 description"
assert_eq "Customized default parameter group for redis7 with cluster mode on" \
    "$(describe "$out" default.redis7.cluster.on Description)" "default.redis7.cluster.on description"
assert_eq redis7 "$(describe "$out" default.redis7.cluster.on CacheParameterGroupFamily)" "cluster.on family"
assert_eq "Default parameter group for memcached1.6" "$(describe "$out" default.memcached1.6 Description)" \
    "default.memcached1.6 description"
assert_eq memcached1.6 "$(describe "$out" default.memcached1.6 CacheParameterGroupFamily)" "memcached family"
assert_eq arn:aws:elasticache:us-east-1:000000000000:parametergroup:default.redis7 \
    "$(describe "$out" default.redis7 ARN)" "default group ARN"
assert_eq "my params" "$(describe "$out" my-params Description)" "our group in the list"

out=$(ec describe-cache-parameter-groups --cache-parameter-group-name MY-PARAMS)
assert_eq "my-params|redis7|my params|$arn" \
    "$(jqr '.CacheParameterGroups | map("\(.CacheParameterGroupName)|\(.CacheParameterGroupFamily)|\(.Description)|\(.ARN)") | join(",")' "$out")" \
    "one group by name, any case"
out=$(ec describe-cache-parameter-groups --cache-parameter-group-name default.redis7.cluster.on)
assert_eq default.redis7.cluster.on "$(jqr '.CacheParameterGroups[0].CacheParameterGroupName' "$out")" "a default by name"
# A missing group is 404 on the wire.
send Action=DescribeCacheParameterGroups CacheParameterGroupName=nope
expect_wire_error 404 CacheParameterGroupNotFound "CacheParameterGroup nope not found."
expect_error CacheParameterGroupNotFound ec describe-cache-parameters --cache-parameter-group-name nope

# --- DescribeCacheParameters: the catalog's parameters ------------------------------
# An explicit --max-records turns off the CLI's paginator, whose result key is
# Parameters alone: only then does the CLI show CacheNodeTypeSpecificParameters.
out=$(ec describe-cache-parameters --cache-parameter-group-name default.redis7 --max-records 100)
assert_eq "$(jq -S .parameters "$catalog/redis7.json")" "$(jq -S .Parameters <<<"$out")" \
    "default.redis7 lists exactly the catalog's redis7 parameters"
assert_eq "$(jq -S .cacheNodeTypeSpecificParameters "$catalog/redis7.json")" \
    "$(jq -S .CacheNodeTypeSpecificParameters <<<"$out")" "default.redis7's node-type specific parameters"
assert_eq volatile-lru "$(value "$out" maxmemory-policy)" "maxmemory-policy default"
assert_eq 0 "$(value "$out" timeout)" "timeout default"
assert_eq no "$(value "$out" cluster-enabled)" "cluster-enabled in default.redis7"
assert_eq "" "$(value "$out" notify-keyspace-events)" "notify-keyspace-events has no default value"
assert_eq system "$(jqr '[.Parameters[].Source, .CacheNodeTypeSpecificParameters[].Source] | unique | join(",")' "$out")" \
    "a default group's parameters are all Source system"
[[ " $(names "$out" CacheNodeTypeSpecificParameters) " == *" maxmemory "* ]] ||
    fail "maxmemory should be node-type specific: $(names "$out" CacheNodeTypeSpecificParameters)"
[[ " $(names "$out") " != *" maxmemory "* ]] || fail "maxmemory should not be among Parameters"
assert_eq 14037181030 "$(jqr '.CacheNodeTypeSpecificParameters[] | select(.ParameterName == "maxmemory") |
    .CacheNodeTypeSpecificValues[] | select(.CacheNodeType == "cache.r7g.large") | .Value' "$out")" \
    "maxmemory of cache.r7g.large"
[ "$(jqr .Marker "$out")" = null ] || fail "68 entries fit in a page of 100: $(jqr .Marker "$out")"

out=$(ec describe-cache-parameters --cache-parameter-group-name default.redis7.cluster.on --max-records 100)
assert_eq yes "$(value "$out" cluster-enabled)" "cluster-enabled in default.redis7.cluster.on"
assert_eq volatile-lru "$(value "$out" maxmemory-policy)" "other values of the cluster.on group are the family's"

# Pages of 20: both lists count toward MaxRecords; the pages hold every entry once.
catalog_total=$(jq '(.parameters | length) + (.cacheNodeTypeSpecificParameters | length)' "$catalog/redis7.json")
marker="" pages=0 seen=()
while :; do
    args=(--cache-parameter-group-name default.redis7 --max-records 20)
    [ -z "$marker" ] || args+=(--marker "$marker")
    page=$(ec describe-cache-parameters "${args[@]}")
    pages=$((pages + 1))
    count=$(jqr '(.Parameters | length) + (.CacheNodeTypeSpecificParameters // [] | length)' "$page")
    marker=$(jqr '.Marker // ""' "$page")
    if [ -n "$marker" ]; then
        assert_eq 20 "$count" "entries on page $pages (both lists together)"
    else
        [ "$count" -ge 1 ] && [ "$count" -le 20 ] || fail "last page should hold 1-20 entries, holds $count"
    fi
    seen+=($(names "$page") $(names "$page" CacheNodeTypeSpecificParameters))
    [ -n "$marker" ] || break
    [ "$pages" -lt 10 ] || fail "pagination does not end"
done
assert_eq "$catalog_total" "${#seen[@]}" "entries over all pages"
assert_eq "$catalog_total" "$(printf '%s\n' "${seen[@]}" | sort -u | wc -l)" "distinct entries over all pages"
assert_eq "$(jq -r '[.parameters[].ParameterName, .cacheNodeTypeSpecificParameters[].ParameterName] | sort | join(" ")' \
    "$catalog/redis7.json")" "$(printf '%s\n' "${seen[@]}" | sort | paste -sd' ')" "the pages hold the catalog"
assert_eq 4 "$pages" "pages of 20 for $catalog_total entries"
expect_error InvalidParameterValue ec describe-cache-parameters --cache-parameter-group-name default.redis7 \
    --max-records 19
expect_error InvalidParameterValue ec describe-cache-parameters --cache-parameter-group-name default.redis7 \
    --max-records 20 --marker bm90LWEtcGFyYW1ldGVy

# --- ModifyCacheParameterGroup -------------------------------------------------------
out=$(ec modify-cache-parameter-group --cache-parameter-group-name My-Params --parameter-name-values \
    ParameterName=maxmemory-policy,ParameterValue=allkeys-lru ParameterName=timeout,ParameterValue=300 \
    ParameterName=activedefrag,ParameterValue=yes)
assert_eq '{"CacheParameterGroupName":"my-params"}' "$(jq -c . <<<"$out")" "ModifyCacheParameterGroup answers the name"
out=$(ec describe-cache-parameters --cache-parameter-group-name my-params --source user)
assert_eq "activedefrag maxmemory-policy timeout" "$(names "$out")" "Source user: exactly the modified parameters"
assert_eq "yes allkeys-lru 300" "$(jqr '[.Parameters[].ParameterValue] | join(" ")' "$out")" "modified values"
assert_eq user "$(jqr '[.Parameters[].Source] | unique | join(",")' "$out")" "their Source"
out=$(ec describe-cache-parameters --cache-parameter-group-name my-params --source system --max-records 100)
assert_eq $(($(jq '.parameters | length' "$catalog/redis7.json") - 3)) "$(jqr '.Parameters | length' "$out")" \
    "Source system: the others"
assert_eq 3 "$(jqr '.CacheNodeTypeSpecificParameters | length' "$out")" "node-type specific parameters are system"
out=$(ec describe-cache-parameters --cache-parameter-group-name my-params --max-records 100)
assert_eq 300 "$(value "$out" timeout)" "timeout in the whole listing"
assert_eq no "$(value "$out" cluster-enabled)" "untouched parameters keep the family's defaults"
expect_error InvalidParameterValue ec describe-cache-parameters --cache-parameter-group-name my-params --source bogus

# Refusals. Every one leaves the group as it was, even when other values in the request were fine.
expect_message InvalidParameterValue "Parameter nosuch doesn't exist" \
    ec modify-cache-parameter-group --cache-parameter-group-name my-params \
    --parameter-name-values ParameterName=timeout,ParameterValue=100 ParameterName=nosuch,ParameterValue=1
expect_message InvalidParameterValue "The parameter appendonly cannot be modified." \
    ec modify-cache-parameter-group --cache-parameter-group-name my-params \
    --parameter-name-values ParameterName=appendonly,ParameterValue=yes
# bad_value CHECK NAME=VALUE: InvalidParameterValue naming the parameter, and nothing changed.
bad_value() {
    local out
    out=$(error_output ec modify-cache-parameter-group --cache-parameter-group-name my-params \
        --parameter-name-values ParameterName=timeout,ParameterValue=100 "ParameterName=${2%%=*},ParameterValue=${2#*=}")
    [[ $out == *"(InvalidParameterValue)"*"${2%%=*}"* ]] || fail "$1 ($2) should be InvalidParameterValue naming ${2%%=*}: $out"
}
bad_value "integer out of range" active-defrag-cycle-max=76
bad_value "integer below the range" active-defrag-cycle-max=0
bad_value "integer in a gap of AllowedValues (0,20-)" timeout=5
bad_value "not in the allowed values" maxmemory-policy=bogus
bad_value "not an integer" timeout=abc
bad_value "a fraction for an integer" timeout=1.5
too_many=()
for name in $(jq -r '[.parameters[] | select(.IsModifiable and .DataType == "integer") | .ParameterName][0:21][]' \
    "$catalog/redis7.json"); do
    too_many+=("ParameterName=$name,ParameterValue=1")
done
assert_eq 21 "${#too_many[@]}" "modifiable integer parameters for the 21-parameter request"
expect_message InvalidParameterCombination "Cannot modify more than 20 parameters in a single request" \
    ec modify-cache-parameter-group --cache-parameter-group-name my-params --parameter-name-values "${too_many[@]}"
out=$(error_output ec modify-cache-parameter-group --cache-parameter-group-name default.redis7 \
    --parameter-name-values ParameterName=timeout,ParameterValue=300)
[[ $out == *"(InvalidParameterValue)"*"default.redis7"* ]] || fail "modifying a default group should be refused: $out"
expect_message CacheParameterGroupNotFound "CacheParameterGroup not found: nope" \
    ec modify-cache-parameter-group --cache-parameter-group-name nope \
    --parameter-name-values ParameterName=timeout,ParameterValue=300
out=$(ec describe-cache-parameters --cache-parameter-group-name my-params --source user)
assert_eq "activedefrag=yes maxmemory-policy=allkeys-lru timeout=300" \
    "$(jqr '[.Parameters[] | "\(.ParameterName)=\(.ParameterValue)"] | join(" ")' "$out")" "refused modifies changed nothing"
out=$(ec describe-cache-parameters --cache-parameter-group-name default.redis7 --source user)
assert_eq 0 "$(jqr '.Parameters | length' "$out")" "the default group has no user values"

# --- ResetCacheParameterGroup ---------------------------------------------------------
out=$(ec reset-cache-parameter-group --cache-parameter-group-name my-params \
    --parameter-name-values ParameterName=timeout)
assert_eq '{"CacheParameterGroupName":"my-params"}' "$(jq -c . <<<"$out")" "ResetCacheParameterGroup answers the name"
out=$(ec describe-cache-parameters --cache-parameter-group-name my-params --source user)
assert_eq "activedefrag maxmemory-policy" "$(names "$out")" "after resetting timeout"
out=$(ec describe-cache-parameters --cache-parameter-group-name my-params --max-records 100)
assert_eq "0|system" "$(jqr '.Parameters[] | select(.ParameterName == "timeout") | "\(.ParameterValue)|\(.Source)"' "$out")" \
    "timeout back to its default"
out=$(error_output ec reset-cache-parameter-group --cache-parameter-group-name my-params)
[[ $out == *"(InvalidParameterCombination)"* ]] || fail "reset with neither names nor ResetAllParameters: $out"
out=$(error_output ec reset-cache-parameter-group --cache-parameter-group-name my-params --reset-all-parameters \
    --parameter-name-values ParameterName=activedefrag)
[[ $out == *"(InvalidParameterCombination)"* ]] || fail "reset with both names and ResetAllParameters: $out"
expect_message InvalidParameterValue "Parameter reserved-memory doesn't exist" \
    ec reset-cache-parameter-group --cache-parameter-group-name my-params --parameter-name-values ParameterName=reserved-memory
out=$(error_output ec reset-cache-parameter-group --cache-parameter-group-name default.redis7 --reset-all-parameters)
[[ $out == *"(InvalidParameterValue)"*"default.redis7"* ]] || fail "resetting a default group should be refused: $out"
expect_error CacheParameterGroupNotFound ec reset-cache-parameter-group --cache-parameter-group-name nope \
    --reset-all-parameters
out=$(ec describe-cache-parameters --cache-parameter-group-name my-params --source user)
assert_eq "activedefrag maxmemory-policy" "$(names "$out")" "refused resets changed nothing"
ec reset-cache-parameter-group --cache-parameter-group-name my-params --reset-all-parameters >/dev/null
out=$(ec describe-cache-parameters --cache-parameter-group-name my-params --source user)
assert_eq 0 "$(jqr '.Parameters | length' "$out")" "after ResetAllParameters nothing is Source user"

# --- DescribeEngineDefaultParameters ---------------------------------------------------
out=$(ec describe-engine-default-parameters --cache-parameter-group-family redis7 --max-records 100)
assert_eq redis7 "$(jqr .EngineDefaults.CacheParameterGroupFamily "$out")" "EngineDefaults family"
assert_eq "$(jq -S .parameters "$catalog/redis7.json")" "$(jq -S .EngineDefaults.Parameters <<<"$out")" \
    "redis7 engine defaults are the catalog's"
assert_eq volatile-lru "$(jqr '.EngineDefaults.Parameters[] | select(.ParameterName == "maxmemory-policy") | .ParameterValue' "$out")" \
    "maxmemory-policy engine default"
assert_eq "client-output-buffer-limit-replica-hard-limit client-output-buffer-limit-replica-soft-limit maxmemory" \
    "$(jqr '[.EngineDefaults.CacheNodeTypeSpecificParameters[].ParameterName] | sort | join(" ")' "$out")" \
    "redis7 node-type specific parameters"
out=$(ec describe-engine-default-parameters --cache-parameter-group-family memcached1.6 --max-records 100)
assert_eq memcached1.6 "$(jqr .EngineDefaults.CacheParameterGroupFamily "$out")" "memcached EngineDefaults family"
assert_eq "$(jq -r '.parameters | length' "$catalog/memcached1.6.json")" "$(jqr '.EngineDefaults.Parameters | length' "$out")" \
    "memcached1.6 parameters"
assert_eq "max_cache_memory num_threads" \
    "$(jqr '[.EngineDefaults.CacheNodeTypeSpecificParameters[].ParameterName] | sort | join(" ")' "$out")" \
    "memcached1.6 node-type specific parameters"
assert_eq "$(jq -S '.cacheNodeTypeSpecificParameters[] | select(.ParameterName == "max_cache_memory") | .CacheNodeTypeSpecificValues | sort_by(.CacheNodeType)' \
    "$catalog/memcached1.6.json")" \
    "$(jq -S '.EngineDefaults.CacheNodeTypeSpecificParameters[] | select(.ParameterName == "max_cache_memory") |
        .CacheNodeTypeSpecificValues | sort_by(.CacheNodeType)' <<<"$out")" "max_cache_memory per node type"
out=$(error_output ec describe-engine-default-parameters --cache-parameter-group-family redis99)
[[ $out == *"(InvalidParameterValue)"*"not a valid parameter group family"* ]] ||
    fail "unknown family in DescribeEngineDefaultParameters: $out"

# --- DeleteCacheParameterGroup ----------------------------------------------------------
# A default group's name fails the identifier rule, which is how AWS refuses its delete.
expect_message InvalidParameterValue "$not_identifier" \
    ec delete-cache-parameter-group --cache-parameter-group-name default.redis7
expect_message CacheParameterGroupNotFound "CacheParameterGroupnot found: nope" \
    ec delete-cache-parameter-group --cache-parameter-group-name nope
out=$(ec delete-cache-parameter-group --cache-parameter-group-name MY-PARAMS)
assert_eq "" "$out" "DeleteCacheParameterGroup prints nothing"
expect_error CacheParameterGroupNotFound ec describe-cache-parameter-groups --cache-parameter-group-name my-params
expect_error CacheParameterGroupNotFound ec delete-cache-parameter-group --cache-parameter-group-name my-params
expect_error CacheParameterGroupNotFound ec list-tags-for-resource --resource-name "$arn"
out=$(ec describe-cache-parameter-groups --cache-parameter-group-name default.redis7)
assert_eq "Default parameter group for redis7" "$(jqr '.CacheParameterGroups[0].Description' "$out")" "defaults stay"

# --- Events -------------------------------------------------------------------------------
out=$(ec describe-events --source-type cache-parameter-group --source-identifier my-params)
messages=$(jqr '[.Events[].Message] | join("|")' "$out")
assert_eq cache-parameter-group "$(jqr '[.Events[].SourceType] | unique | join(",")' "$out")" "event SourceType"
[[ $(jqr '.Events[0].Message' "$out") == *deleted* ]] || fail "newest event should tell the deletion: $messages"
[[ $(jqr '.Events[-1].Message' "$out") == *created* ]] || fail "oldest event should tell the creation: $messages"
[[ $messages == *timeout* && $messages == *maxmemory-policy* ]] || fail "events should tell the modified parameters: $messages"
[[ $messages != *nosuch* && $messages != *appendonly* ]] || fail "refused modifies leave no event: $messages"

# --- AWS's own paging sample ---------------------------------------------------------------
# botocore's DescribeEngineDefaultParameters example (redis2.8, MaxRecords 25) is a real
# answer: 22 Parameters + 3 CacheNodeTypeSpecificParameters, the node-type specific ones
# merged into the name order, and the Marker base64("min-slaves-to-write"), the last entry.
out=$(ec describe-engine-default-parameters --cache-parameter-group-family redis2.8 --max-records 25)
assert_eq "22+3" "$(jqr '"\(.EngineDefaults.Parameters | length)+\(.EngineDefaults.CacheNodeTypeSpecificParameters // [] | length)"' "$out")" \
    "redis2.8 page of 25: Parameters + CacheNodeTypeSpecificParameters (AWS's sample)"
assert_eq "client-output-buffer-limit-slave-hard-limit client-output-buffer-limit-slave-soft-limit maxmemory" \
    "$(names "$out" EngineDefaults.CacheNodeTypeSpecificParameters)" "node-type specific entries on AWS's first page"
assert_eq min-slaves-to-write "$(jqr '.EngineDefaults.Parameters[-1].ParameterName' "$out")" "last Parameter of AWS's page"
assert_eq bWluLXNsYXZlcy10by13cml0ZQ== "$(jqr .EngineDefaults.Marker "$out")" "Marker of AWS's sample page"
