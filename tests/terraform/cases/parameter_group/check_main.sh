# shellcheck shell=bash
# After main.tf: one group created, stored under the lower-cased name, with exactly the
# three configured parameters as Source=user.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 1 0 0
expect_group '{"maxmemory-policy":"allkeys-lru","notify-keyspace-events":"Ex","timeout":"300"}' \
    '{"Env":"test","Team":"cache"}'
