// The access keys keyfleet accepts and the account each one belongs to.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace keyfleet::sigv4 {

struct Credential {
    std::string access_key_id;
    std::string secret_access_key;
    std::string account_id;  // 12 digits
};

class CredentialStore {
public:
    // The default set: access key "test", secret "test", account 000000000000,
    // what LocalStack-style tooling and docs use.
    static CredentialStore with_default();

    // Adds the sets in a file: one per line, "ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID",
    // blank lines and lines starting with '#' ignored. Throws std::runtime_error
    // naming the line for anything else.
    void load_file(std::filesystem::path const& path);

    void add(Credential credential);
    Credential const* find(std::string_view access_key_id) const;
    std::size_t size() const { return by_key_.size(); }

private:
    std::map<std::string, Credential, std::less<>> by_key_;
};

}  // namespace keyfleet::sigv4
