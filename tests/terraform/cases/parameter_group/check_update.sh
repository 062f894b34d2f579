# shellcheck shell=bash
# After update.tf: the same group modified in place, not replaced: timeout changed, the
# reset notify-keyspace-events is no longer a user parameter, tags replaced.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 1 0
expect_group '{"maxmemory-policy":"allkeys-lru","timeout":"600"}' \
    '{"Owner":"keyfleet","Team":"platform"}'
# The reset parameter is back at its default, listed as system.
assert_eq system "$(ec describe-cache-parameters --cache-parameter-group-name "$GROUP" |
    jq -r '.Parameters[] | select(.ParameterName == "notify-keyspace-events") | .Source')" \
    "source of the reset notify-keyspace-events"
