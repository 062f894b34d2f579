# Step 2: the same cluster changed in place: one ModifyCacheCluster carrying the new
# maintenance window and snapshot retention (both take effect at once on AWS, whatever
# ApplyImmediately says), the provider's 30 s waiter, then RemoveTagsFromResource /
# AddTagsToResource: Team changed, Env removed, Owner added. No replacement, and the data
# written in step 1 is still there.
resource "aws_elasticache_subnet_group" "this" {
  name        = "tf-cluster-subnets"
  description = "keyfleet terraform case: subnets for a cache cluster"
  subnet_ids  = ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]
}

resource "aws_elasticache_cluster" "this" {
  cluster_id               = "tf-cluster"
  engine                   = "redis"
  node_type                = "cache.t3.micro"
  num_cache_nodes          = 1
  parameter_group_name     = "default.redis7"
  port                     = 6379
  subnet_group_name        = aws_elasticache_subnet_group.this.name
  snapshot_window          = "03:00-04:00"
  snapshot_retention_limit = 3
  maintenance_window       = "tue:06:30-tue:07:30"

  tags = {
    Team  = "platform"
    Owner = "keyfleet"
  }
}
