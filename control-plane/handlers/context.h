// What every handler gets: who is calling and where, the store, the clock.
#pragma once

#include "core/clock.h"
#include "core/scope.h"
#include "store/db.h"

#include <boost/json/object.hpp>

#include <filesystem>
#include <functional>
#include <string_view>

namespace keyfleet::handlers {

namespace json = boost::json;

struct Context {
    core::Scope scope;  // the caller's account (from its access key) and region (from its signature)
    store::Database& db;
    core::Clock const& clock;
    std::string_view request_id;
    // Tells the data plane's workflow engine a handler committed new work.
    std::function<void()> const& wake_workflows;
    // The host clients reach node and endpoint ports on (Endpoint.Address) when
    // nodes share one host; empty when each has a loopback address of its own.
    std::string_view advertise_host;
    // Where s3 ARNs point: arn:aws:s3:::bucket/key is <s3_dir>/bucket/key.
    std::filesystem::path const& s3_dir;
};

// A handler takes the decoded input (AWS member names) and answers the output
// object (AWS member names) or throws codec::ApiError.
using Handler = json::object (*)(Context& ctx, json::object const& input);

}  // namespace keyfleet::handlers
