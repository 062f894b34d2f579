# shellcheck shell=bash
# After update.tf: changed in place, TLS and the token as they were.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 1 0
expect_tls_group keyfleet-terraform-token-0123
