#include "http/router.h"

#include "codec/api_error.h"
#include "codec/decode.h"
#include "codec/encode.h"
#include "core/ids.h"
#include "core/strings.h"
#include "handlers/registry.h"
#include "sigv4/verify.h"
#include "store/workflows.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <csignal>
#include <map>

namespace keyfleet::http {

using codec::ApiError;

Router::Router(store::Database& db, sigv4::CredentialStore const& credentials, core::Clock const& clock,
               std::function<void()> wake_workflows, std::string advertise_host, std::filesystem::path s3_dir,
               SignalNode signal_node, AdvanceSnapshotClock advance_snapshot_clock, CaCertificate ca_certificate)
    : db_(db), credentials_(credentials), clock_(clock), wake_workflows_(std::move(wake_workflows)),
      advertise_host_(std::move(advertise_host)), s3_dir_(std::move(s3_dir)), signal_node_(std::move(signal_node)),
      advance_snapshot_clock_(std::move(advance_snapshot_clock)), ca_certificate_(std::move(ca_certificate))
{
}

namespace {

bool is_form(sigv4::Headers const& headers)
{
    for (auto const& [name, value] : headers)
        if (core::iequals(name, "content-type"))
            return core::to_lower(value).starts_with("application/x-www-form-urlencoded");
    return true;  // no Content-Type: a form is the only body this API takes
}

// A change asked of a resource a workflow is already changing (an automatic
// failover runs while the group still shows available): the kind's state error.
ApiError busy_error(store::TargetBusy const& busy)
{
    static std::map<std::string_view, std::pair<std::string_view, std::string_view>> const by_kind{
        {"replicationgroup", {"InvalidReplicationGroupStateFault", "Replication group"}},
        {"cluster", {"InvalidCacheClusterStateFault", "Cache cluster"}},
        {"pending:cluster", {"InvalidCacheClusterStateFault", "Cache cluster"}},
        {"snapshot", {"InvalidSnapshotStateFault", "Snapshot"}},
        {"parametergroup", {"InvalidCacheParameterGroupStateFault", "Cache parameter group"}},
        {"user", {"InvalidUserStateFault", "User"}},
        {"usergroup", {"InvalidUserGroupStateFault", "User group"}},
    };
    auto const colon = busy.target.rfind(':');
    auto const kind = std::string_view(busy.target).substr(0, colon);
    auto const id = busy.target.substr(colon + 1);
    auto const found = by_kind.find(kind);
    auto const [code, noun] = found != by_kind.end() ? found->second
                                                     : std::pair<std::string_view, std::string_view>{
                                                           "InvalidParameterCombination", "Resource"};
    return ApiError::from_model(code, std::string(noun) + " " + id + " is being changed (" + busy.running_kind +
                                          " in progress); try again when it is done.");
}

}  // namespace

std::string Router::call_operation(core::Scope const& scope, codec::Params const& params,
                                   std::string const& request_id, std::string& action) const
{
    auto const& schema = codec::Schema::elasticache();
    auto const found_action = params.find("Action");
    if (found_action == params.end() || found_action->second.empty())
        throw ApiError::from_model("MissingAction", "The request must contain the parameter Action.");
    action = found_action->second;
    auto const* op = schema.operation(action);
    if (!op)
        throw ApiError::from_model("InvalidAction", "The action " + action + " is not valid for this web service.");
    auto const& entry = handlers::registry().at(op->name);
    if (!entry.handler)
        throw ApiError::from_model("NotImplemented", "keyfleet does not carry out " + op->name + " yet: it awaits " +
                                                         std::string(entry.awaiting) + ". See docs/API_COVERAGE.md.");
    auto const input = codec::decode(*op, params);
    handlers::Context ctx{scope, db_, clock_, request_id, wake_workflows_, advertise_host_, s3_dir_};
    try {
        return codec::encode_response(schema, *op, entry.handler(ctx, input), request_id);
    } catch (store::TargetBusy const& busy) {
        throw busy_error(busy);
    }
}

std::string Router::inject_fault(core::Scope const& scope, codec::Params const& params) const
{
    static std::map<std::string_view, std::pair<int, std::string_view>> const actions{
        {"KillNode", {SIGKILL, "SIGKILL"}}, {"PauseNode", {SIGSTOP, "SIGSTOP"}}, {"ResumeNode", {SIGCONT, "SIGCONT"}}};
    auto const value = [&](std::string_view name) {
        auto const found = params.find(name);
        return found == params.end() ? std::string() : found->second;
    };
    auto const action = actions.find(value("Action"));
    if (action == actions.end())
        throw ApiError::from_model("InvalidAction", "The fault path takes Action KillNode, PauseNode or ResumeNode.");
    auto const cluster = core::to_lower(value("CacheClusterId"));
    auto node = value("CacheNodeId");
    if (node.empty())
        node = "0001";
    if (cluster.empty())
        throw ApiError::from_model("MissingParameter", "The request must contain the parameter CacheClusterId");
    auto const pid = signal_node_ ? signal_node_(scope, cluster, node, action->second.first) : std::nullopt;
    if (!pid)
        throw ApiError::from_model("CacheClusterNotFoundFault",
                                   "No running cache node " + node + " of cache cluster " + cluster + ".");
    spdlog::warn("fault injected: {} to node {} of {} (pid {})", action->second.second, node, cluster, *pid);
    return boost::json::serialize(boost::json::object{{"CacheClusterId", cluster},
                                                      {"CacheNodeId", node},
                                                      {"Signal", action->second.second},
                                                      {"Pid", *pid}});
}

Response Router::handle(Request const& request) const
{
    auto const started = std::chrono::steady_clock::now();
    Response response;
    response.request_id = core::new_request_id();

    auto const question = request.target.find('?');
    std::string_view const path = std::string_view(request.target).substr(0, question);
    std::string_view const query =
        question == std::string::npos ? std::string_view{} : std::string_view(request.target).substr(question + 1);

    if (request.method == "GET" && path == health_path) {
        response.content_type = "application/json";
        response.body = R"({"status":"ok"})";
        return response;
    }

    auto const& schema = codec::Schema::elasticache();
    std::string action = "-", account = "-", region = "-", error_code = "-";
    try {
        if (request.method != "GET" && request.method != "POST")
            throw ApiError::from_model("InvalidAction", "The HTTP method " + request.method +
                                                            " is not supported; send a POST or GET.");
        auto const caller = sigv4::verify({request.method, path, query, request.headers, request.body}, credentials_,
                                          clock_.now());
        account = caller.account_id;
        region = caller.region;

        // Parameters come in the query string, the form body, or both.
        auto params = codec::parse_form(query);
        if (request.method == "POST" && is_form(request.headers))
            for (auto& [name, value] : codec::parse_form(request.body))
                params.insert_or_assign(name, std::move(value));

        if (path == ca_certificate_path && ca_certificate_) {
            action = "ca-certificate";
            response.body = ca_certificate_();
            response.content_type = "application/x-pem-file";
        } else if (path == fault_path) {
            action = "fault";
            response.body = inject_fault({caller.account_id, caller.region}, params);
            response.content_type = "application/json";
        } else if (path == snapshot_clock_path) {
            action = "snapshot-clock";
            auto const seconds = params.find("Seconds");
            std::int64_t value = -1;
            if (seconds != params.end()) {
                auto const& given = seconds->second;
                if (std::from_chars(given.data(), given.data() + given.size(), value).ptr != given.data() + given.size())
                    value = -1;
            }
            if (value < 0 || !advance_snapshot_clock_)
                throw ApiError::from_model("InvalidParameterValue",
                                           "The snapshot clock path takes Seconds, a whole number of seconds >= 0.");
            response.body = advance_snapshot_clock_(value);
            response.content_type = "application/json";
        } else {
            response.body = call_operation({caller.account_id, caller.region}, params, response.request_id, action);
        }
    } catch (ApiError const& error) {
        error_code = error.code();
        response.status = error.http_status();
        response.body = codec::encode_error(schema, error, response.request_id);
    } catch (std::exception const& bug) {
        spdlog::error("{} {} internal error: {}", response.request_id, action, bug.what());
        auto const error = ApiError::from_model("InternalFailure", "We encountered an internal error. Please try again.");
        error_code = error.code();
        response.status = error.http_status();
        response.body = codec::encode_error(schema, error, response.request_id);
    }

    auto const elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
    spdlog::info("{} {} account={} region={} status={} error={} {:.2f}ms", response.request_id, action, account, region,
                 response.status, error_code, elapsed.count());
    return response;
}

}  // namespace keyfleet::http
