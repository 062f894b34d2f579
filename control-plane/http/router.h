// The stage order of one API request, and the one place errors are rendered:
// auth (SigV4) -> Action -> decode -> handler -> encode, with one log line.
// Knows nothing of sockets: http::Server hands it plain requests.
#pragma once

#include "codec/decode.h"
#include "core/clock.h"
#include "core/scope.h"
#include "sigv4/canonical.h"
#include "sigv4/credentials.h"
#include "store/db.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace keyfleet::http {

struct Request {
    std::string method;
    std::string target;  // path and query, as on the request line
    sigv4::Headers headers;
    std::string body;
};

struct Response {
    int status = 200;
    std::string content_type = "text/xml";
    std::string body;
    std::string request_id;
};

// Not part of the AWS API: an unsigned liveness check for scripts and containers.
inline constexpr std::string_view health_path = "/_keyfleet/health";

// Not part of the AWS API either: fault injection, so applications can rehearse
// a failover. SigV4-signed like API calls (only the server's credentials reach
// it): POST Action=KillNode|PauseNode|ResumeNode&CacheClusterId=..[&CacheNodeId=0001].
inline constexpr std::string_view fault_path = "/_keyfleet/fault";

// Not part of the AWS API: moves the automatic-snapshot scheduler's clock ahead
// (tests, rehearsing retention), then runs a pass. SigV4-signed; POST
// Seconds=N. Answers JSON: the scheduler's time, snapshots started and deleted.
inline constexpr std::string_view snapshot_clock_path = "/_keyfleet/snapshot-clock";

// Not part of the AWS API: keyfleet's CA certificate (PEM), which the
// certificates of nodes serving TLS chain to, for clients to verify them.
// SigV4-signed GET; the same file is <data-dir>/tls/ca.pem.
inline constexpr std::string_view ca_certificate_path = "/_keyfleet/ca.pem";

// The CA certificate as PEM (created on first use).
using CaCertificate = std::function<std::string()>;

// Moves the scheduler's clock ahead by the seconds given and runs a pass; its JSON answer.
using AdvanceSnapshotClock = std::function<std::string(std::int64_t seconds)>;

// Sends a signal to a node of the caller's account and region; its pid, or
// nullopt when no such node runs.
using SignalNode = std::function<std::optional<int>(core::Scope const& scope, std::string const& cluster,
                                                    std::string const& node, int signal)>;

class Router {
public:
    // `wake_workflows` tells the data plane a handler committed new work.
    Router(store::Database& db, sigv4::CredentialStore const& credentials, core::Clock const& clock,
           std::function<void()> wake_workflows = [] {}, std::string advertise_host = "127.0.0.1",
           std::filesystem::path s3_dir = {}, SignalNode signal_node = {},
           AdvanceSnapshotClock advance_snapshot_clock = {}, CaCertificate ca_certificate = {});
    Response handle(Request const& request) const;

private:
    store::Database& db_;
    sigv4::CredentialStore const& credentials_;
    core::Clock const& clock_;
    std::function<void()> wake_workflows_;
    std::string advertise_host_;
    std::filesystem::path s3_dir_;
    SignalNode signal_node_;
    AdvanceSnapshotClock advance_snapshot_clock_;
    CaCertificate ca_certificate_;

    // The AWS operation the Action names, carried out; its XML answer.
    std::string call_operation(core::Scope const& scope, codec::Params const& params, std::string const& request_id,
                               std::string& action) const;
    std::string inject_fault(core::Scope const& scope, codec::Params const& params) const;
};

}  // namespace keyfleet::http
