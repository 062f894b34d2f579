# Data sources and outputs of every step (run.sh applies this file with each).
data "aws_elasticache_cluster" "this" {
  cluster_id = aws_elasticache_cluster.this.cluster_id
}

output "id" {
  value = aws_elasticache_cluster.this.id
}

output "arn" {
  value = aws_elasticache_cluster.this.arn
}

output "node_address" {
  value = aws_elasticache_cluster.this.cache_nodes[0].address
}

output "node_port" {
  value = aws_elasticache_cluster.this.cache_nodes[0].port
}

output "engine_version_actual" {
  value = aws_elasticache_cluster.this.engine_version_actual
}

output "data_node_address" {
  value = data.aws_elasticache_cluster.this.cache_nodes[0].address
}

output "data_node_port" {
  value = data.aws_elasticache_cluster.this.cache_nodes[0].port
}

# The attributes where the data source and the resource disagree ("" when none). The data
# source sets port only from a ConfigurationEndpoint (memcached), so for redis it is null
# (on AWS too) and is not compared: the node port is compared through cache_nodes.
locals {
  data_pairs = {
    for name, pair in {
      arn                      = [data.aws_elasticache_cluster.this.arn, aws_elasticache_cluster.this.arn]
      engine                   = [data.aws_elasticache_cluster.this.engine, aws_elasticache_cluster.this.engine]
      engine_version           = [data.aws_elasticache_cluster.this.engine_version, aws_elasticache_cluster.this.engine_version_actual]
      node_type                = [data.aws_elasticache_cluster.this.node_type, aws_elasticache_cluster.this.node_type]
      num_cache_nodes          = [data.aws_elasticache_cluster.this.num_cache_nodes, aws_elasticache_cluster.this.num_cache_nodes]
      parameter_group_name     = [data.aws_elasticache_cluster.this.parameter_group_name, aws_elasticache_cluster.this.parameter_group_name]
      subnet_group_name        = [data.aws_elasticache_cluster.this.subnet_group_name, aws_elasticache_cluster.this.subnet_group_name]
      availability_zone        = [data.aws_elasticache_cluster.this.availability_zone, aws_elasticache_cluster.this.availability_zone]
      maintenance_window       = [data.aws_elasticache_cluster.this.maintenance_window, aws_elasticache_cluster.this.maintenance_window]
      snapshot_window          = [data.aws_elasticache_cluster.this.snapshot_window, aws_elasticache_cluster.this.snapshot_window]
      snapshot_retention_limit = [data.aws_elasticache_cluster.this.snapshot_retention_limit, aws_elasticache_cluster.this.snapshot_retention_limit]
      cache_nodes              = [data.aws_elasticache_cluster.this.cache_nodes, aws_elasticache_cluster.this.cache_nodes]
      tags                     = [data.aws_elasticache_cluster.this.tags, aws_elasticache_cluster.this.tags]
    } : name => [jsonencode(pair[0]), jsonencode(pair[1])]
  }
}

output "data_mismatches" {
  value = join(" ", [for name, pair in local.data_pairs : "${name}: data ${pair[0]}, resource ${pair[1]};" if pair[0] != pair[1]])
}
