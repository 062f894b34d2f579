# shellcheck shell=bash
# After update.tf: tf-reader left the group and was deleted, tf-writer joined; the group
# itself was only re-tagged.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 2 1 2
expect_group "tf-app tf-default tf-writer" '{"Owner":"keyfleet","Team":"platform"}'
assert_eq "$GROUP,tf-writer" "$(tf_output association_id)" "association id"
expect_error UserNotFound ec describe-users --user-id tf-reader
