# shellcheck shell=bash
# After update2.tf (the token rotated in place): the new token works, and the old one still does.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 1 0
expect_tls_group keyfleet-terraform-token-rotated-4567
primary=$(tf_output primary_endpoint_address)
assert_eq PONG "$(timeout 10 redis-cli --tls --cacert "$CA" --no-auth-warning -a keyfleet-terraform-token-0123 \
    -h "$primary" -p 6379 PING)" "the old token during the rotation"
