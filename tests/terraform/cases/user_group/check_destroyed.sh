# shellcheck shell=bash
# After destroy: the group, its tags and every user are gone; only the built-in default
# user is left.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 0 5
expect_error UserGroupNotFound ec describe-user-groups --user-group-id "$GROUP"
expect_error UserGroupNotFound ec list-tags-for-resource --resource-name "$GROUP_ARN"
assert_eq 0 "$(ec describe-user-groups | jq '.UserGroups | length')" "user groups left"
for user in tf-default tf-app tf-writer; do
    expect_error UserNotFound ec describe-users --user-id "$user"
done
assert_eq default "$(ec describe-users | jq -r '[.Users[].UserId] | join(" ")')" "users left"
