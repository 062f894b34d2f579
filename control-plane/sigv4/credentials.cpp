#include "sigv4/credentials.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace keyfleet::sigv4 {

CredentialStore CredentialStore::with_default()
{
    CredentialStore store;
    store.add({"test", "test", "000000000000"});
    return store;
}

void CredentialStore::load_file(std::filesystem::path const& path)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read credentials file " + path.string());
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        std::istringstream fields(line);
        Credential credential;
        if (!(fields >> credential.access_key_id) || credential.access_key_id.starts_with('#'))
            continue;
        std::string extra;
        bool const complete = bool(fields >> credential.secret_access_key >> credential.account_id);
        if (!complete || (fields >> extra) || credential.account_id.size() != 12 ||
            !std::ranges::all_of(credential.account_id, [](unsigned char c) { return std::isdigit(c); }))
            throw std::runtime_error(path.string() + ":" + std::to_string(number) +
                                     ": expected ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID (12 digits)");
        add(std::move(credential));
    }
}

void CredentialStore::add(Credential credential)
{
    auto key = credential.access_key_id;
    by_key_.insert_or_assign(std::move(key), std::move(credential));
}

Credential const* CredentialStore::find(std::string_view access_key_id) const
{
    auto const found = by_key_.find(access_key_id);
    return found == by_key_.end() ? nullptr : &found->second;
}

}  // namespace keyfleet::sigv4
