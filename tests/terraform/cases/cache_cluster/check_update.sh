# shellcheck shell=bash
# After update.tf: the cluster modified in place, not replaced: same node, same data.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 1 0
expect_cluster tue:06:30-tue:07:30 3 '{"Owner":"keyfleet","Team":"platform"}'
assert_eq "written in step main" "$(node_cli GET tf:key)" "GET of the key written before the update"
assert_eq OK "$(node_cli SET tf:key "written in step update")" "SET on the node"
assert_eq "written in step update" "$(node_cli GET tf:key)" "GET on the node"
