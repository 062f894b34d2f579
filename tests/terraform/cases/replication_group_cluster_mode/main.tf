# A cluster-mode-enabled replication group: a Redis Cluster of two shards (node groups),
# each a primary and one replica, in its own subnet group. The create is
# CreateReplicationGroup (NumNodeGroups=2, ReplicasPerNodeGroup=1), then the provider's
# waiter (a fixed 30 s delay, then DescribeReplicationGroups until "available"); the
# read-back is DescribeReplicationGroups, DescribeCacheClusters of the first member and
# ListTagsForResource. The check writes keys to both shards with `redis-cli -c` through
# configuration_endpoint_address:port.
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
  replicas_per_node_group    = 1
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
