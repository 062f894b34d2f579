// The published AWS SigV4 test suite (vectors/): for every case our canonical
// request, string to sign and signature equal AWS's, byte for byte.
#include "core/ids.h"
#include "sigv4/canonical.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace keyfleet;
namespace fs = std::filesystem;

namespace {

fs::path const vectors_dir = fs::path(KEYFLEET_SOURCE_DIR) / "tests/unit/sigv4/vectors";

std::string read(fs::path const& path)
{
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), {}};
}

struct RawRequest {
    std::string method, path, query, body;
    sigv4::Headers headers;
};

// Request line, headers (an indented line continues the previous header as
// another value, which canonicalization joins with ','), blank line, body.
RawRequest parse_req(std::string const& text)
{
    RawRequest request;
    auto const head_end = text.find("\n\n");
    auto const head = text.substr(0, head_end);
    if (head_end != std::string::npos)
        request.body = text.substr(head_end + 2);
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, line);
    auto const first_space = line.find(' ');
    auto const last_space = line.rfind(' ');
    request.method = line.substr(0, first_space);
    auto const target = line.substr(first_space + 1, last_space - first_space - 1);
    auto const question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos)
        request.query = target.substr(question + 1);
    while (std::getline(lines, line)) {
        if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            request.headers.emplace_back(request.headers.back().first, line);
            continue;
        }
        auto const colon = line.find(':');
        request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    return request;
}

std::string field(std::string const& authorization, std::string const& name)
{
    auto const start = authorization.find(name + "=") + name.size() + 1;
    auto const end = authorization.find(',', start);
    return authorization.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

TEST_CASE("every published SigV4 test vector canonicalizes and signs as AWS does", "[sigv4]")
{
    REQUIRE(fs::is_directory(vectors_dir));
    int cases = 0;
    for (auto const& entry : fs::directory_iterator(vectors_dir)) {
        if (!entry.is_directory())
            continue;
        auto const name = entry.path().filename().string();
        auto const base = entry.path() / name;
        DYNAMIC_SECTION(name)
        {
            auto const request = parse_req(read(base.string() + ".req"));
            auto const authorization = read(base.string() + ".authz");
            auto const signed_headers = field(authorization, "SignedHeaders");

            auto const creq = sigv4::canonical_request(
                request.method, sigv4::canonical_uri(request.path), sigv4::canonical_query(request.query),
                sigv4::canonical_headers(request.headers, signed_headers), signed_headers,
                core::sha256_hex(request.body));
            CHECK(creq == read(base.string() + ".creq"));

            auto const sts =
                sigv4::string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq);
            CHECK(sts == read(base.string() + ".sts"));

            auto const key =
                sigv4::signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service");
            CHECK(sigv4::signature(key, sts) == field(authorization, "Signature"));
        }
        ++cases;
    }
    CHECK(cases >= 30);
}

TEST_CASE("canonical_uri removes dot segments and repeated slashes and encodes each segment", "[sigv4]")
{
    CHECK(sigv4::canonical_uri("") == "/");
    CHECK(sigv4::canonical_uri("/") == "/");
    CHECK(sigv4::canonical_uri("/a/./b/../c") == "/a/c");
    CHECK(sigv4::canonical_uri("//a//b//") == "/a/b/");
    CHECK(sigv4::canonical_uri("/a%20b") == "/a%2520b");  // the wire form is encoded once more
}

TEST_CASE("canonical_query sorts by name then value and can drop the signature", "[sigv4]")
{
    CHECK(sigv4::canonical_query("b=2&a=2&a=1") == "a=1&a=2&b=2");
    CHECK(sigv4::canonical_query("x=a%2Fb&y=c d") == "x=a%2Fb&y=c%20d");
    CHECK(sigv4::canonical_query("a=1&X-Amz-Signature=abc", "X-Amz-Signature") == "a=1");
    CHECK(sigv4::canonical_query("flag") == "flag=");
    CHECK(sigv4::canonical_query("a=b+c") == "a=b%2Bc");
    CHECK(sigv4::canonical_query("a=b+c", "", true) == "a=b%20c");
}
