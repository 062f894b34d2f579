#include "core/ids.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstring>
#include <random>
#include <stdexcept>

namespace keyfleet::core {

namespace {
constexpr char hex_digits[] = "0123456789abcdef";

std::array<unsigned char, SHA256_DIGEST_LENGTH> sha256(std::string_view seed)
{
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<unsigned char const*>(seed.data()), seed.size(), digest.data());
    return digest;
}
}  // namespace

std::string new_request_id()
{
    // Request ids must be unique, not secret: a per-thread generator seeded once
    // from OpenSSL is enough and far cheaper than RAND_bytes per request.
    thread_local std::mt19937_64 generator = [] {
        std::uint64_t seed = 0;
        if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1)
            throw std::runtime_error("RAND_bytes failed");
        return std::mt19937_64(seed);
    }();
    std::array<unsigned char, 16> bytes{};
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
        auto const word = generator();
        std::memcpy(bytes.data() + i, &word, 8);
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
    std::string id;
    id.reserve(36);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            id += '-';
        id += hex_digits[bytes[i] >> 4];
        id += hex_digits[bytes[i] & 0x0f];
    }
    return id;
}

std::string_view partition_of(std::string_view region)
{
    if (region.starts_with("cn-"))
        return "aws-cn";
    if (region.starts_with("us-gov-"))
        return "aws-us-gov";
    return "aws";
}

std::string arn(std::string_view region, std::string_view account, std::string_view kind, std::string_view id)
{
    std::string text = "arn:";
    text += partition_of(region);
    text += ":elasticache:";
    text += region;
    text += ':';
    text += account;
    text += ':';
    text += kind;
    text += ':';
    text += id;
    return text;
}

std::optional<ParsedArn> parse_arn(std::string_view text)
{
    // arn:partition:service:region:account:kind:id (the id itself may contain ':')
    std::array<std::string_view, 6> fields;
    for (auto& field : fields) {
        auto const colon = text.find(':');
        if (colon == std::string_view::npos)
            return std::nullopt;
        field = text.substr(0, colon);
        text.remove_prefix(colon + 1);
    }
    if (fields[0] != "arn" || fields[2] != "elasticache" || fields[1].empty() || fields[5].empty() ||
        text.empty())
        return std::nullopt;
    return ParsedArn{std::string(fields[1]), std::string(fields[3]), std::string(fields[4]),
                     std::string(fields[5]), std::string(text)};
}

std::string sha256_hex(std::string_view data)
{
    auto const digest = sha256(data);
    std::string text;
    text.reserve(digest.size() * 2);
    for (auto const byte : digest) {
        text += hex_digits[byte >> 4];
        text += hex_digits[byte & 0x0f];
    }
    return text;
}

std::string stable_hex(std::string_view seed, std::size_t length)
{
    auto const digest = sha256(seed);
    std::string text;
    for (std::size_t i = 0; text.size() < length && i < digest.size(); ++i) {
        text += hex_digits[digest[i] >> 4];
        text += hex_digits[digest[i] & 0x0f];
    }
    text.resize(length);
    return text;
}

std::uint64_t stable_number(std::string_view seed, std::uint64_t modulo)
{
    auto const digest = sha256(seed);
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i)
        value = (value << 8) | digest[i];
    return value % modulo;
}

}  // namespace keyfleet::core
