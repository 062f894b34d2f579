# Outputs of every step (run.sh applies this file with each).
output "source_primary" {
  value = aws_elasticache_replication_group.source.primary_endpoint_address
}

output "source_retention" {
  value = "${aws_elasticache_replication_group.source.snapshot_retention_limit} ${aws_elasticache_replication_group.source.snapshot_window}"
}

output "single_retention" {
  value = "${aws_elasticache_cluster.single.snapshot_retention_limit} ${aws_elasticache_cluster.single.snapshot_window}"
}
