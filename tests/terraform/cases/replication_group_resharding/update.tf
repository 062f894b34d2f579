# Step 2: three shards of a primary and two replicas. The provider calls
# ModifyReplicationGroupShardConfiguration(NodeGroupCount 3) and waits for available, then
# IncreaseReplicaCount(NewReplicaCount 2) and waits again.
resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = "tf-rgr"
  description                = "keyfleet terraform case: resharding"
  engine                     = "redis"
  node_type                  = "cache.t3.micro"
  num_node_groups            = 3
  replicas_per_node_group    = 2
  automatic_failover_enabled = true
  parameter_group_name       = "default.redis7.cluster.on"
  port                       = 6379
}
