# Step 3: a new auth_token: the provider sends ModifyReplicationGroup(AuthToken, AuthTokenUpdateStrategy
# ROTATE, its 5.x default) and waits; both tokens then work, with no drift.
resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = "tf-tls"
  description                = "keyfleet terraform case: TLS in transit, described again"
  engine                     = "redis"
  node_type                  = "cache.t3.micro"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  port                       = 6379
  transit_encryption_enabled = true
  auth_token                 = "keyfleet-terraform-token-rotated-4567"
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
