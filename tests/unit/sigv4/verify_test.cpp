// sigv4::verify: who is calling, and AWS's error for every way a signature fails.
#include "codec/api_error.h"
#include "core/ids.h"
#include "sigv4/verify.h"

#include <catch2/catch.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

using namespace keyfleet;

namespace {

core::TimePoint const now = core::from_epoch_ms(1795327200000);  // 2026-11-22T06:00:00Z

std::string amz_date(core::TimePoint when)
{
    return fmt::format("{:%Y%m%dT%H%M%SZ}", std::chrono::floor<std::chrono::seconds>(when));
}

struct Signed {
    sigv4::Headers headers;
    std::string body = "Action=DescribeCacheSubnetGroups&Version=2015-02-02";
    std::string query;
    std::string method = "POST";
};

// Signs like an SDK does, with knobs to get each part wrong.
struct Signer {
    std::string access_key = "test";
    std::string secret = "test";
    std::string region = "us-east-1";
    std::string service = "elasticache";
    std::string terminator = "aws4_request";
    core::TimePoint when = now;
    std::string signed_headers = "content-type;host;x-amz-date";
    bool rfc1123_date_header = false;  // send Date: <RFC 1123> instead of X-Amz-Date

    Signed sign() const
    {
        Signed request;
        auto const date = amz_date(when);
        request.headers = {{"Host", "127.0.0.1:4566"},
                           {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                           {"X-Amz-Date", date}};
        if (rfc1123_date_header)
            request.headers.back() = {"Date", fmt::format("{:%a, %d %b %Y %H:%M:%S} GMT",
                                                          std::chrono::floor<std::chrono::seconds>(when))};
        auto const scope = date.substr(0, 8) + "/" + region + "/" + service + "/" + terminator;
        auto const creq = sigv4::canonical_request(request.method, "/", "",
                                                   sigv4::canonical_headers(request.headers, signed_headers),
                                                   signed_headers, core::sha256_hex(request.body));
        auto const key = sigv4::signing_key(secret, date.substr(0, 8), region, service);
        auto const signature = sigv4::signature(key, sigv4::string_to_sign(date, scope, creq));
        request.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + access_key + "/" + scope +
                                                          ", SignedHeaders=" + signed_headers +
                                                          ", Signature=" + signature);
        return request;
    }
};

sigv4::CredentialStore const& credentials()
{
    static auto const store = [] {
        auto s = sigv4::CredentialStore::with_default();
        s.add({"AKIDOTHER", "other-secret", "111122223333"});
        return s;
    }();
    return store;
}

sigv4::Caller verify(Signed const& request, core::TimePoint at = now)
{
    return sigv4::verify({request.method, "/", request.query, request.headers, request.body}, credentials(), at);
}

// "Code (status): message" of the error verify throws.
std::string failure(Signed const& request, core::TimePoint at = now)
{
    try {
        verify(request, at);
    } catch (codec::ApiError const& e) {
        return e.code() + " (" + std::to_string(e.http_status()) + "): " + e.message();
    }
    return "accepted";
}

void set_header(Signed& request, std::string const& name, std::string const& value)
{
    for (auto& [key, current] : request.headers)
        if (key == name)
            current = value;
}

}  // namespace

TEST_CASE("a correctly signed request names the key's account and the scope's region", "[sigv4]")
{
    auto const caller = verify(Signer{}.sign());
    CHECK(caller.account_id == "000000000000");
    CHECK(caller.region == "us-east-1");

    Signer other;
    other.access_key = "AKIDOTHER";
    other.secret = "other-secret";
    other.region = "eu-west-3";
    auto const second = verify(other.sign());
    CHECK(second.account_id == "111122223333");
    CHECK(second.region == "eu-west-3");
}

TEST_CASE("a tampered signature, wrong secret or altered body is SignatureDoesNotMatch", "[sigv4]")
{
    auto tampered = Signer{}.sign();
    auto& authorization = tampered.headers.back().second;
    authorization.back() = authorization.back() == '0' ? '1' : '0';
    CHECK_THAT(failure(tampered), Catch::StartsWith("SignatureDoesNotMatch (403): The request signature we calculated"));

    Signer wrong_secret;
    wrong_secret.secret = "wrong";
    CHECK_THAT(failure(wrong_secret.sign()), Catch::StartsWith("SignatureDoesNotMatch (403)"));

    auto altered = Signer{}.sign();
    altered.body += "&CacheSubnetGroupName=x";
    CHECK_THAT(failure(altered), Catch::StartsWith("SignatureDoesNotMatch (403)"));
}

TEST_CASE("an unknown access key is InvalidClientTokenId", "[sigv4]")
{
    Signer unknown;
    unknown.access_key = "AKIDUNKNOWN";
    CHECK(failure(unknown.sign()) == "InvalidClientTokenId (403): The security token included in the request is invalid.");
}

TEST_CASE("no signature at all is MissingAuthenticationToken", "[sigv4]")
{
    Signed request;
    request.headers = {{"Host", "127.0.0.1"}};
    CHECK(failure(request) == "MissingAuthenticationToken (403): Request is missing Authentication Token");
}

