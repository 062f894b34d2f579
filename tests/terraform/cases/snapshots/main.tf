# Step 1: a replication group and a cache cluster with automatic snapshots
# (snapshot_retention_limit, snapshot_window) and a final snapshot on destroy
# (final_snapshot_identifier). The check writes a key through the primary endpoint and
# takes a manual snapshot with the aws CLI for the next step to restore.
resource "aws_elasticache_replication_group" "source" {
  replication_group_id       = "tf-snap-source"
  description                = "keyfleet terraform case: snapshots"
  engine                     = "redis"
  node_type                  = "cache.t3.micro"
  num_cache_clusters         = 1
  parameter_group_name       = "default.redis7"
  port                       = 6379
  snapshot_retention_limit   = 3
  snapshot_window            = "04:00-05:00"
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
  snapshot_retention_limit  = 2
  snapshot_window           = "02:00-03:00"
  final_snapshot_identifier = "tf-snap-single-final"
}
