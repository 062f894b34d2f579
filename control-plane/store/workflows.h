// Rows of workflows: a handler starts one in the transaction that records the
// desired state; the data plane's engine runs its steps and checkpoints each.
#pragma once

#include "core/scope.h"
#include "store/db.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::store {

struct Workflow {
    std::int64_t id = 0;
    core::Scope scope;
    std::string kind;
    std::string target;  // "<arn kind>:<id>"
    std::string step;    // the next step to run
    boost::json::object data;
    std::string status;  // running | succeeded | failed
    std::string error;
    std::int64_t not_before = 0;
};

// Thrown by start_workflow when a workflow already runs on the target (an
// automatic failover, say, while the resource still shows available); the API
// answers it with the target kind's invalid-state error.
struct TargetBusy : std::runtime_error {
    TargetBusy(std::string busy_target, std::string busy_with)
        : std::runtime_error("a " + busy_with + " workflow is running on " + busy_target),
          target(std::move(busy_target)), running_kind(std::move(busy_with)) {}
    std::string target;        // "<arn kind>:<id>"
    std::string running_kind;  // the workflow in the way
};

// Throws TargetBusy when a workflow already runs on the target.
std::int64_t start_workflow(Transaction& tx, core::Scope const& scope, std::string_view kind, std::string_view target,
                            std::string_view first_step, boost::json::object const& data, std::int64_t now);

std::optional<Workflow> running_workflow(Transaction& tx, core::Scope const& scope, std::string_view target);

// Running workflows whose next step is due, oldest first, in every account and region.
std::vector<Workflow> due_workflows(Transaction& tx, std::int64_t now);

// The earliest time a running workflow is due, if any runs.
std::optional<std::int64_t> next_due(Transaction& tx);

void checkpoint_workflow(Transaction& tx, Workflow const& workflow, std::int64_t now);
void finish_workflow(Transaction& tx, std::int64_t id, std::string_view status, std::string_view error,
                     std::int64_t now);

}  // namespace keyfleet::store
