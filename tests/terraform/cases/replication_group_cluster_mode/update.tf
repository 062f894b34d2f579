# Step 2: a second replica in each shard (replicas_per_node_group 1 -> 2):
# IncreaseReplicaCount(NewReplicaCount 2), then the provider's waiter (Delay 30 s). The new
# replicas join the Redis Cluster as replicas of their shard's primary, with its keys.
resource "aws_elasticache_subnet_group" "this" {
  name        = "tf-rgc-subnets"
  description = "keyfleet terraform case: subnets for a redis cluster"
  subnet_ids  = ["subnet-0a1b2c3d4e5f60031", "subnet-0a1b2c3d4e5f60032"]
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = "tf-rgc"
  description                = "keyfleet terraform case: two shards, one replica each"
  engine                     = "redis"
  node_type                  = "cache.t3.micro"
  num_node_groups            = 2
  replicas_per_node_group    = 2
  automatic_failover_enabled = true
  parameter_group_name       = "default.redis7.cluster.on"
  # port is Optional without Computed in the provider: left out, the port read back
  # after create never reaches the root output (Terraform drops it), on AWS as here.
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.this.name

  tags = {
    Team = "cache"
    Env  = "test"
  }
}
