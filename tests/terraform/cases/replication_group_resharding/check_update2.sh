# shellcheck shell=bash
# After update2.tf: node group 0003 gave its slots back and is gone, one replica each,
# every key kept.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 1 0
check_shape 2 1 "0001=0-8191 0002=8192-16383"
expect_error CacheClusterNotFound ec describe-cache-clusters --cache-cluster-id tf-rgr-0003-001
