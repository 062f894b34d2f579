# shellcheck shell=bash
# After destroy: the group and its tags are gone.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 0 1
expect_error CacheSubnetGroupNotFoundFault ec describe-cache-subnet-groups --cache-subnet-group-name "$GROUP"
expect_error CacheSubnetGroupNotFoundFault ec list-tags-for-resource --resource-name "$GROUP_ARN"
assert_eq "" "$(ec describe-cache-subnet-groups | jq -r --arg g "$GROUP" '.CacheSubnetGroups[] | select(.CacheSubnetGroupName == $g) | .ARN')" \
    "$GROUP in the full listing"

# Tags must not outlive their group: a new group under the same name starts with none.
ec create-cache-subnet-group --cache-subnet-group-name "$GROUP" --cache-subnet-group-description probe \
    --subnet-ids subnet-0a1b2c3d4e5f60009 >/dev/null
assert_eq 0 "$(ec list-tags-for-resource --resource-name "$GROUP_ARN" | jq '.TagList | length')" \
    "tags of a group re-created under the same name"
ec delete-cache-subnet-group --cache-subnet-group-name "$GROUP" >/dev/null
