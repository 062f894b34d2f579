#include "codec/api_error.h"
#include "codec/decode.h"
#include "codec/schema.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace keyfleet;
namespace json = boost::json;

namespace {
codec::Operation const& op(std::string_view name)
{
    auto const* found = codec::Schema::elasticache().operation(name);
    REQUIRE(found);
    return *found;
}

json::object decode(std::string_view name, std::string_view body)
{
    return codec::decode(op(name), codec::parse_form(body));
}

std::string error_code_of(std::string_view name, std::string_view body)
{
    try {
        decode(name, body);
    } catch (codec::ApiError const& e) {
        return e.code();
    }
    return "none";
}
}  // namespace

TEST_CASE("decode orders list members by index, not by position in the body", "[codec]")
{
    auto in = decode("CreateCacheSubnetGroup", "CacheSubnetGroupName=g&CacheSubnetGroupDescription=d"
                                               "&SubnetIds.SubnetIdentifier.2=b&SubnetIds.SubnetIdentifier.1=a"
                                               "&SubnetIds.SubnetIdentifier.10=c");
    CHECK(in.at("SubnetIds") == json::array{"a", "b", "c"});
}

TEST_CASE("decode accepts .member.N for lists, as AWS's own examples send", "[codec]")
{
    auto in = decode("CreateCacheSubnetGroup",
                     "CacheSubnetGroupName=g&CacheSubnetGroupDescription=d&SubnetIds.member.1=subnet-1");
    CHECK(in.at("SubnetIds") == json::array{"subnet-1"});
}

TEST_CASE("decode reads lists of structures under their locationName", "[codec]")
{
    auto in = decode("AddTagsToResource", "ResourceName=arn&Tags.Tag.1.Key=k1&Tags.Tag.1.Value=v1"
                                          "&Tags.Tag.2.Key=k2&Tags.Tag.2.Value=");
    CHECK(in.at("Tags") == json::array{json::object{{"Key", "k1"}, {"Value", "v1"}},
                                       json::object{{"Key", "k2"}, {"Value", ""}}});
}

TEST_CASE("decode turns a bare list name with an empty value into an empty list", "[codec]")
{
    auto in = decode("RemoveTagsFromResource", "ResourceName=arn&TagKeys=");
    CHECK(in.at("TagKeys") == json::array{});
}

TEST_CASE("decode percent-decodes names and values, '+' being a space", "[codec]")
{
    auto in = decode("CreateCacheSubnetGroup", "CacheSubnetGroupName=g&CacheSubnetGroupDescription=a+b%26c%3D"
                                               "&SubnetIds.SubnetIdentifier.1=s");
    CHECK(in.at("CacheSubnetGroupDescription") == "a b&c=");
}

TEST_CASE("decode converts integers, booleans and timestamps", "[codec]")
{
    auto in = decode("DescribeEvents", "MaxRecords=20&StartTime=2026-11-22T06%3A00%3A00.500Z&Duration=5");
    CHECK(in.at("MaxRecords") == 20);
    CHECK(in.at("Duration") == 5);
    CHECK(in.at("StartTime") == 1795327200500);

    auto flags = decode("DescribeCacheClusters", "ShowCacheNodeInfo=true&ShowCacheClustersNotInReplicationGroups=False");
    CHECK(flags.at("ShowCacheNodeInfo") == true);
    CHECK(flags.at("ShowCacheClustersNotInReplicationGroups") == false);
}

TEST_CASE("decode refuses values of the wrong type with InvalidParameterValue", "[codec]")
{
    CHECK(error_code_of("DescribeEvents", "MaxRecords=abc") == "InvalidParameterValue");
    CHECK(error_code_of("DescribeEvents", "MaxRecords=99999999999") == "InvalidParameterValue");
    CHECK(error_code_of("DescribeEvents", "StartTime=yesterday") == "InvalidParameterValue");
    CHECK(error_code_of("DescribeCacheClusters", "ShowCacheNodeInfo=yes") == "InvalidParameterValue");
}

TEST_CASE("decode refuses a value outside the model's enum", "[codec]")
{
    CHECK(error_code_of("DescribeEvents", "SourceType=cache-cluster") == "none");
    CHECK(error_code_of("DescribeEvents", "SourceType=cluster") == "InvalidParameterValue");
}

TEST_CASE("decode answers MissingParameter for a required member", "[codec]")
{
    CHECK(error_code_of("CreateCacheSubnetGroup", "CacheSubnetGroupName=g&SubnetIds.SubnetIdentifier.1=s") ==
          "MissingParameter");
    try {
        decode("ListTagsForResource", "");
        FAIL("no error");
    } catch (codec::ApiError const& e) {
        CHECK(e.http_status() == 400);
        CHECK(e.message() == "The request must contain the parameter ResourceName");
    }
}

TEST_CASE("decode ignores parameters the shape does not have", "[codec]")
{
    auto in = decode("ListTagsForResource", "ResourceName=x&Action=ListTagsForResource&Version=2015-02-02&Bogus=1");
    CHECK(in == json::object{{"ResourceName", "x"}});
}

TEST_CASE("decode checks list length limits from the model", "[codec]")
{
    std::string body = "UserGroupId=g&Engine=redis";
    CHECK(error_code_of("CreateUserGroup", body) == "none");
    std::string ids;
    for (int i = 1; i <= 21; ++i)
        ids += "&CacheClusterIds.member." + std::to_string(i) + "=c" + std::to_string(i);
    CHECK(error_code_of("BatchApplyUpdateAction", "ServiceUpdateName=s" + ids) == "InvalidParameterValue");
}
