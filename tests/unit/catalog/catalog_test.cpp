#include "catalog/catalog.h"
#include "codec/encode.h"
#include "codec/schema.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace keyfleet;

namespace {
catalog::Parameter const& parameter(std::string_view family, std::string_view name)
{
    auto const* f = catalog::Catalog::get().family(family);
    REQUIRE(f);
    auto const* p = f->parameter(name);
    REQUIRE(p);
    return *p;
}
}  // namespace

TEST_CASE("the catalog has every parameter group family AWS offers for redis, valkey and memcached", "[catalog]")
{
    auto const& catalog = catalog::Catalog::get();
    for (auto const* name : {"redis2.6", "redis2.8", "redis3.2", "redis4.0", "redis5.0", "redis6.x", "redis7", "valkey7",
                             "valkey8", "memcached1.4", "memcached1.5", "memcached1.6"})
        CHECK(catalog.family(name));
    CHECK(catalog.family("redis7")->has_cluster_mode());
    CHECK_FALSE(catalog.family("redis2.8")->has_cluster_mode());
    CHECK_FALSE(catalog.family("memcached1.6")->has_cluster_mode());
    CHECK(parameter("redis7", "maxmemory-policy").default_value == "volatile-lru");
}

TEST_CASE("every engine version names a family the catalog has, and each engine has one default", "[catalog]")
{
    auto const& catalog = catalog::Catalog::get();
    std::map<std::string, int> defaults;
    for (auto const& version : catalog.engine_versions) {
        INFO(version.engine << " " << version.version);
        CHECK(catalog.family(version.family));
        defaults[version.engine] += version.is_default ? 1 : 0;
    }
    CHECK(defaults == std::map<std::string, int>{{"memcached", 1}, {"redis", 1}, {"valkey", 1}});
    CHECK(catalog.engine_version("redis", "")->version == "7.1");
    CHECK(catalog.engine_version("redis", "6.x")->actual_version == "6.2.6");
    CHECK(catalog.engine_version("redis", "9.9") == nullptr);
}

TEST_CASE("node types carry memory and the engines they run", "[catalog]")
{
    auto const* micro = catalog::Catalog::get().node_type("cache.t3.micro");
    REQUIRE(micro);
    CHECK(micro->maxmemory_bytes > 0);
    CHECK(micro->engines.contains("redis"));
    auto const allowed = catalog::allowed_modifications(catalog::Catalog::get(), *micro, "redis");
    CHECK(std::ranges::find(allowed.scale_up, "cache.t3.small") != allowed.scale_up.end());
    CHECK(std::ranges::find(allowed.scale_up, "cache.r6gd.xlarge") == allowed.scale_up.end());  // data tiering
    CHECK(std::ranges::is_sorted(allowed.scale_up));
}

TEST_CASE("value_problem checks integers against AllowedValues ranges and lists", "[catalog]")
{
    auto const& timeout = parameter("redis7", "timeout");  // 0,20-
    CHECK_FALSE(catalog::value_problem(timeout, "0"));
    CHECK_FALSE(catalog::value_problem(timeout, "300"));
    CHECK(catalog::value_problem(timeout, "10"));
    CHECK(catalog::value_problem(timeout, "abc"));
    CHECK(catalog::value_problem(timeout, "30.5"));
    auto const& compress = parameter("redis7", "list-compress-depth");  // 0-
    CHECK_FALSE(catalog::value_problem(compress, "3"));
    CHECK(catalog::value_problem(compress, "-1"));
}

TEST_CASE("value_problem checks strings against their allowed list", "[catalog]")
{
    auto const& policy = parameter("redis7", "maxmemory-policy");
    CHECK_FALSE(catalog::value_problem(policy, "allkeys-lru"));
    CHECK(*catalog::value_problem(policy, "everything") ==
          "Value everything is not allowed for parameter maxmemory-policy. Allowed values: " + policy.allowed_values);
    auto const& events = parameter("redis7", "notify-keyspace-events");  // free text
    CHECK_FALSE(catalog::value_problem(events, "Ex"));
}

TEST_CASE("every catalog entry encodes as the model's shapes", "[catalog]")
{
    auto const& catalog = catalog::Catalog::get();
    for (auto const& offering : catalog.reserved_offerings)
        CHECK_FALSE(offering.contains("approximate"));
    for (auto const& update : catalog.service_updates)
        CHECK(update.contains("ServiceUpdateName"));

    // As the handlers answer them: whole, every enum-typed member one of the model's values.
    auto const& schema = codec::Schema::elasticache();
    std::vector<std::string> violations;
    auto const collect = [&](codec::Operation const&, codec::EnumViolation const& v) {
        violations.push_back(v.member_path + " '" + v.value + "' not in " + v.shape);
    };
    auto const list = [](std::vector<boost::json::object> const& entries) {
        return boost::json::array(entries.begin(), entries.end());
    };
    CHECK_NOTHROW(codec::encode_response(schema, *schema.operation("DescribeServiceUpdates"),
                                         {{"ServiceUpdates", list(catalog.service_updates)}}, "rid", collect));
    CHECK_NOTHROW(codec::encode_response(schema, *schema.operation("DescribeReservedCacheNodesOfferings"),
                                         {{"ReservedCacheNodesOfferings", list(catalog.reserved_offerings)}}, "rid",
                                         collect));
    CHECK(violations == std::vector<std::string>{});
}
