# shellcheck shell=bash
# After update.tf: the same group modified in place, not replaced.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 1 0
expect_group "keyfleet terraform case: subnets for the cache, moved" \
    "subnet-0a1b2c3d4e5f60002 subnet-0a1b2c3d4e5f60003" \
    '{"Owner":"keyfleet","Team":"platform"}'
