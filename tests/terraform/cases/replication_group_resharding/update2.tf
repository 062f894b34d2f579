# Step 3: back to two shards of a primary and one replica. The provider removes the
# highest node group id (NodeGroupsToRemove 0003), then DecreaseReplicaCount(NewReplicaCount 1).
resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = "tf-rgr"
  description                = "keyfleet terraform case: resharding"
  engine                     = "redis"
  node_type                  = "cache.t3.micro"
  num_node_groups            = 2
  replicas_per_node_group    = 1
  automatic_failover_enabled = true
  parameter_group_name       = "default.redis7.cluster.on"
  port                       = 6379
}
