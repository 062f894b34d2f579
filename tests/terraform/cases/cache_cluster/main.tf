# Step 1: a single-node redis cache cluster in its own subnet group. The create is
# CreateCacheCluster, then the provider's waiter (a fixed 30 s delay, then
# DescribeCacheClusters until "available"); the read-back is
# DescribeCacheClusters(ShowCacheNodeInfo=true) + ListTagsForResource, whose node list must
# give each node an id, an endpoint and an availability zone. The node is a real
# redis-server: the check writes and reads a key at cache_nodes[0].address:port.
resource "aws_elasticache_subnet_group" "this" {
  name        = "tf-cluster-subnets"
  description = "keyfleet terraform case: subnets for a cache cluster"
  subnet_ids  = ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]
}

resource "aws_elasticache_cluster" "this" {
  cluster_id           = "tf-cluster"
  engine               = "redis"
  node_type            = "cache.t3.micro"
  num_cache_nodes      = 1
  parameter_group_name = "default.redis7"
  port                 = 6379
  subnet_group_name    = aws_elasticache_subnet_group.this.name
  snapshot_window      = "03:00-04:00"
  maintenance_window   = "sun:05:00-sun:06:00"

  tags = {
    Team = "cache"
    Env  = "test"
  }
}
