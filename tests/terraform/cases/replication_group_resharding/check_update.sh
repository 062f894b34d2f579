# shellcheck shell=bash
# After update.tf: a third shard took its even share from the other two (only the slots
# that had to move), two replicas everywhere, every key kept.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 1 0
check_shape 3 2 "0001=0-5461 0002=8192-13652 0003=5462-8191,13653-16383"
