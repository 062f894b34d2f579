# shellcheck shell=bash
# After main.tf: two shards, 200 keys written through the configuration endpoint.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 1 0 0
for i in $(seq 1 200); do echo "SET tf:key:$i value:$i"; done | cluster_cli >"$TEST_TMP/set.out"
assert_eq 200 "$(grep -cx OK "$TEST_TMP/set.out")" "SET of 200 keys"
check_shape 2 1 "0001=0-8191 0002=8192-16383"
