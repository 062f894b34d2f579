# Step 1: a redis7 parameter group named in mixed case, with three parameters and two tags.
# AWS stores "tf-params-redis7"; the provider lower-cases the name in state too. The create
# is CreateCacheParameterGroup then one ModifyCacheParameterGroup with the three parameters;
# the read-back is DescribeCacheParameterGroups + DescribeCacheParameters(Source=user) +
# ListTagsForResource, so Source=user must return exactly these three, verbatim.
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
    value = "300"
  }

  parameter {
    name  = "notify-keyspace-events"
    value = "Ex"
  }

  tags = {
    Team = "cache"
    Env  = "test"
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
