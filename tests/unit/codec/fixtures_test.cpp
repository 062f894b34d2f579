// For every operation of the model: the body botocore (the aws CLI) sends for
// an input with every member set decodes to exactly that input.
#include "codec/decode.h"
#include "codec/schema.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace keyfleet;
namespace json = boost::json;

TEST_CASE("every operation's botocore-serialized body decodes to the input it came from", "[codec]")
{
    std::ifstream in(std::string(KEYFLEET_SOURCE_DIR) + "/tests/unit/codec/fixtures/operations.json");
    REQUIRE(in);
    std::string const text{std::istreambuf_iterator<char>(in), {}};
    auto const fixtures = json::parse(text).at("operations").as_array();
    auto const& schema = codec::Schema::elasticache();
    CHECK(fixtures.size() == schema.operations().size());
    for (auto const& item : fixtures) {
        auto const& fixture = item.as_object();
        auto const name = std::string(fixture.at("operation").as_string());
        DYNAMIC_SECTION(name)
        {
            auto const* op = schema.operation(name);
            REQUIRE(op);
            auto const decoded = codec::decode(*op, codec::parse_form(fixture.at("body").as_string()));
            auto const& expected = fixture.at("input").as_object();
            INFO("decoded:  " << json::serialize(decoded));
            INFO("expected: " << json::serialize(expected));
            CHECK(decoded == expected);
        }
    }
}
