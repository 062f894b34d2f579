// keyfleet's own certificate authority, for nodes that serve TLS: a CA key and
// certificate created with OpenSSL on first use under a directory of the data
// dir and kept across restarts, and certificates it signs for nodes, naming
// every address that reaches each node (its own, its group's endpoints).
// Clients verify nodes with the CA certificate (ca.pem).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace keyfleet::core {

class CertificateAuthority {
public:
    // Loads the CA under `directory` (ca.pem, ca-key.pem), or creates it there:
    // an EC P-256 key (mode 0600) and a self-signed certificate valid 10 years.
    // Throws std::runtime_error when it can do neither.
    explicit CertificateAuthority(std::filesystem::path directory);

    std::filesystem::path certificate_file() const { return directory_ / "ca.pem"; }

    // A certificate for a server, signed by the CA, valid 2 years, for server
    // and client authentication (nodes also connect to each other), whose
    // subject alternative names are `names` (IP addresses as IP names, the
    // rest as DNS names). Written as PEM to `certificate_file`, its new key to
    // `key_file` (mode 0600), each durably.
    void issue(std::vector<std::string> const& names, std::filesystem::path const& certificate_file,
               std::filesystem::path const& key_file) const;

private:
    std::filesystem::path directory_;
    std::string certificate_pem_;
    std::string key_pem_;
};

}  // namespace keyfleet::core
