# shellcheck shell=bash
# After main.tf: the group created with TLS and the token (expect.sh).
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 1 0 0
expect_tls_group keyfleet-terraform-token-0123
