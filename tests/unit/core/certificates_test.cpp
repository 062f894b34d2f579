// The local CA: created once and kept, and the certificates it issues verify
// against it for exactly the names they were issued for.
#include "core/certificates.h"
#include "core/files.h"

#include <catch2/catch.hpp>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <filesystem>

#include <sys/stat.h>
#include <unistd.h>

using namespace keyfleet;

namespace {

struct TempDir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("keyfleet-certificates-test-" + std::to_string(::getpid()));
    TempDir()
    {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

X509* load_certificate(std::filesystem::path const& file)
{
    auto const pem = core::read_file(file);
    BIO* in = BIO_new_mem_buf(pem.data(), int(pem.size()));
    X509* certificate = PEM_read_bio_X509(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    REQUIRE(certificate);
    return certificate;
}

EVP_PKEY* load_key(std::filesystem::path const& file)
{
    auto const pem = core::read_file(file);
    BIO* in = BIO_new_mem_buf(pem.data(), int(pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    REQUIRE(key);
    return key;
}

// True when `certificate` chains to `ca` for TLS servers.
bool verifies(X509* certificate, X509* ca)
{
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX* context = X509_STORE_CTX_new();
    X509_STORE_CTX_init(context, store, certificate, nullptr);
    X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_SERVER);
    bool const ok = X509_verify_cert(context) == 1;
    X509_STORE_CTX_free(context);
    X509_STORE_free(store);
    return ok;
}

mode_t mode_of(std::filesystem::path const& file)
{
    struct stat status {};
    REQUIRE(::stat(file.c_str(), &status) == 0);
    return status.st_mode & 0777;
}

}  // namespace

TEST_CASE("the CA is created on first use, its key private, and kept", "[core]")
{
    TempDir dir;
    core::CertificateAuthority const first(dir.path / "tls");
    CHECK(first.certificate_file() == dir.path / "tls" / "ca.pem");
    CHECK(mode_of(dir.path / "tls" / "ca-key.pem") == 0600);
    auto const pem = core::read_file(first.certificate_file());
    core::CertificateAuthority const again(dir.path / "tls");
    CHECK(core::read_file(again.certificate_file()) == pem);

    X509* ca = load_certificate(first.certificate_file());
    CHECK(X509_check_ca(ca) >= 1);
    CHECK(X509_verify(ca, X509_get0_pubkey(ca)) == 1);  // self-signed
    X509_free(ca);
}

TEST_CASE("a node's certificate verifies against the CA for the names it was issued for", "[core]")
{
    TempDir dir;
    core::CertificateAuthority const authority(dir.path / "tls");
    authority.issue({"127.0.0.5", "127.0.0.9", "cache.example", "::1"}, dir.path / "node.crt", dir.path / "node.key");
    CHECK(mode_of(dir.path / "node.key") == 0600);

    X509* ca = load_certificate(authority.certificate_file());
    X509* node = load_certificate(dir.path / "node.crt");
    EVP_PKEY* key = load_key(dir.path / "node.key");
    CHECK(verifies(node, ca));
    CHECK(X509_check_private_key(node, key) == 1);
    CHECK(X509_check_ca(node) == 0);
    CHECK(X509_check_ip_asc(node, "127.0.0.5", 0) == 1);
    CHECK(X509_check_ip_asc(node, "127.0.0.9", 0) == 1);
    CHECK(X509_check_ip_asc(node, "::1", 0) == 1);
    CHECK(X509_check_host(node, "cache.example", 0, 0, nullptr) == 1);
    CHECK(X509_check_ip_asc(node, "127.0.0.6", 0) == 0);
    CHECK(X509_check_host(node, "other.example", 0, 0, nullptr) == 0);

    // Another CA does not vouch for it.
    core::CertificateAuthority const stranger(dir.path / "other");
    X509* other = load_certificate(stranger.certificate_file());
    CHECK_FALSE(verifies(node, other));

    X509_free(other);
    EVP_PKEY_free(key);
    X509_free(node);
    X509_free(ca);

    CHECK_THROWS_AS(authority.issue({}, dir.path / "x.crt", dir.path / "x.key"), std::runtime_error);
    CHECK_THROWS_AS(authority.issue({"a,DNS:evil"}, dir.path / "x.crt", dir.path / "x.key"), std::runtime_error);
}
