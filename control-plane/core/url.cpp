#include "core/url.h"

namespace keyfleet::core {

namespace {
int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
}  // namespace

std::string uri_encode(std::string_view text, bool encode_slash)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string encoded;
    encoded.reserve(text.size());
    for (char const c : text) {
        auto const u = static_cast<unsigned char>(c);
        bool const unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
                                u == '-' || u == '_' || u == '.' || u == '~';
        if (unreserved || (u == '/' && !encode_slash)) {
            encoded += c;
        } else {
            encoded += '%';
            encoded += hex[u >> 4];
            encoded += hex[u & 0x0f];
        }
    }
    return encoded;
}

std::string url_decode(std::string_view text, bool plus_is_space)
{
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        if (c == '%' && i + 2 < text.size()) {
            int const high = hex_value(text[i + 1]);
            int const low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                decoded += static_cast<char>(high * 16 + low);
                i += 2;
                continue;
            }
        }
        decoded += (c == '+' && plus_is_space) ? ' ' : c;
    }
    return decoded;
}

std::vector<std::pair<std::string_view, std::string_view>> split_query(std::string_view query)
{
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    while (!query.empty()) {
        auto const amp = query.find('&');
        auto const part = query.substr(0, amp);
        if (!part.empty()) {
            auto const eq = part.find('=');
            if (eq == std::string_view::npos)
                pairs.emplace_back(part, std::string_view{});
            else
                pairs.emplace_back(part.substr(0, eq), part.substr(eq + 1));
        }
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return pairs;
}

}  // namespace keyfleet::core
