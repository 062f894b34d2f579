# shellcheck shell=bash
# After update2.tf (the token rotated in place): the new token and the old one both work.
require_tool redis-cli
CA=$KEYFLEET_DATA/tls/ca.pem
assert_applied 0 1 0
primary=$(tf_output primary_endpoint_address)
for token in keyfleet-terraform-token-rotated-4567 keyfleet-terraform-token-0123; do
    assert_eq PONG "$(timeout 10 redis-cli --tls --cacert "$CA" --no-auth-warning -a "$token" -h "$primary" -p 6379 PING)" \
        "PING with $token after the rotation"
done
assert_eq "true" "$(ec describe-replication-groups --replication-group-id tf-tls \
    --query 'ReplicationGroups[0].AuthTokenEnabled' --output text | tr A-Z a-z)" "AuthTokenEnabled"
