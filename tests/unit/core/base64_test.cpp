#include "core/base64.h"

#include <catch2/catch.hpp>

using namespace keyfleet;

TEST_CASE("markers are standard padded base64, as AWS's own", "[core]")
{
    // The Marker AWS answers DescribeEngineDefaultParameters (redis2.8, MaxRecords 25) with.
    CHECK(core::base64_encode("min-slaves-to-write") == "bWluLXNsYXZlcy10by13cml0ZQ==");
    CHECK(core::base64_decode("bWluLXNsYXZlcy10by13cml0ZQ==") == "min-slaves-to-write");
}

TEST_CASE("base64 decoding takes missing padding and the URL-safe alphabet, refuses the rest", "[core]")
{
    CHECK(core::base64_decode("bWluLXNsYXZlcy10by13cml0ZQ") == "min-slaves-to-write");
    CHECK(core::base64_decode(core::base64_encode("\xfb\xff")) == "\xfb\xff");
    CHECK(core::base64_decode("-_8") == "\xfb\xff");
    CHECK(core::base64_decode("") == "");
    CHECK_FALSE(core::base64_decode("abcde"));
    CHECK_FALSE(core::base64_decode("ab!d"));
    CHECK_FALSE(core::base64_decode("a b="));
}
