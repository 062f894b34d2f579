# Step 4: automatic failover turned off (ModifyReplicationGroup) and back to two nodes
# (num_cache_clusters 3 -> 2: DecreaseReplicaCount(NewReplicaCount 1), which removes the
# newest replica), in one apply, in the provider's order.
resource "aws_elasticache_subnet_group" "this" {
  name        = "tf-rg-subnets"
  description = "keyfleet terraform case: subnets for a replication group"
  subnet_ids  = ["subnet-0a1b2c3d4e5f60021", "subnet-0a1b2c3d4e5f60022"]
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = "tf-rg"
  description                = "keyfleet terraform case: a primary and a replica, described anew"
  engine                     = "redis"
  node_type                  = "cache.t3.micro"
  num_cache_clusters         = 2
  automatic_failover_enabled = false
  parameter_group_name       = "default.redis7"
  # port is Optional without Computed in the provider: left out, the port read back
  # after create never reaches the root output (Terraform drops it), on AWS as here.
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.this.name

  tags = {
    Team  = "platform"
    Owner = "keyfleet"
  }
}
