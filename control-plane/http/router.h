// The stage order of one API request, and the one place errors are rendered:
// auth (SigV4) -> Action -> decode -> handler -> encode, with one log line.
// Knows nothing of sockets: http::Server hands it plain requests.
#pragma once

#include "core/clock.h"
#include "sigv4/canonical.h"
#include "sigv4/credentials.h"
#include "store/db.h"

#include <filesystem>
#include <functional>
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

class Router {
public:
    // `wake_workflows` tells the data plane a handler committed new work.
    Router(store::Database& db, sigv4::CredentialStore const& credentials, core::Clock const& clock,
           std::function<void()> wake_workflows = [] {}, std::string advertise_host = "127.0.0.1",
           std::filesystem::path s3_dir = {});
    Response handle(Request const& request) const;

private:
    store::Database& db_;
    sigv4::CredentialStore const& credentials_;
    core::Clock const& clock_;
    std::function<void()> wake_workflows_;
    std::string advertise_host_;
    std::filesystem::path s3_dir_;
};

}  // namespace keyfleet::http
