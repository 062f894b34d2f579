# shellcheck shell=bash
# After destroy: the group and its nodes are gone.
assert_applied 0 0 1
assert_eq "" "$(node_processes)" "redis-server processes left"
