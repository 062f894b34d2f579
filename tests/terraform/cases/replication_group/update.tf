# Step 2: the same group changed in place: a new description (ModifyReplicationGroup, with
# the provider's available-waiters around it, Delay 0) and new tags (RemoveTagsFromResource,
# AddTagsToResource: Team changed, Env removed, Owner added). No replacement; the data
# written in step 1 is still there.
resource "aws_elasticache_subnet_group" "this" {
  name        = "tf-rg-subnets"
  description = "keyfleet terraform case: subnets for a replication group"
  subnet_ids  = ["subnet-0a1b2c3d4e5f60021", "subnet-0a1b2c3d4e5f60022"]
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = "tf-rg"
  description                = "keyfleet terraform case: a primary and a replica, described anew"
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
    Team  = "platform"
    Owner = "keyfleet"
  }
}
