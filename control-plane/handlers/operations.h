// Every operation handler keyfleet carries out, by resource. registry.cpp maps
// AWS action names to these.
#pragma once

#include "handlers/context.h"

namespace keyfleet::handlers {

// subnet_groups.cpp
json::object create_cache_subnet_group(Context& ctx, json::object const& in);
json::object describe_cache_subnet_groups(Context& ctx, json::object const& in);
json::object modify_cache_subnet_group(Context& ctx, json::object const& in);
json::object delete_cache_subnet_group(Context& ctx, json::object const& in);

// tags.cpp
json::object add_tags_to_resource(Context& ctx, json::object const& in);
json::object list_tags_for_resource(Context& ctx, json::object const& in);
json::object remove_tags_from_resource(Context& ctx, json::object const& in);

// events.cpp
json::object describe_events(Context& ctx, json::object const& in);

// parameter_groups.cpp
json::object create_cache_parameter_group(Context& ctx, json::object const& in);
json::object describe_cache_parameter_groups(Context& ctx, json::object const& in);
json::object modify_cache_parameter_group(Context& ctx, json::object const& in);
json::object reset_cache_parameter_group(Context& ctx, json::object const& in);
json::object delete_cache_parameter_group(Context& ctx, json::object const& in);
json::object describe_cache_parameters(Context& ctx, json::object const& in);
json::object describe_engine_default_parameters(Context& ctx, json::object const& in);

// catalogs.cpp
json::object describe_cache_engine_versions(Context& ctx, json::object const& in);
json::object list_allowed_node_type_modifications(Context& ctx, json::object const& in);

// security_groups.cpp
json::object create_cache_security_group(Context& ctx, json::object const& in);
json::object describe_cache_security_groups(Context& ctx, json::object const& in);
json::object delete_cache_security_group(Context& ctx, json::object const& in);
json::object authorize_cache_security_group_ingress(Context& ctx, json::object const& in);
json::object revoke_cache_security_group_ingress(Context& ctx, json::object const& in);

// users.cpp
json::object create_user(Context& ctx, json::object const& in);
json::object describe_users(Context& ctx, json::object const& in);
json::object modify_user(Context& ctx, json::object const& in);
json::object delete_user(Context& ctx, json::object const& in);
json::object create_user_group(Context& ctx, json::object const& in);
json::object describe_user_groups(Context& ctx, json::object const& in);
json::object modify_user_group(Context& ctx, json::object const& in);
json::object delete_user_group(Context& ctx, json::object const& in);

// reserved_nodes.cpp
json::object describe_reserved_cache_nodes_offerings(Context& ctx, json::object const& in);
json::object purchase_reserved_cache_nodes_offering(Context& ctx, json::object const& in);
json::object describe_reserved_cache_nodes(Context& ctx, json::object const& in);

// service_updates.cpp
json::object describe_service_updates(Context& ctx, json::object const& in);
json::object describe_update_actions(Context& ctx, json::object const& in);
json::object batch_apply_update_action(Context& ctx, json::object const& in);
json::object batch_stop_update_action(Context& ctx, json::object const& in);

// cache_clusters.cpp
json::object create_cache_cluster(Context& ctx, json::object const& in);
json::object describe_cache_clusters(Context& ctx, json::object const& in);
json::object modify_cache_cluster(Context& ctx, json::object const& in);
json::object reboot_cache_cluster(Context& ctx, json::object const& in);
json::object delete_cache_cluster(Context& ctx, json::object const& in);

// replication_groups.cpp
json::object create_replication_group(Context& ctx, json::object const& in);
json::object describe_replication_groups(Context& ctx, json::object const& in);
json::object delete_replication_group(Context& ctx, json::object const& in);

// replication_group_changes.cpp
json::object test_failover(Context& ctx, json::object const& in);
json::object increase_replica_count(Context& ctx, json::object const& in);
json::object decrease_replica_count(Context& ctx, json::object const& in);
json::object modify_replication_group(Context& ctx, json::object const& in);

// shard_configuration.cpp
json::object modify_replication_group_shard_configuration(Context& ctx, json::object const& in);

// snapshots.cpp
json::object create_snapshot(Context& ctx, json::object const& in);
json::object describe_snapshots(Context& ctx, json::object const& in);
json::object copy_snapshot(Context& ctx, json::object const& in);
json::object delete_snapshot(Context& ctx, json::object const& in);

}  // namespace keyfleet::handlers
