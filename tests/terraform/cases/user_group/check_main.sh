# shellcheck shell=bash
# After main.tf: three users and the group, which holds the two it was created with and the
# one the association added.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 5 0 0
expect_group "tf-app tf-default tf-reader" '{"Env":"test","Team":"cache"}'
assert_eq "$GROUP,tf-reader" "$(tf_output association_id)" "association id"

# AWS's rules around the group, all refused without changing anything: the group's default
# user cannot be deleted while it is a member; a user that is not a member (the built-in
# "default") cannot be removed, with the InvalidParameterValue "... not a member ..." that
# the association's delete treats as already done.
expect_error DefaultUserAssociatedToUserGroup ec delete-user --user-id tf-default
expect_error InvalidParameterValue ec modify-user-group --user-group-id "$GROUP" --user-ids-to-remove default
[[ $(ec modify-user-group --user-group-id "$GROUP" --user-ids-to-remove default 2>&1) == *"not a member"* ]] ||
    fail "removing a non-member: the message does not say 'not a member'"
assert_eq active "$(ec describe-user-groups --user-group-id "$GROUP" | jq -r '.UserGroups[0].Status')" \
    "status after the refused changes"
