// Verifies a request's SigV4 signature (Authorization header or presigned query
// string) and tells who is calling: account from the access key, region from the
// credential scope. Failures are AWS's errors (codec::ApiError).
#pragma once

#include "core/clock.h"
#include "sigv4/canonical.h"
#include "sigv4/credentials.h"

#include <chrono>
#include <string>
#include <string_view>

namespace keyfleet::sigv4 {

inline constexpr std::string_view service_name = "elasticache";
inline constexpr auto allowed_clock_skew = std::chrono::minutes(15);

struct RequestParts {
    std::string_view method;
    std::string_view path;   // as on the wire, without the query
    std::string_view query;  // raw, without '?'
    Headers const& headers;
    std::string_view body;
};

struct Caller {
    std::string account_id;
    std::string region;
    std::string access_key_id;
};

Caller verify(RequestParts const& request, CredentialStore const& credentials, core::TimePoint now);

// True for names shaped like AWS regions: us-east-1, eu-central-2, us-gov-west-1.
bool is_region_name(std::string_view region);

}  // namespace keyfleet::sigv4
