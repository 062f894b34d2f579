# Step 2: the retention and windows changed in place (ModifyReplicationGroup,
# ModifyCacheCluster), and a new group restored from the manual snapshot (snapshot_name).
resource "aws_elasticache_replication_group" "source" {
  replication_group_id       = "tf-snap-source"
  description                = "keyfleet terraform case: snapshots"
  engine                     = "redis"
  node_type                  = "cache.t3.micro"
  num_cache_clusters         = 1
  parameter_group_name       = "default.redis7"
  port                       = 6379
  snapshot_retention_limit   = 5
  snapshot_window            = "06:00-07:00"
  final_snapshot_identifier  = "tf-snap-source-final"
  at_rest_encryption_enabled = true
}

resource "aws_elasticache_cluster" "single" {
  cluster_id                = "tf-snap-single"
  engine                    = "redis"
  node_type                 = "cache.t3.micro"
  num_cache_nodes           = 1
  parameter_group_name      = "default.redis7"
  port                      = 6379
  snapshot_retention_limit  = 0
  snapshot_window           = "02:00-03:00"
  final_snapshot_identifier = "tf-snap-single-final"
}

resource "aws_elasticache_replication_group" "restored" {
  replication_group_id = "tf-snap-restored"
  description          = "keyfleet terraform case: restored from a snapshot"
  engine               = "redis"
  node_type            = "cache.t3.micro"
  num_cache_clusters   = 1
  parameter_group_name = "default.redis7"
  port                 = 6379
  snapshot_name        = "tf-snap-manual"
}

output "restored_primary" {
  value = aws_elasticache_replication_group.restored.primary_endpoint_address
}
