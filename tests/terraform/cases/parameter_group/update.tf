# Step 2: the same group changed in place: timeout 300 -> 600 (ModifyCacheParameterGroup),
# notify-keyspace-events dropped (ResetCacheParameterGroup with that name), maxmemory-policy
# kept; tags: Team changed, Env removed, Owner added (RemoveTagsFromResource,
# AddTagsToResource). Description and family are ForceNew, so they stay the same.
resource "aws_elasticache_parameter_group" "this" {
  name        = "Tf-Params-Redis7"
  family      = "redis7"
  description = "keyfleet terraform case: redis7 parameters"

  parameter {
    name  = "maxmemory-policy"
    value = "allkeys-lru"
  }

  parameter {
    name  = "timeout"
    value = "600"
  }

  tags = {
    Team  = "platform"
    Owner = "keyfleet"
  }
}

output "id" {
  value = aws_elasticache_parameter_group.this.id
}

output "name" {
  value = aws_elasticache_parameter_group.this.name
}

output "arn" {
  value = aws_elasticache_parameter_group.this.arn
}
