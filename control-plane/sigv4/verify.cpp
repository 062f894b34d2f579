#include "sigv4/verify.h"

#include "codec/api_error.h"
#include "core/ids.h"
#include "core/strings.h"
#include "core/url.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <charconv>
#include <map>
#include <ctime>
#include <iomanip>
#include <locale>
#include <sstream>
#include <optional>

namespace keyfleet::sigv4 {

using codec::ApiError;

namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

std::string_view header(Headers const& headers, std::string_view name)
{
    for (auto const& [key, value] : headers)
        if (core::iequals(key, name))
            return value;
    return {};
}

bool has_header(Headers const& headers, std::string_view name)
{
    for (auto const& [key, value] : headers)
        if (core::iequals(key, name))
            return true;
    return false;
}

// What a signature claims, from either the header or the query string.
struct Claim {
    std::string credential;
    std::string signed_headers;
    std::string signature;
    std::string amz_date;
    std::optional<long> expires_seconds;  // presigned only
    bool presigned = false;
    bool date_from_date_header = false;
};

std::string amz_format(core::TimePoint when);

ApiError incomplete(std::string message) { return ApiError::from_model("IncompleteSignature", std::move(message)); }
ApiError mismatch(std::string message) { return ApiError::from_model("SignatureDoesNotMatch", std::move(message)); }

// RFC 1123, as a Date header carries it: "Sun, 22 Nov 2026 06:00:00 GMT" (or "-0000").
std::optional<core::TimePoint> parse_http_date(std::string_view text)
{
    std::tm tm{};
    std::istringstream in{std::string(text)};
    in.imbue(std::locale::classic());
    in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
    if (in.fail())
        return std::nullopt;
    std::string zone;
    in >> zone;
    if (zone != "GMT" && zone != "UTC" && zone != "-0000" && zone != "+0000" && zone != "Z")
        return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Claim claim_from_header(std::string_view authorization, Headers const& headers)
{
    auto const quoted = [&] { return "Authorization=" + std::string(authorization); };
    if (!authorization.starts_with(algorithm) || authorization.size() == algorithm.size() ||
        authorization[algorithm.size()] != ' ') {
        auto const space = authorization.find(' ');
        throw incomplete(fmt::format("Unsupported AWS 'algorithm': '{}'.", authorization.substr(0, space)));
    }
    Claim claim;
    std::string_view rest = authorization.substr(algorithm.size() + 1);
    while (!rest.empty()) {
        auto const comma = rest.find(',');
        auto const part = core::trim(rest.substr(0, comma));
        auto const eq = part.find('=');
        if (eq == std::string_view::npos && !part.empty())
            throw incomplete(fmt::format("'{}' not a valid key=value pair (missing equal-sign) in Authorization "
                                         "header: '{}'.",
                                         part, authorization));
        if (eq != std::string_view::npos) {
            auto const key = part.substr(0, eq);
            auto const value = std::string(part.substr(eq + 1));
            if (key == "Credential")
                claim.credential = value;
            else if (key == "SignedHeaders")
                claim.signed_headers = value;
            else if (key == "Signature")
                claim.signature = value;
        }
        if (comma == std::string_view::npos)
            break;
        rest.remove_prefix(comma + 1);
    }
    std::string missing;
    for (auto const& [name, value] : {std::pair{"Credential", &claim.credential},
                                      std::pair{"Signature", &claim.signature},
                                      std::pair{"SignedHeaders", &claim.signed_headers}})
        if (value->empty())
            missing += fmt::format("Authorization header requires '{}' parameter. ", name);
    claim.amz_date = std::string(header(headers, "x-amz-date"));
    if (claim.amz_date.empty()) {
        // The spec allows a Date header in place of X-Amz-Date.
        if (auto const date = header(headers, "date"); !date.empty()) {
            if (auto const when = parse_http_date(date))
                claim.amz_date = amz_format(*when);
            else
                throw incomplete(fmt::format("Date must be in ISO-8601 'basic format' or RFC 1123. Got '{}'.", date));
            claim.date_from_date_header = true;
        } else {
            missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
        }
    }
    if (!missing.empty())
        throw incomplete(missing + quoted());
    return claim;
}

Claim claim_from_query(std::string_view raw_query)
{
    Claim claim;
    claim.presigned = true;
    std::string algorithm_value;
    std::string expires;
    for (auto const& [raw_name, raw_value] : core::split_query(raw_query)) {
        auto const name = core::url_decode(raw_name, false);
        auto value = core::url_decode(raw_value, false);
        if (name == "X-Amz-Algorithm")
            algorithm_value = std::move(value);
        else if (name == "X-Amz-Credential")
            claim.credential = std::move(value);
        else if (name == "X-Amz-SignedHeaders")
            claim.signed_headers = std::move(value);
        else if (name == "X-Amz-Signature")
            claim.signature = std::move(value);
        else if (name == "X-Amz-Date")
            claim.amz_date = std::move(value);
        else if (name == "X-Amz-Expires")
            expires = std::move(value);
    }
    if (algorithm_value != algorithm)
        throw incomplete(fmt::format("Unsupported AWS 'algorithm': '{}'.", algorithm_value));
    std::string missing;
    for (auto const& [name, value] : {std::pair{"X-Amz-Credential", &claim.credential},
                                      std::pair{"X-Amz-Signature", &claim.signature},
                                      std::pair{"X-Amz-SignedHeaders", &claim.signed_headers},
                                      std::pair{"X-Amz-Date", &claim.amz_date}})
        if (value->empty())
            missing += fmt::format("AWS query-string parameters must include '{}'. ", name);
    if (!missing.empty())
        throw incomplete(missing + "Re-examine the query-string parameters.");
    if (!expires.empty()) {
        long seconds = 0;
        auto const [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), seconds);
        if (ec != std::errc() || end != expires.data() + expires.size() || seconds < 0 || seconds > 604800)
            throw incomplete("X-Amz-Expires must be a number of seconds between 0 and 604800.");
        claim.expires_seconds = seconds;
    }
    return claim;
}

// 20150830T123600Z
std::optional<core::TimePoint> parse_amz_date(std::string_view text)
{
    if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z')
        return std::nullopt;
    std::string iso = fmt::format("{}-{}-{}T{}:{}:{}Z", text.substr(0, 4), text.substr(4, 2), text.substr(6, 2),
                                  text.substr(9, 2), text.substr(11, 2), text.substr(13, 2));
    std::int64_t ms = 0;
    if (!core::parse_iso8601(iso, ms))
        return std::nullopt;
    return core::from_epoch_ms(ms);
}

std::string amz_format(core::TimePoint when)
{
    return fmt::format("{:%Y%m%dT%H%M%SZ}", std::chrono::floor<std::chrono::seconds>(when));
}

// The signing key changes once a day per key and region: derive it once (four
// HMACs) and keep a few per thread.
std::string const& cached_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                                      std::string_view service)
{
    thread_local std::map<std::string, std::string, std::less<>> keys;
    auto id = std::string(secret);
    id.append("\n").append(date).append("\n").append(region).append("\n").append(service);
    if (auto const found = keys.find(id); found != keys.end())
        return found->second;
    if (keys.size() >= 64)
        keys.clear();
    return keys.emplace(std::move(id), signing_key(secret, date, region, service)).first->second;
}

}  // namespace

