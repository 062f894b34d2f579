# shellcheck shell=bash
# After update2.tf: three nodes, the third a real replica holding the earlier data.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
MEMBERS="tf-rg-001 tf-rg-002 tf-rg-003"
assert_applied 0 1 0
expect_group "keyfleet terraform case: a primary and a replica, described anew" '{"Owner":"keyfleet","Team":"platform"}'
third=$(ec describe-cache-clusters --cache-cluster-id tf-rg-003 --show-cache-node-info |
    jq -r '.CacheClusters[0].CacheNodes[0].Endpoint | "\(.Address) \(.Port)"')
read -r third_host third_port <<<"$third"
third_holds() { [ "$(redis-cli -h "$third_host" -p "$third_port" GET tf:key)" = "written in step update" ]; }
wait_until 20 third_holds
assert_eq 3 "$(node_processes | wc -l)" "redis-server processes of the group"
