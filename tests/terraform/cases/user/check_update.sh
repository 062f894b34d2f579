# shellcheck shell=bash
# After update.tf: tf-app modified in place (new access string, same password, new tags);
# tf-open untouched.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 1 0
expect_user "$APP" app "on ~* +@all" '{"Type":"password","PasswordCount":1}' '{"Owner":"keyfleet","Team":"platform"}'
expect_user "$OPEN" open "on ~* +@all" '{"Type":"no-password"}' '{}'
expect_state
