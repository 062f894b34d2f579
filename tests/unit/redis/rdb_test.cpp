// Splitting RDB files by slot. The fixture was written by redis-server 7.0 (SAVE):
// 16 keys in database 0 of every type and encoding (an integer-named key, an
// LZF-compressed key name and value, an expiry, listpacks and their large
// forms, a stream with a consumer group and a pending entry), a function
// library, and one key in database 3.
#include "redis/client.h"
#include "redis/rdb.h"

#include "core/files.h"

#include <catch2/catch.hpp>

#include <map>
#include <set>

using keyfleet::redis::crc64;
using keyfleet::redis::key_slot;
using keyfleet::redis::RdbError;
using keyfleet::redis::split_rdb;

namespace {

std::string fixture() { return keyfleet::core::read_file(KEYFLEET_SOURCE_DIR "/tests/unit/redis/fixtures/every_type.rdb"); }

std::size_t by_slot(std::string_view key) { return std::size_t(key_slot(key)) % 3; }

// The keys of a file, as splitting it again reads them.
std::multiset<std::string> keys_of(std::string_view file)
{
    std::multiset<std::string> keys;
    split_rdb({{file}}, 1, [&](std::string_view key) { keys.insert(std::string(key)); return std::size_t(0); }, false);
    return keys;
}

}  // namespace

TEST_CASE("Redis's CRC-64 matches its check value", "[redis]")
{
    CHECK(crc64("123456789") == 0xe9c6d914c4b8d9caULL);
    CHECK(crc64("") == 0);
}

TEST_CASE("an RDB file splits by slot into files holding each key once", "[redis]")
{
    auto const file = fixture();
    auto const split = split_rdb({{file}}, 3, by_slot, true);
    CHECK(split.keys == 16);
    CHECK(split.dropped_keys == 1);
    REQUIRE(split.parts.size() == 3);
    std::multiset<std::string> all;
    for (std::size_t index = 0; index < 3; ++index) {
        auto const& part = split.parts[index];
        CHECK(part.starts_with("REDIS0010"));
        // No checksum: redis-server's "checksum disabled".
        CHECK(part.ends_with(std::string("\xff\0\0\0\0\0\0\0\0", 9)));
        // Functions go to every part; the replication id to none.
        CHECK(part.find("fixturelib") != std::string::npos);
        CHECK(part.find("repl-id") == std::string::npos);
        for (auto const& key : keys_of(part)) {
            CHECK(by_slot(key) == index);
            all.insert(key);
        }
    }
    CHECK(all == std::multiset<std::string>{"12345", "a-long-key-name-that-compresses-well-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                            "big", "bighash", "bigintset", "biglist", "bigzset", "counter", "hash",
                                            "intset", "list", "plain", "set", "stream", "ttl-key", "zset"});
    // Values and expiry times are copied byte for byte: one part of everything is the original's records.
    auto const whole = split_rdb({{file}}, 1, [](std::string_view) { return std::size_t(0); }, true).parts.front();
    CHECK(whole.find("\xfc") != std::string::npos);  // the expiry record of ttl-key
    CHECK(whole.size() < file.size());                // without database 3 and the replication fields
}

TEST_CASE("other databases are kept, each behind its SELECTDB, unless only database 0 is", "[redis]")
{
    auto const file = fixture();
    auto const split = split_rdb({{file}}, 2, [](std::string_view key) { return std::size_t(key == "other-db"); }, false);
    CHECK(split.keys == 17);
    CHECK(split.dropped_keys == 0);
    CHECK(keys_of(split.parts[1]) == std::multiset<std::string>{"other-db"});
    CHECK(split.parts[1].find(std::string("\xfe\x03", 2)) != std::string::npos);
}

TEST_CASE("a file that cannot be read with certainty is refused", "[redis]")
{
    auto const file = fixture();
    auto const refused = [](std::string const& bytes) {
        CHECK_THROWS_AS(split_rdb({{bytes}}, 3, by_slot, true), RdbError);
    };
    refused(file.substr(0, file.size() - 20));  // truncated
    auto flipped = file;
    flipped[file.size() / 2] = char(flipped[file.size() / 2] ^ 0x01);
    refused(flipped);  // the checksum no longer matches
    refused("REDIS0010not-an-rdb-file");
    refused("REDIS0012" + file.substr(9));  // a newer format
    refused("not an rdb file at all");
    refused(file + "trailing");
    // The same key in two files.
    CHECK_THROWS_AS(split_rdb({{file}, {file}}, 3, by_slot, true), RdbError);
    // A file known good already (a snapshot's SHA-256) is not checksummed again.
    auto wrong_sum = file;
    wrong_sum.back() = char(wrong_sum.back() ^ 0x01);
    refused(wrong_sum);
    CHECK_NOTHROW(split_rdb({{wrong_sum, true}}, 3, by_slot, true));
}
