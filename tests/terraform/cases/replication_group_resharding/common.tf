# Data sources and outputs of every step (run.sh applies this file with each).
data "aws_elasticache_replication_group" "this" {
  replication_group_id = aws_elasticache_replication_group.this.replication_group_id
}

output "id" {
  value = aws_elasticache_replication_group.this.id
}

output "arn" {
  value = aws_elasticache_replication_group.this.arn
}

output "configuration_endpoint_address" {
  value = aws_elasticache_replication_group.this.configuration_endpoint_address
}

output "port" {
  value = aws_elasticache_replication_group.this.port
}

output "member_clusters" {
  value = join(" ", sort(aws_elasticache_replication_group.this.member_clusters))
}

# "<cluster_enabled> <cluster_mode> <num_node_groups> <replicas_per_node_group> <parameter group>"
output "shape" {
  value = join(" ", [
    aws_elasticache_replication_group.this.cluster_enabled,
    aws_elasticache_replication_group.this.cluster_mode,
    aws_elasticache_replication_group.this.num_node_groups,
    aws_elasticache_replication_group.this.replicas_per_node_group,
    aws_elasticache_replication_group.this.parameter_group_name,
  ])
}

output "data_configuration_endpoint" {
  value = "${data.aws_elasticache_replication_group.this.configuration_endpoint_address}:${data.aws_elasticache_replication_group.this.port}"
}

# The attributes where the data source and the resource disagree ("" when none).
locals {
  data_pairs = {
    for name, pair in {
      arn                        = [data.aws_elasticache_replication_group.this.arn, aws_elasticache_replication_group.this.arn]
      description                = [data.aws_elasticache_replication_group.this.description, aws_elasticache_replication_group.this.description]
      node_type                  = [data.aws_elasticache_replication_group.this.node_type, aws_elasticache_replication_group.this.node_type]
      num_cache_clusters         = [data.aws_elasticache_replication_group.this.num_cache_clusters, aws_elasticache_replication_group.this.num_cache_clusters]
      num_node_groups            = [data.aws_elasticache_replication_group.this.num_node_groups, aws_elasticache_replication_group.this.num_node_groups]
      replicas_per_node_group    = [data.aws_elasticache_replication_group.this.replicas_per_node_group, aws_elasticache_replication_group.this.replicas_per_node_group]
      member_clusters            = [sort(data.aws_elasticache_replication_group.this.member_clusters), sort(aws_elasticache_replication_group.this.member_clusters)]
      automatic_failover_enabled = [data.aws_elasticache_replication_group.this.automatic_failover_enabled, aws_elasticache_replication_group.this.automatic_failover_enabled]
      multi_az_enabled           = [data.aws_elasticache_replication_group.this.multi_az_enabled, aws_elasticache_replication_group.this.multi_az_enabled]
      cluster_mode               = [data.aws_elasticache_replication_group.this.cluster_mode, aws_elasticache_replication_group.this.cluster_mode]
      port                       = [data.aws_elasticache_replication_group.this.port, aws_elasticache_replication_group.this.port]
      configuration_endpoint     = [data.aws_elasticache_replication_group.this.configuration_endpoint_address, aws_elasticache_replication_group.this.configuration_endpoint_address]
      primary_endpoint_address   = [data.aws_elasticache_replication_group.this.primary_endpoint_address, aws_elasticache_replication_group.this.primary_endpoint_address]
      reader_endpoint_address    = [data.aws_elasticache_replication_group.this.reader_endpoint_address, aws_elasticache_replication_group.this.reader_endpoint_address]
      snapshot_window            = [data.aws_elasticache_replication_group.this.snapshot_window, aws_elasticache_replication_group.this.snapshot_window]
      snapshot_retention_limit   = [data.aws_elasticache_replication_group.this.snapshot_retention_limit, aws_elasticache_replication_group.this.snapshot_retention_limit]
      auth_token_enabled         = [data.aws_elasticache_replication_group.this.auth_token_enabled, false]
    } : name => [jsonencode(pair[0]), jsonencode(pair[1])]
  }
}

output "data_mismatches" {
  value = join(" ", [for name, pair in local.data_pairs : "${name}: data ${pair[0]}, resource ${pair[1]};" if pair[0] != pair[1]])
}
