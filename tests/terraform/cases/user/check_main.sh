# shellcheck shell=bash
# After main.tf: both users created, active, engine stored lower case.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 2 0 0
expect_user "$APP" app "$APP_ACCESS_EXPANDED" '{"Type":"password","PasswordCount":1}' '{"Env":"test","Team":"cache"}'
expect_user "$OPEN" open "on ~* +@all" '{"Type":"no-password"}' '{}'
expect_state
