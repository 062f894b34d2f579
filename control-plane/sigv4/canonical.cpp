#include "sigv4/canonical.h"

#include "core/ids.h"
#include "core/strings.h"
#include "core/url.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <map>

namespace keyfleet::sigv4 {

namespace {

std::string hex(unsigned char const* data, std::size_t size)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        text += digits[data[i] >> 4];
        text += digits[data[i] & 0x0f];
    }
    return text;
}

std::string hmac(std::string_view key, std::string_view data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<unsigned char const*>(data.data()),
         data.size(), digest, &length);
    return std::string(reinterpret_cast<char const*>(digest), length);
}

// Collapses runs of spaces into one and trims the ends (SigV4's "Trimall").
std::string trim_all(std::string_view value)
{
    std::string folded;
    bool in_space = false;
    for (char c : core::trim(value)) {
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        if (c == ' ') {
            if (!in_space)
                folded += ' ';
            in_space = true;
        } else {
            folded += c;
            in_space = false;
        }
    }
    return folded;
}

}  // namespace

std::string canonical_uri(std::string_view wire_path)
{
    std::vector<std::string_view> segments;
    std::string_view rest = wire_path;
    while (!rest.empty()) {
        auto const slash = rest.find('/');
        auto const segment = rest.substr(0, slash);
        if (segment == "..") {
            if (!segments.empty())
                segments.pop_back();
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        if (slash == std::string_view::npos)
            break;
        rest.remove_prefix(slash + 1);
    }
    std::string path;
    for (auto const segment : segments) {
        path += '/';
        path += core::uri_encode(segment);
    }
    auto const last = wire_path.empty() ? std::string_view{} : wire_path.substr(wire_path.rfind('/') + 1);
    bool const ends_with_slash = wire_path.ends_with('/') || last == "." || last == "..";
    if (path.empty() || (ends_with_slash && !segments.empty()))
        path += '/';
    return path;
}

std::string canonical_query(std::string_view raw_query, std::string_view excluded, bool plus_is_space)
{
    std::vector<std::pair<std::string, std::string>> pairs;
    for (auto const& [name, value] : core::split_query(raw_query)) {
        auto decoded_name = core::url_decode(name, plus_is_space);
        if (!excluded.empty() && decoded_name == excluded)
            continue;
        pairs.emplace_back(core::uri_encode(decoded_name), core::uri_encode(core::url_decode(value, plus_is_space)));
    }
    std::ranges::sort(pairs);
    std::string query;
    for (auto const& [name, value] : pairs) {
        if (!query.empty())
            query += '&';
        query += name;
        query += '=';
        query += value;
    }
    return query;
}

std::string canonical_headers(Headers const& headers, std::string_view signed_headers)
{
    // Repeated headers keep their order of arrival, joined with ','.
    std::map<std::string, std::string, std::less<>> by_name;
    for (auto const& [name, value] : headers) {
        auto [slot, first] = by_name.try_emplace(core::to_lower(name));
        if (!first)
            slot->second += ',';
        slot->second += trim_all(value);
    }
    std::string canonical;
    std::string_view rest = signed_headers;
    while (!rest.empty()) {
        auto const semicolon = rest.find(';');
        auto const name = rest.substr(0, semicolon);
        canonical += name;
        canonical += ':';
        if (auto const found = by_name.find(name); found != by_name.end())
            canonical += found->second;
        canonical += '\n';
        if (semicolon == std::string_view::npos)
            break;
        rest.remove_prefix(semicolon + 1);
    }
    return canonical;
}

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_hash)
{
    std::string request;
    request.reserve(method.size() + canonical_uri.size() + canonical_query.size() + canonical_headers.size() +
                    signed_headers.size() + payload_hash.size() + 8);
    request.append(method).append("\n");
    request.append(canonical_uri).append("\n");
    request.append(canonical_query).append("\n");
    request.append(canonical_headers).append("\n");
    request.append(signed_headers).append("\n");
    request.append(payload_hash);
    return request;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request)
{
    std::string text = "AWS4-HMAC-SHA256\n";
    text.append(amz_date).append("\n");
    text.append(scope).append("\n");
    text.append(core::sha256_hex(canonical_request));
    return text;
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service)
{
    auto const k_date = hmac("AWS4" + std::string(secret), date);
    auto const k_region = hmac(k_date, region);
    auto const k_service = hmac(k_region, service);
    return hmac(k_service, "aws4_request");
}

std::string signature(std::string_view key, std::string_view string_to_sign)
{
    auto const mac = hmac(key, string_to_sign);
    return hex(reinterpret_cast<unsigned char const*>(mac.data()), mac.size());
}

bool equal_constant_time(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace keyfleet::sigv4
