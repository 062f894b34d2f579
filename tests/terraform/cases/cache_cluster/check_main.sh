# shellcheck shell=bash
# After main.tf: the subnet group and the cluster created; the node serves reads and writes.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 2 0 0
expect_cluster sun:05:00-sun:06:00 0 '{"Env":"test","Team":"cache"}'
assert_eq OK "$(node_cli SET tf:key "written in step main")" "SET on the node"
assert_eq "written in step main" "$(node_cli GET tf:key)" "GET on the node"
assert_eq 1 "$(node_processes | wc -l)" "redis-server processes of the cluster"
