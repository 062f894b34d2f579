#include "codec/api_error.h"
#include "codec/encode.h"
#include "codec/schema.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace keyfleet;
namespace json = boost::json;

namespace {
std::string encode(std::string_view operation, json::object const& output)
{
    auto const& schema = codec::Schema::elasticache();
    return codec::encode_response(schema, *schema.operation(operation), output, "rid");
}
}  // namespace

TEST_CASE("encode wraps the result and metadata in the model's element names", "[codec]")
{
    auto const xml = encode("ListTagsForResource", {{"TagList", json::array{json::object{{"Key", "k"}, {"Value", "v"}}}}});
    CHECK(xml == "<ListTagsForResourceResponse xmlns=\"http://elasticache.amazonaws.com/doc/2015-02-02/\">"
                 "<ListTagsForResourceResult><TagList><Tag><Key>k</Key><Value>v</Value></Tag></TagList>"
                 "</ListTagsForResourceResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>"
                 "</ListTagsForResourceResponse>");
}

TEST_CASE("encode names list items after the list member's locationName, else member", "[codec]")
{
    auto const xml = encode("CreateCacheSubnetGroup",
                            {{"CacheSubnetGroup",
                              json::object{{"Subnets", json::array{json::object{
                                                           {"SubnetIdentifier", "subnet-1"},
                                                           {"SubnetAvailabilityZone", json::object{{"Name", "us-east-1a"}}},
                                                           {"SupportedNetworkTypes", json::array{"ipv4"}}}}}}}});
    CHECK_THAT(xml, Catch::Contains("<Subnets><Subnet><SubnetIdentifier>subnet-1</SubnetIdentifier>"
                                    "<SubnetAvailabilityZone><Name>us-east-1a</Name></SubnetAvailabilityZone>"
                                    "<SupportedNetworkTypes><member>ipv4</member></SupportedNetworkTypes>"
                                    "</Subnet></Subnets>"));
}

TEST_CASE("encode writes an operation without output as metadata only", "[codec]")
{
    CHECK(encode("DeleteCacheSubnetGroup", {}) ==
          "<DeleteCacheSubnetGroupResponse xmlns=\"http://elasticache.amazonaws.com/doc/2015-02-02/\">"
          "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></DeleteCacheSubnetGroupResponse>");
}

TEST_CASE("encode escapes text and writes timestamps as ISO-8601 with milliseconds", "[codec]")
{
    auto const xml = encode("DescribeEvents", {{"Events", json::array{json::object{{"Message", "a<b & \"c\""},
                                                                                  {"Date", 1795327920123}}}}});
    CHECK_THAT(xml, Catch::Contains("<Message>a&lt;b &amp; \"c\"</Message><Date>2026-11-22T06:12:00.123Z</Date>"));
}

TEST_CASE("encode refuses members and types the shape does not have: our bug, not the caller's", "[codec]")
{
    CHECK_THROWS_AS(encode("ListTagsForResource", {{"Tags", json::array{}}}), std::logic_error);
    CHECK_THROWS_AS(encode("DescribeEvents", {{"Marker", 5}}), std::logic_error);
}

TEST_CASE("encode reports a value outside its member's enum, with the member's path, and still writes it", "[codec]")
{
    auto const& schema = codec::Schema::elasticache();
    std::vector<std::string> seen;
    auto const collect = [&](codec::Operation const& op, codec::EnumViolation const& v) {
        seen.push_back(op.name + " " + v.member_path + " " + v.value + " " + v.shape);
    };
    json::object const updates{{"ServiceUpdates", json::array{json::object{{"ServiceUpdateType", "security-update"}},
                                                             json::object{{"ServiceUpdateType", "engine-update"},
                                                                          {"ServiceUpdateStatus", "available"}}}}};
    auto const xml = codec::encode_response(schema, *schema.operation("DescribeServiceUpdates"), updates, "rid", collect);
    CHECK_THAT(xml, Catch::Contains("<ServiceUpdateType>engine-update</ServiceUpdateType>"));
    CHECK(seen == std::vector<std::string>{
                      "DescribeServiceUpdates ServiceUpdates[1].ServiceUpdateType engine-update ServiceUpdateType"});

    // Items of a list of enum values are checked one by one.
    seen.clear();
    codec::encode_response(schema, *schema.operation("CreateCacheSubnetGroup"),
                           {{"CacheSubnetGroup",
                             json::object{{"Subnets", json::array{json::object{
                                                          {"SupportedNetworkTypes", json::array{"ipv4", "ipv5"}}}}}}}},
                           "rid", collect);
    CHECK(seen == std::vector<std::string>{
                      "CreateCacheSubnetGroup CacheSubnetGroup.Subnets[0].SupportedNetworkTypes[1] ipv5 NetworkType"});

    seen.clear();
    codec::encode_response(schema, *schema.operation("DescribeServiceUpdates"),
                           {{"ServiceUpdates", json::array{json::object{{"ServiceUpdateSeverity", "critical"}}}}}, "rid",
                           collect);
    CHECK(seen.empty());
}

TEST_CASE("an error renders once with its model code, status and fault side", "[codec]")
{
    auto const& schema = codec::Schema::elasticache();
    auto const not_found = codec::ApiError::from_model("CacheClusterNotFoundFault", "Cache cluster x not found.");
    CHECK(not_found.code() == "CacheClusterNotFound");
    CHECK(not_found.http_status() == 404);
    CHECK(codec::encode_error(schema, not_found, "rid") ==
          "<ErrorResponse xmlns=\"http://elasticache.amazonaws.com/doc/2015-02-02/\"><Error><Type>Sender</Type>"
          "<Code>CacheClusterNotFound</Code><Message>Cache cluster x not found.</Message></Error>"
          "<RequestId>rid</RequestId></ErrorResponse>");

    CHECK(codec::ApiError::from_model("CacheSubnetGroupNotFoundFault", "").http_status() == 400);
    CHECK(codec::ApiError::from_model("CacheSecurityGroupQuotaExceededFault", "").code() ==
          "QuotaExceeded.CacheSecurityGroup");
    CHECK(codec::ApiError::from_model("InvalidParameterValue", "").http_status() == 400);
    CHECK(codec::ApiError::from_model("MissingParameter", "").http_status() == 400);
    auto const internal = codec::ApiError::from_model("InternalFailure", "x");
    CHECK(internal.http_status() == 500);
    CHECK_THAT(codec::encode_error(schema, internal, "rid"), Catch::Contains("<Type>Receiver</Type>"));
    CHECK_THROWS_AS(codec::ApiError::from_model("NoSuchErrorAnywhere", ""), std::logic_error);
}

TEST_CASE("the embedded schema has all 75 operations of 2015-02-02", "[codec]")
{
    auto const& schema = codec::Schema::elasticache();
    CHECK(schema.api_version() == "2015-02-02");
    CHECK(schema.operations().size() == 75);
    auto const* op = schema.operation("CreateCacheSubnetGroup");
    REQUIRE(op);
    CHECK(op->result_wrapper == "CreateCacheSubnetGroupResult");
    CHECK(op->input->member("SubnetIds")->shape->list_member->wire_name == "SubnetIdentifier");
    CHECK(op->input->member("CacheSubnetGroupName")->required);
}
