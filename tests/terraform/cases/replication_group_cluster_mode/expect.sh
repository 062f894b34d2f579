# shellcheck shell=bash
# Shared by this case's checks: what keyfleet holds for tf-rgc, through the aws CLI, and
# helpers for the Redis Cluster behind the configuration endpoint Terraform recorded.
GROUP=tf-rgc
# shellcheck disable=SC2034 # GROUP_ARN and MEMBERS: used by the checks that source this file
GROUP_ARN=arn:aws:elasticache:us-east-1:000000000000:replicationgroup:$GROUP
# shellcheck disable=SC2034
MEMBERS="tf-rgc-0001-001 tf-rgc-0001-002 tf-rgc-0002-001 tf-rgc-0002-002"
require_tool redis-cli

# cluster_cli ARGS...: redis-cli in cluster mode (following MOVED/ASK) at
# configuration_endpoint_address:port.
cluster_cli() {
    redis-cli -c -h "$(tf_output configuration_endpoint_address)" -p "$(tf_output port)" --no-auth-warning "$@"
}

# key_in_slots FIRST LAST: the first key tf:key:N whose hash slot lies in FIRST..LAST.
key_in_slots() {
    local n slot
    for n in $(seq 1 200); do
        slot=$(cluster_cli CLUSTER KEYSLOT "tf:key:$n")
        if [ "$slot" -ge "$1" ] && [ "$slot" -le "$2" ]; then
            echo "tf:key:$n"
            return 0
        fi
    done
    fail "no key tf:key:1..200 hashes into slots $1-$2"
}

# primaries: "address:port first-last" of each primary in CLUSTER NODES, sorted by slot.
primaries() {
    cluster_cli CLUSTER NODES | awk '$3 ~ /master/ { split($2, a, "@"); print a[1], $9 }' | sort -t ' ' -k2 -n
}