TEST_CASE("a malformed Authorization header is IncompleteSignature", "[sigv4]")
{
    auto request = Signer{}.sign();
    set_header(request, "Authorization", "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/elasticache/aws4_request");
    CHECK_THAT(failure(request), Catch::StartsWith("IncompleteSignature (400): Authorization header requires 'Signature'"));

    set_header(request, "Authorization", "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/elasticache/aws4_request");
    CHECK_THAT(failure(request),
               Catch::EndsWith("Authorization=AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/elasticache/aws4_request"));

    set_header(request, "Authorization",
               "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/elasticache/aws4_request, SignedHeaders=host, Signature");
    CHECK_THAT(failure(request), Catch::StartsWith("IncompleteSignature (400): 'Signature' not a valid key=value pair "
                                                   "(missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256"));

    set_header(request, "Authorization", "AWS test:abc");
    CHECK_THAT(failure(request), Catch::StartsWith("IncompleteSignature (400): Unsupported AWS 'algorithm'"));

    set_header(request, "Authorization",
               "AWS4-HMAC-SHA256 Credential=test/us-east-1/aws4_request, SignedHeaders=host, Signature=00");
    CHECK_THAT(failure(request), Catch::StartsWith("IncompleteSignature (400): Credential must have exactly 5"));
}

TEST_CASE("a clock skewed beyond 15 minutes either way is refused", "[sigv4]")
{
    using std::chrono::minutes;
    Signer past;
    past.when = now - minutes(16);
    CHECK_THAT(failure(past.sign()), Catch::StartsWith("SignatureDoesNotMatch (403): Signature expired: 20261122T054400Z "
                                                       "is now earlier than 20261122T054500Z (20261122T060000Z - 15 min.)"));
    Signer future;
    future.when = now + minutes(16);
    CHECK_THAT(failure(future.sign()), Catch::StartsWith("SignatureDoesNotMatch (403): Signature not yet current"));

    Signer within;
    within.when = now - minutes(14);
    CHECK(failure(within.sign()) == "accepted");
}

TEST_CASE("the credential scope must name elasticache, a region and aws4_request, dated as X-Amz-Date", "[sigv4]")
{
    Signer service;
    service.service = "s3";
    CHECK_THAT(failure(service.sign()), Catch::Contains("Credential should be scoped to correct service: 'elasticache'"));

    Signer region;
    region.region = "moon";
    CHECK_THAT(failure(region.sign()), Catch::Contains("Credential should be scoped to a valid region, not 'moon'"));

    Signer terminator;
    terminator.terminator = "aws5_request";
    CHECK_THAT(failure(terminator.sign()), Catch::Contains("valid terminator: 'aws4_request', not 'aws5_request'"));

    auto request = Signer{}.sign();
    set_header(request, "X-Amz-Date", amz_date(now + std::chrono::hours(24)));
    CHECK_THAT(failure(request, now + std::chrono::hours(24)),
               Catch::Contains("Date in Credential scope does not match YYYYMMDD"));
}

TEST_CASE("Host must be signed, and X-Amz-Date too when sent", "[sigv4]")
{
    Signer no_host;
    no_host.signed_headers = "content-type;x-amz-date";
    CHECK_THAT(failure(no_host.sign()), Catch::Contains("'Host' or ':authority' must be a 'SignedHeader'"));

    Signer unsigned_date;
    unsigned_date.signed_headers = "content-type;host";
    CHECK_THAT(failure(unsigned_date.sign()), Catch::Contains("'X-Amz-Date' must be a 'SignedHeader'"));
}

TEST_CASE("a presigned query string is verified, and refused once expired", "[sigv4]")
{
    auto const date = amz_date(now);
    auto const scope = date.substr(0, 8) + "/us-east-1/elasticache/aws4_request";
    auto const presign = [&](std::string const& expires) {
        Signed request;
        request.method = "GET";
        request.body.clear();
        request.headers = {{"Host", "127.0.0.1:4566"}};
        request.query = "Action=DescribeCacheSubnetGroups&Version=2015-02-02&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                        "&X-Amz-Credential=test%2F" + date.substr(0, 8) + "%2Fus-east-1%2Felasticache%2Faws4_request"
                        "&X-Amz-Date=" + date + "&X-Amz-Expires=" + expires + "&X-Amz-SignedHeaders=host";
        auto const creq = sigv4::canonical_request("GET", "/", sigv4::canonical_query(request.query),
                                                   sigv4::canonical_headers(request.headers, "host"), "host",
                                                   core::sha256_hex(""));
        auto const key = sigv4::signing_key("test", date.substr(0, 8), "us-east-1", "elasticache");
        request.query += "&X-Amz-Signature=" + sigv4::signature(key, sigv4::string_to_sign(date, scope, creq));
        return request;
    };
    CHECK(verify(presign("300")).account_id == "000000000000");
    CHECK_THAT(failure(presign("300"), now + std::chrono::minutes(6)), Catch::StartsWith("RequestExpired (400)"));

    auto tampered = presign("300");
    tampered.query.replace(tampered.query.find("DescribeCacheSubnetGroups"), 8, "Xescribe");
    CHECK_THAT(failure(tampered), Catch::StartsWith("SignatureDoesNotMatch (403)"));
}

TEST_CASE("region names are recognised by shape", "[sigv4]")
{
    CHECK(sigv4::is_region_name("us-east-1"));
    CHECK(sigv4::is_region_name("us-gov-west-1"));
    CHECK(sigv4::is_region_name("ap-southeast-2"));
    CHECK_FALSE(sigv4::is_region_name("us-east"));
    CHECK_FALSE(sigv4::is_region_name("US-EAST-1"));
    CHECK_FALSE(sigv4::is_region_name("us--1"));
    CHECK_FALSE(sigv4::is_region_name(""));
}

TEST_CASE("a Date header may stand in for X-Amz-Date, signed like it", "[sigv4]")
{
    Signer signer;
    signer.signed_headers = "content-type;date;host";
    signer.rfc1123_date_header = true;
    CHECK(failure(signer.sign()) == "accepted");

    signer.signed_headers = "content-type;host";
    CHECK_THAT(failure(signer.sign()), Catch::Contains("'Date' must be a 'SignedHeader'"));
}