bool is_region_name(std::string_view region)
{
    // letters-letters(-letters)*-digits, lowercase
    std::size_t parts = 0;
    std::string_view rest = region;
    while (!rest.empty()) {
        auto const dash = rest.find('-');
        auto const part = rest.substr(0, dash);
        bool const last = dash == std::string_view::npos;
        if (part.empty())
            return false;
        for (char const c : part)
            if (last ? !(c >= '0' && c <= '9') : !(c >= 'a' && c <= 'z'))
                return false;
        ++parts;
        if (last)
            break;
        rest.remove_prefix(dash + 1);
    }
    return parts >= 3 && region.size() <= 32;
}

Caller verify(RequestParts const& request, CredentialStore const& credentials, core::TimePoint now)
{
    auto const authorization = header(request.headers, "authorization");
    bool const presigned = authorization.empty() && request.query.find("X-Amz-Algorithm=") != std::string_view::npos;
    if (authorization.empty() && !presigned)
        throw ApiError::from_model("MissingAuthenticationToken", "Request is missing Authentication Token");

    Claim const claim = presigned ? claim_from_query(request.query) : claim_from_header(authorization, request.headers);

    // Credential = <key>/<yyyymmdd>/<region>/<service>/aws4_request
    std::vector<std::string_view> scope;
    for (std::string_view rest = claim.credential;;) {
        auto const slash = rest.find('/');
        scope.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos)
            break;
        rest.remove_prefix(slash + 1);
    }
    if (scope.size() != 5)
        throw incomplete(fmt::format("Credential must have exactly 5 slash-delimited elements, e.g. "
                                     "keyid/date/region/service/term, got '{}'",
                                     claim.credential));
    auto const access_key = scope[0], scope_date = scope[1], region = scope[2], service = scope[3],
               terminator = scope[4];

    auto const signed_at = parse_amz_date(claim.amz_date);
    if (!signed_at)
        throw incomplete(fmt::format("Date must be in ISO-8601 'basic format'. Got '{}'. See "
                                     "http://en.wikipedia.org/wiki/ISO_8601",
                                     claim.amz_date));
    if (scope_date != std::string_view(claim.amz_date).substr(0, 8))
        throw mismatch(fmt::format("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                                   "date from HTTP: '{}' != '{}', from '{}'.",
                                   scope_date, claim.amz_date.substr(0, 8), claim.amz_date));
    if (!is_region_name(region))
        throw mismatch(fmt::format("Credential should be scoped to a valid region, not '{}'. ", region));
    if (service != service_name)
        throw mismatch(fmt::format("Credential should be scoped to correct service: '{}'. ", service_name));
    if (terminator != "aws4_request")
        throw mismatch(fmt::format("Credential should be scoped with a valid terminator: 'aws4_request', not '{}'. ",
                                   terminator));

    auto const* credential = credentials.find(access_key);
    if (!credential)
        throw ApiError::from_model("InvalidClientTokenId", "The security token included in the request is invalid.");

    std::string signed_headers = claim.signed_headers;
    auto const is_signed = [&](std::string_view name) {
        std::string_view rest = signed_headers;
        while (!rest.empty()) {
            auto const semicolon = rest.find(';');
            if (rest.substr(0, semicolon) == name)
                return true;
            if (semicolon == std::string_view::npos)
                break;
            rest.remove_prefix(semicolon + 1);
        }
        return false;
    };
    if (!is_signed("host"))
        throw mismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    if (!presigned && has_header(request.headers, "x-amz-date") && !is_signed("x-amz-date"))
        throw mismatch("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
    if (claim.date_from_date_header && !is_signed("date"))
        throw mismatch("'Date' must be a 'SignedHeader' in the AWS Authorization.");

    if (claim.expires_seconds) {
        auto const expiry = *signed_at + std::chrono::seconds(*claim.expires_seconds);
        if (now > expiry)
            throw ApiError::from_model("RequestExpired", fmt::format("Request has expired. Expired at {}, now {}.",
                                                                     amz_format(expiry), amz_format(now)));
    }
    if (*signed_at < now - allowed_clock_skew)
        throw mismatch(fmt::format("Signature expired: {} is now earlier than {} ({} - 15 min.)", claim.amz_date,
                                   amz_format(now - allowed_clock_skew), amz_format(now)));
    if (*signed_at > now + allowed_clock_skew)
        throw mismatch(fmt::format("Signature not yet current: {} is still later than {} ({} + 15 min.)",
                                   claim.amz_date, amz_format(now + allowed_clock_skew), amz_format(now)));

    auto const key = cached_signing_key(credential->secret_access_key, scope_date, region, service);
    auto const scope_text = claim.credential.substr(access_key.size() + 1);
    auto const uri = canonical_uri(request.path);
    auto const headers = canonical_headers(request.headers, signed_headers);
    // '+' in a query string is ambiguous (a literal plus per the spec, a space
    // for form-style clients); a signature over either reading is accepted.
    std::vector<std::string> queries{canonical_query(request.query, presigned ? "X-Amz-Signature" : "")};
    if (request.query.find('+') != std::string_view::npos)
        queries.push_back(canonical_query(request.query, presigned ? "X-Amz-Signature" : "", true));
    auto const declared_hash = header(request.headers, "x-amz-content-sha256");
    std::vector<std::string> payload_hashes;
    if (!declared_hash.empty())
        payload_hashes.emplace_back(declared_hash);
    else
        payload_hashes.push_back(core::sha256_hex(request.body));
    if (presigned && declared_hash.empty())
        payload_hashes.emplace_back("UNSIGNED-PAYLOAD");
    bool valid = false;
    for (auto const& query : queries)
        for (auto const& payload_hash : payload_hashes) {
            auto const creq = canonical_request(request.method, uri, query, headers, signed_headers, payload_hash);
            valid = valid || equal_constant_time(signature(key, string_to_sign(claim.amz_date, scope_text, creq)),
                                                 claim.signature);
        }
    if (!valid)
        throw mismatch("The request signature we calculated does not match the signature you provided. Check your "
                       "AWS Secret Access Key and signing method. Consult the service documentation for details.");
    // A declared payload hash must be the body's, or the body was swapped after signing.
    if (!declared_hash.empty() && declared_hash != "UNSIGNED-PAYLOAD" && declared_hash != core::sha256_hex(request.body))
        throw mismatch("The provided 'x-amz-content-sha256' header does not match what was computed.");

    return Caller{credential->account_id, std::string(region), credential->access_key_id};
}

}  // namespace keyfleet::sigv4
