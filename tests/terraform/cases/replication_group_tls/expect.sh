# shellcheck shell=bash
# Shared by this case's checks. expect_tls_group TOKEN: tf-tls serves TLS only, with a
# certificate keyfleet's CA signed for each endpoint's address, asks for TOKEN (NOAUTH
# without it), and a write through the primary endpoint reads back through the reader.
require_tool redis-cli openssl
CA=$KEYFLEET_DATA/tls/ca.pem

expect_tls_group() {
    local token=$1 primary reader host
    assert_eq "true|required" "$(tf_output transit)" "transit_encryption_enabled|transit_encryption_mode"
    assert_eq "true|required|true" "$(ec describe-replication-groups --replication-group-id tf-tls \
        --query 'ReplicationGroups[0].[TransitEncryptionEnabled, TransitEncryptionMode, AuthTokenEnabled]' \
        --output text | tr '\t' '|' | tr A-Z a-z)" "what keyfleet holds"
    primary=$(tf_output primary_endpoint_address)
    reader=$(tf_output reader_endpoint_address)
    for host in "$primary" "$reader"; do
        timeout 10 openssl s_client -connect "$host:6379" -CAfile "$CA" -verify_ip "$host" -verify_return_error \
            </dev/null >/dev/null 2>&1 || fail "the certificate at $host:6379 does not verify against $CA"
    done
    tls_cli() { timeout 10 redis-cli --tls --cacert "$CA" --no-auth-warning -a "$token" "$@"; }
    assert_eq OK "$(tls_cli -h "$primary" -p 6379 SET tf:key "step $TF_STEP")" "SET over TLS through the primary endpoint"
    reads_back() { [ "$(tls_cli -h "$reader" -p 6379 GET tf:key)" = "step $TF_STEP" ]; }
    wait_until 10 reads_back
    timeout 10 redis-cli --tls --cacert "$CA" -h "$primary" -p 6379 PING 2>&1 | grep -q NOAUTH ||
        fail "served without the token"
    ! timeout 5 redis-cli -h "$primary" -p 6379 PING 2>/dev/null | grep -q PONG || fail "plaintext was served"
}
