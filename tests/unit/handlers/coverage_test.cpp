// docs/API_COVERAGE.md tells the truth: it lists every operation of the model
// with the state the router's registry gives it.
#include "codec/schema.h"
#include "handlers/registry.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

using namespace keyfleet;

namespace {
std::string trim(std::string text)
{
    auto const first = text.find_first_not_of(' ');
    auto const last = text.find_last_not_of(' ');
    return first == std::string::npos ? "" : text.substr(first, last - first + 1);
}
}  // namespace

TEST_CASE("the registry routes every operation of the model and nothing else", "[handlers]")
{
    auto const& registry = handlers::registry();
    auto const operations = codec::Schema::elasticache().operations();
    CHECK(registry.size() == operations.size());
    for (auto const* op : operations) {
        INFO(op->name);
        auto const found = registry.find(op->name);
        REQUIRE(found != registry.end());
        CHECK((found->second.handler != nullptr || !found->second.awaiting.empty()));
    }
}

TEST_CASE("docs/API_COVERAGE.md lists every operation with the registry's state", "[handlers]")
{
    std::ifstream in(std::string(KEYFLEET_SOURCE_DIR) + "/docs/API_COVERAGE.md");
    REQUIRE(in);
    struct Row {
        std::string state, awaits;
    };
    std::map<std::string, Row> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.starts_with("| ") || line.starts_with("| Operation") || line.starts_with("|---"))
            continue;
        std::vector<std::string> cells;
        std::stringstream fields(line.substr(1));
        std::string cell;
        while (std::getline(fields, cell, '|'))
            cells.push_back(trim(cell));
        REQUIRE(cells.size() >= 3);
        rows[cells[0]] = {cells[1], cells[2]};
    }
    auto const& registry = handlers::registry();
    CHECK(rows.size() == registry.size());
    for (auto const& [name, entry] : registry) {
        INFO(name);
        auto const found = rows.find(std::string(name));
        REQUIRE(found != rows.end());
        if (entry.handler) {
            CHECK(found->second.state == "implemented");
        } else {
            CHECK(found->second.state == "not yet");
            CHECK(found->second.awaits == entry.awaiting);
        }
    }
}
