# shellcheck shell=bash
# After destroy: the group, its parameters and its tags are gone.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 0 1
expect_error CacheParameterGroupNotFound ec describe-cache-parameter-groups --cache-parameter-group-name "$GROUP"
expect_error CacheParameterGroupNotFound ec describe-cache-parameters --cache-parameter-group-name "$GROUP"
expect_error CacheParameterGroupNotFound ec list-tags-for-resource --resource-name "$GROUP_ARN"
assert_eq "" "$(ec describe-cache-parameter-groups | jq -r --arg g "$GROUP" '.CacheParameterGroups[] | select(.CacheParameterGroupName == $g) | .ARN')" \
    "$GROUP in the full listing"

# Neither parameters nor tags outlive their group: a new group under the same name starts
# with no user parameters and no tags.
ec create-cache-parameter-group --cache-parameter-group-name "$GROUP" --cache-parameter-group-family redis7 \
    --description probe >/dev/null
assert_eq '{}' "$(user_parameters)" "user parameters of a group re-created under the same name"
assert_eq 0 "$(ec list-tags-for-resource --resource-name "$GROUP_ARN" | jq '.TagList | length')" \
    "tags of a group re-created under the same name"
ec delete-cache-parameter-group --cache-parameter-group-name "$GROUP" >/dev/null
