#include "workflows/configuration.h"

#include "store/events.h"
#include "store/reserved_nodes.h"
#include "store/tags.h"
#include "store/users.h"

#include <string>

namespace keyfleet::workflows {

namespace {

// "user:alice" -> "alice"
std::string id_of(std::string const& target) { return target.substr(target.find(':') + 1); }

// Until replication groups run on nodes no node holds an ACL, so a user or
// user group change is carried out once recorded; the apply steps are where the
// nodes' ACLs get rewritten when they do.
StepResult apply_user(Run& run)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), now = run.clock().now_ms()](store::Transaction& tx) {
        auto user = store::find_user(tx, scope, id);
        if (!user)
            return;
        user->status = "active";
        store::save_user(tx, scope, *user);
        store::record_event(tx, scope, "user", id, "User " + id + " modified", now);
    });
    return StepResult::done();
}

StepResult delete_user(Run& run)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), now = run.clock().now_ms()](store::Transaction& tx) {
        store::remove_user_from_groups(tx, scope, id);
        store::delete_user(tx, scope, id);
        store::delete_all_tags(tx, scope, {"user", id});
        store::record_event(tx, scope, "user", id, "User " + id + " deleted", now);
    });
    return StepResult::done();
}

StepResult apply_user_group(Run& run)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), now = run.clock().now_ms()](store::Transaction& tx) {
        auto group = store::find_user_group(tx, scope, id);
        if (!group)
            return;
        for (auto const& member : group->members) {
            if (member.pending == "remove")
                store::remove_member(tx, scope, id, member.user_id);
            else if (member.pending)
                store::put_member(tx, scope, id, member.user_id, std::nullopt);
        }
        auto const created = group->status == "creating";
        store::set_user_group_status(tx, scope, id, "active");
        store::record_event(tx, scope, "user-group", id,
                            created ? "User group " + id + " is active" : "User group " + id + " modified", now);
    });
    return StepResult::done();
}

StepResult delete_user_group(Run& run)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), now = run.clock().now_ms()](store::Transaction& tx) {
        store::delete_user_group(tx, scope, id);
        store::delete_all_tags(tx, scope, {"usergroup", id});
        store::record_event(tx, scope, "user-group", id, "User group " + id + " deleted", now);
    });
    return StepResult::done();
}

// There is no payment to wait for locally: the reservation becomes active.
StepResult activate_reservation(Run& run)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope()](store::Transaction& tx) {
        if (auto node = store::find_reserved_node(tx, scope, id)) {
            node->state = "active";
            store::save_reserved_node(tx, scope, *node);
        }
    });
    return StepResult::done();
}

}  // namespace

void add_configuration_kinds(Engine& engine)
{
    engine.add_kind("apply_user", {{{"apply", apply_user}}, {}});
    engine.add_kind("delete_user", {{{"apply", delete_user}}, {}});
    engine.add_kind("apply_user_group", {{{"apply", apply_user_group}}, {}});
    engine.add_kind("delete_user_group", {{{"apply", delete_user_group}}, {}});
    engine.add_kind("activate_reservation", {{{"activate", activate_reservation}}, {}});
}

}  // namespace keyfleet::workflows
