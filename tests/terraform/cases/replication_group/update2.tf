# Step 3: a third node (num_cache_clusters 2 -> 3): IncreaseReplicaCount(NewReplicaCount 2),
# then the provider's member-cluster waiter (DescribeCacheClusters without an id). The new
# replica is a real one: it holds the data written before it existed.
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
  num_cache_clusters         = 3
  automatic_failover_enabled = true
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
