# Step 1: a cluster-mode-disabled replication group: a primary and one replica
# (num_cache_clusters = 2) with automatic failover, in its own subnet group. The create is
# CreateReplicationGroup, then the provider's waiter (a fixed 30 s delay, then
# DescribeReplicationGroups until "available"); the read-back is DescribeReplicationGroups,
# DescribeCacheClusters of the first member and ListTagsForResource. The checks write
# through primary_endpoint_address:port and read through reader_endpoint_address:port.
resource "aws_elasticache_subnet_group" "this" {
  name        = "tf-rg-subnets"
  description = "keyfleet terraform case: subnets for a replication group"
  subnet_ids  = ["subnet-0a1b2c3d4e5f60021", "subnet-0a1b2c3d4e5f60022"]
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = "tf-rg"
  description                = "keyfleet terraform case: a primary and a replica"
  engine                     = "redis"
  node_type                  = "cache.t3.micro"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  parameter_group_name       = "default.redis7"
  # port is Optional without Computed in the provider: left out, the port read back
  # after create never reaches the root output (Terraform drops it), on AWS as here.
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.this.name

  tags = {
    Team = "cache"
    Env  = "test"
  }
}
