# shellcheck shell=bash
# After destroy: both users and their tags are gone; only the built-in default user is left.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 0 2
expect_error UserNotFound ec describe-users --user-id "$APP"
expect_error UserNotFound ec describe-users --user-id "$OPEN"
expect_error UserNotFound ec list-tags-for-resource --resource-name "$APP_ARN"
assert_eq default "$(ec describe-users | jq -r '[.Users[].UserId] | join(" ")')" "users left"

# Tags must not outlive their user: a new user under the same id starts with none.
ec create-user --user-id "$APP" --user-name app --engine redis --access-string "on ~* +@all" \
    --no-password-required >/dev/null
assert_eq 0 "$(ec list-tags-for-resource --resource-name "$APP_ARN" | jq '.TagList | length')" \
    "tags of a user re-created under the same id"
ec delete-user --user-id "$APP" >/dev/null
wait_until 20 user_gone "$APP"
