# Step 1: a cluster-mode-disabled group with TLS in transit and an AUTH token:
# CreateReplicationGroup with TransitEncryptionEnabled and AuthToken, the provider's waiter,
# then the read-back of TransitEncryptionEnabled and TransitEncryptionMode (ForceNew: a wrong
# echo would plan a replacement) and of the members' AuthTokenEnabled (false would drop
# auth_token from state: a diff on every plan). The checks reach the group over TLS only,
# verifying its certificate against keyfleet's CA, with the token.
resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = "tf-tls"
  description                = "keyfleet terraform case: TLS in transit"
  engine                     = "redis"
  node_type                  = "cache.t3.micro"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  port                       = 6379
  transit_encryption_enabled = true
  auth_token                 = "keyfleet-terraform-token-0123"
}

output "primary_endpoint_address" {
  value = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "reader_endpoint_address" {
  value = aws_elasticache_replication_group.this.reader_endpoint_address
}

output "transit" {
  value = "${aws_elasticache_replication_group.this.transit_encryption_enabled}|${aws_elasticache_replication_group.this.transit_encryption_mode}"
}
