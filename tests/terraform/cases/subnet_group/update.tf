# Step 2: the same group changed in place (ModifyCacheSubnetGroup, RemoveTagsFromResource,
# AddTagsToResource): new description, one subnet swapped (0001 out, 0003 in), one tag
# value changed (Team), one key removed (Env), one added (Owner).
resource "aws_elasticache_subnet_group" "this" {
  name        = "Tf-Subnets"
  description = "keyfleet terraform case: subnets for the cache, moved"
  subnet_ids  = ["subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]

  tags = {
    Team  = "platform"
    Owner = "keyfleet"
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
