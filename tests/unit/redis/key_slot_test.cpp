// Key slots as redis-server's CLUSTER KEYSLOT answers them (values taken from redis-server 7.0).
#include "redis/client.h"

#include <catch2/catch.hpp>

using keyfleet::redis::key_slot;

TEST_CASE("a key's slot is CRC16 of the key, or of its hash tag, modulo 16384", "[redis]")
{
    CHECK(key_slot("foo") == 12182);
    CHECK(key_slot("bar") == 5061);
    CHECK(key_slot("hello") == 866);
    CHECK(key_slot("somekey") == 11058);
    CHECK(key_slot("key:999999") == 9117);
    CHECK(key_slot("") == 0);
    // Hash tags: the text in the first {...} when not empty.
    CHECK(key_slot("{user1000}.following") == 3443);
    CHECK(key_slot("user1000") == 3443);
    CHECK(key_slot("a{b}c") == 3300);
    CHECK(key_slot("{}x") == 10595);  // an empty tag: the whole key
    CHECK(key_slot("{") == 4092);
}
