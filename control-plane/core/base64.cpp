#include "core/base64.h"

#include <openssl/evp.h>

#include <cctype>

namespace keyfleet::core {

std::string base64_encode(std::string_view data)
{
    std::string encoded(4 * ((data.size() + 2) / 3), '\0');
    auto const written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                         reinterpret_cast<unsigned char const*>(data.data()), int(data.size()));
    encoded.resize(std::size_t(written));
    return encoded;
}

std::optional<std::string> base64_decode(std::string_view text)
{
    while (!text.empty() && text.back() == '=')
        text.remove_suffix(1);
    if (text.size() % 4 == 1)
        return std::nullopt;
    std::string standard(text);
    for (auto& c : standard) {
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/')
            return std::nullopt;
    }
    // EVP_DecodeBlock wants whole quanta and counts padding as zero bytes.
    std::size_t padding = 0;
    while (standard.size() % 4) {
        standard += '=';
        ++padding;
    }
    std::string decoded(standard.size() / 4 * 3, '\0');
    auto const written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                         reinterpret_cast<unsigned char const*>(standard.data()), int(standard.size()));
    if (written < 0)
        return std::nullopt;
    decoded.resize(std::size_t(written) - padding);
    return decoded;
}

}  // namespace keyfleet::core
