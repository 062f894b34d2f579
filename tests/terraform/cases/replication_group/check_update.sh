# shellcheck shell=bash
# After update.tf: the group modified in place, not replaced: same nodes, same data.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 1 0
expect_group "keyfleet terraform case: a primary and a replica, described anew" '{"Owner":"keyfleet","Team":"platform"}'
assert_eq "written in step main" "$(primary_cli GET tf:key)" "the key written before the update"
assert_eq OK "$(primary_cli SET tf:key "written in step update")" "SET through the primary endpoint"
wait_until 10 reads_back tf:key "written in step update"
