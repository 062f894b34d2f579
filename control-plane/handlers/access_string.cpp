#include "handlers/access_string.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace keyfleet::handlers {

namespace {

// Redis 7's ACL categories (ACL CAT).
constexpr std::array<std::string_view, 22> categories{
    "all",     "keyspace",  "read",     "write",       "set",       "sortedset", "list",      "hash",
    "string",  "bitmap",    "hyperloglog", "geo",      "stream",    "pubsub",    "admin",     "fast",
    "slow",    "blocking",  "dangerous",   "connection", "transaction", "scripting"};

bool command_name(std::string_view name)
{
    // A command, or command|subcommand, as ACL rules write them.
    return !name.empty() && std::ranges::all_of(name, [](unsigned char c) {
        return std::isalnum(c) || c == '|' || c == '-' || c == '_' || c == '.';
    });
}

std::optional<std::string> rule_problem(std::string_view rule)
{
    auto const bad = [&](std::string_view why) { return "Invalid access string rule '" + std::string(rule) + "': " + std::string(why) + "."; };
    if (rule == "on" || rule == "off" || rule == "allkeys" || rule == "allchannels" || rule == "allcommands" ||
        rule == "nocommands" || rule == "resetkeys" || rule == "resetchannels")
        return std::nullopt;
    if (rule == "nopass" || rule == "resetpass" || rule == "reset" || rule.starts_with('>') || rule.starts_with('<') ||
        rule.starts_with('#') || rule.starts_with('!'))
        return bad("passwords and resets are set through the user's authentication, not its access string");
    if (rule.starts_with('~') || rule.starts_with('&'))
        return rule.size() > 1 ? std::nullopt : std::optional<std::string>(bad("a pattern must follow"));
    if (rule.starts_with("%R~") || rule.starts_with("%W~") || rule.starts_with("%RW~"))
        return rule.back() != '~' ? std::nullopt : std::optional<std::string>(bad("a pattern must follow"));
    if (rule.starts_with("+@") || rule.starts_with("-@")) {
        auto const category = rule.substr(2);
        if (std::ranges::find(categories, category) == categories.end())
            return bad("unknown command category");
        return std::nullopt;
    }
    if ((rule.starts_with('+') || rule.starts_with('-')) && command_name(rule.substr(1)))
        return std::nullopt;
    return bad("not an ACL rule");
}

}  // namespace

std::optional<std::string> access_string_problem(std::string_view access_string)
{
    std::vector<std::string_view> rules;
    int depth = 0;
    for (std::string_view rest = access_string; !rest.empty();) {
        auto const space = rest.find(' ');
        auto token = rest.substr(0, space);
        // Selectors, "(~key +get)", hold rules of their own.
        while (token.starts_with('(')) {
            ++depth;
            token.remove_prefix(1);
        }
        while (token.ends_with(')')) {
            if (--depth < 0)
                return "Invalid access string: unbalanced parentheses.";
            token.remove_suffix(1);
        }
        if (!token.empty())
            rules.push_back(token);
        if (space == std::string_view::npos)
            break;
        rest.remove_prefix(space + 1);
    }
    if (depth != 0)
        return "Invalid access string: unbalanced parentheses.";
    if (rules.empty())
        return "The access string must not be empty.";
    for (auto const rule : rules)
        if (auto problem = rule_problem(rule))
            return problem;
    return std::nullopt;
}

}  // namespace keyfleet::handlers
