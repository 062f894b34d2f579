#include "handlers/access_string.h"

#include <catch2/catch.hpp>

using keyfleet::handlers::access_string_problem;

TEST_CASE("access strings of Redis ACL rules are accepted", "[handlers]")
{
    CHECK_FALSE(access_string_problem("on ~* +@all"));
    CHECK_FALSE(access_string_problem("on ~app::* -@all +@read +@hash -setbit"));
    CHECK_FALSE(access_string_problem("off resetkeys allkeys &chan* %R~read:* +client|id"));
    CHECK_FALSE(access_string_problem("on ~* +@all (~other:* +get)"));
}

TEST_CASE("access strings with passwords, resets or unknown rules are refused", "[handlers]")
{
    CHECK(access_string_problem("on >secret ~*"));
    CHECK(access_string_problem("on nopass ~*"));
    CHECK(access_string_problem("reset on"));
    CHECK(access_string_problem("on ~* +@nosuchcategory"));
    CHECK(access_string_problem("on ~* bogus"));
    CHECK(access_string_problem("on ~"));
    CHECK(access_string_problem(""));
    CHECK(access_string_problem("on (~x +get"));
}
