# Step 1: a subnet group named in mixed case. AWS stores "tf-subnets"; the provider lower-
# cases the name in state too, so the plan after apply must be empty. The data source reads
# the group back through DescribeCacheSubnetGroups + ListTagsForResource.
resource "aws_elasticache_subnet_group" "this" {
  name        = "Tf-Subnets"
  description = "keyfleet terraform case: subnets for the cache"
  subnet_ids  = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]

  tags = {
    Team = "cache"
    Env  = "test"
  }
}

data "aws_elasticache_subnet_group" "this" {
  name = aws_elasticache_subnet_group.this.name
}

output "id" {
  value = aws_elasticache_subnet_group.this.id
}

output "arn" {
  value = aws_elasticache_subnet_group.this.arn
}

output "data_name" {
  value = data.aws_elasticache_subnet_group.this.name
}

# true when the data source sees exactly what the resource manages.
output "data_matches" {
  value = alltrue([
    data.aws_elasticache_subnet_group.this.arn == aws_elasticache_subnet_group.this.arn,
    data.aws_elasticache_subnet_group.this.description == aws_elasticache_subnet_group.this.description,
    data.aws_elasticache_subnet_group.this.vpc_id == aws_elasticache_subnet_group.this.vpc_id,
    toset(data.aws_elasticache_subnet_group.this.subnet_ids) == toset(aws_elasticache_subnet_group.this.subnet_ids),
    data.aws_elasticache_subnet_group.this.tags == aws_elasticache_subnet_group.this.tags,
  ])
}
