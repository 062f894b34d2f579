# shellcheck shell=bash
# After main.tf: one group created, stored under the lower-cased name.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 1 0 0
expect_group "keyfleet terraform case: subnets for the cache" \
    "subnet-0a1b2c3d4e5f60001 subnet-0a1b2c3d4e5f60002" \
    '{"Env":"test","Team":"cache"}'
