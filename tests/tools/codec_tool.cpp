// Encodes every fixture output (tests/unit/codec/fixtures/operations.json) with
// keyfleet's codec and prints {"Operation": "<xml>", ...} plus one error, for
// tests/codec/botocore_roundtrip.py to parse back with botocore.
#include "codec/api_error.h"
#include "codec/encode.h"
#include "codec/schema.h"

#include <boost/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>

using namespace keyfleet;
namespace json = boost::json;

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: codec_tool FIXTURES.json\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    std::string const text{std::istreambuf_iterator<char>(in), {}};
    auto const fixtures = json::parse(text).as_object();
    auto const& schema = codec::Schema::elasticache();
    json::object encoded;
    for (auto const& item : fixtures.at("operations").as_array()) {
        auto const& fixture = item.as_object();
        auto const name = fixture.at("operation").as_string();
        auto const* op = schema.operation(name);
        json::object output;
        if (auto const* o = fixture.if_contains("output"))
            output = o->as_object();
        encoded[name] = codec::encode_response(schema, *op, output, "request-id-1");
    }
    auto const error = codec::ApiError::from_model("CacheSubnetGroupNotFoundFault", "Cache subnet group <x> & y not found.");
    encoded["error"] = codec::encode_error(schema, error, "request-id-2");
    std::cout << json::serialize(encoded) << "\n";
    return 0;
}
