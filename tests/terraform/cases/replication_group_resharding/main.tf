# Online resharding through Terraform: a cluster-mode group of two shards, a primary and a
# replica each; later steps change num_node_groups (ModifyReplicationGroupShardConfiguration)
# together with replicas_per_node_group in one apply.
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
