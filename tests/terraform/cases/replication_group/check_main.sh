# shellcheck shell=bash
# After main.tf: the subnet group and the group created; writes through the primary
# endpoint are read back through the reader endpoint.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 2 0 0
expect_group "keyfleet terraform case: a primary and a replica" '{"Env":"test","Team":"cache"}'
assert_eq OK "$(primary_cli SET tf:key "written in step main")" "SET through the primary endpoint"
wait_until 10 reads_back tf:key "written in step main"
assert_eq 2 "$(node_processes | wc -l)" "redis-server processes of the group"
