#include "core/certificates.h"

#include "core/files.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <memory>
#include <stdexcept>

namespace keyfleet::core {

namespace {

namespace fs = std::filesystem;

template <typename T, void (*free)(T*)>
struct Deleter {
    void operator()(T* pointer) const { free(pointer); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

constexpr long ca_days = 3650;
constexpr long server_days = 730;

[[noreturn]] void fail(std::string const& what) { throw std::runtime_error("certificate authority: " + what); }

Key new_key()
{
    Key key(EVP_EC_gen("P-256"));
    if (!key)
        fail("cannot generate an EC P-256 key");
    return key;
}

std::string pem_of(Certificate const& certificate)
{
    Bio out(BIO_new(BIO_s_mem()));
    if (!out || PEM_write_bio_X509(out.get(), certificate.get()) != 1)
        fail("cannot write a certificate");
    char* data = nullptr;
    auto const size = BIO_get_mem_data(out.get(), &data);
    return {data, std::size_t(size)};
}

std::string pem_of(Key const& key)
{
    Bio out(BIO_new(BIO_s_mem()));
    if (!out || PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        fail("cannot write a key");
    char* data = nullptr;
    auto const size = BIO_get_mem_data(out.get(), &data);
    return {data, std::size_t(size)};
}

Certificate certificate_from(std::string const& pem)
{
    Bio in(BIO_new_mem_buf(pem.data(), int(pem.size())));
    Certificate certificate(in ? PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!certificate)
        fail("ca.pem holds no certificate");
    return certificate;
}

Key key_from(std::string const& pem)
{
    Bio in(BIO_new_mem_buf(pem.data(), int(pem.size())));
    Key key(in ? PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key)
        fail("ca-key.pem holds no key");
    return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, std::string const& value)
{
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    Extension extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
    if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1)
        fail("cannot add the extension " + value);
}

// A version 3 certificate for `key` named `common_name`, with a random serial,
// valid from an hour ago (clocks differ) for `days`.
Certificate new_certificate(EVP_PKEY* key, std::string const& common_name, long days)
{
    Certificate certificate(X509_new());
    std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> serial(BN_new());
    if (!certificate || !serial || X509_set_version(certificate.get(), 2) != 1 ||
        BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get())) ||
        !X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(certificate.get()), days * 24 * 3600) ||
        X509_set_pubkey(certificate.get(), key) != 1 ||
        X509_NAME_add_entry_by_txt(X509_get_subject_name(certificate.get()), "CN", MBSTRING_UTF8,
                                   reinterpret_cast<unsigned char const*>(common_name.c_str()), -1, -1, 0) != 1)
        fail("cannot build a certificate");
    return certificate;
}

bool is_ip_address(std::string const& name)
{
    unsigned char address[16];
    return inet_pton(AF_INET, name.c_str(), address) == 1 || inet_pton(AF_INET6, name.c_str(), address) == 1;
}

}  // namespace

CertificateAuthority::CertificateAuthority(fs::path directory) : directory_(std::move(directory))
{
    auto const certificate_path = directory_ / "ca.pem";
    auto const key_path = directory_ / "ca-key.pem";
    if (fs::exists(certificate_path) && fs::exists(key_path)) {
        certificate_pem_ = read_file(certificate_path);
        key_pem_ = read_file(key_path);
        if (X509_check_private_key(certificate_from(certificate_pem_).get(), key_from(key_pem_).get()) != 1)
            fail("ca.pem and ca-key.pem do not belong together");
        return;
    }
    fs::create_directories(directory_);
    auto key = new_key();
    auto certificate = new_certificate(key.get(), "keyfleet local CA", ca_days);
    if (X509_set_issuer_name(certificate.get(), X509_get_subject_name(certificate.get())) != 1)
        fail("cannot name the issuer");
    add_extension(certificate.get(), certificate.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(certificate.get(), certificate.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(certificate.get(), certificate.get(), NID_subject_key_identifier, "hash");
    if (X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0)
        fail("cannot sign the CA certificate");
    key_pem_ = pem_of(key);
    certificate_pem_ = pem_of(certificate);
    // The key first: a certificate on disk always has its key.
    write_file_durably(key_path, key_pem_, 0600);
    write_file_durably(certificate_path, certificate_pem_);
}

void CertificateAuthority::issue(std::vector<std::string> const& names, fs::path const& certificate_file,
                                 fs::path const& key_file) const
{
    if (names.empty())
        fail("a certificate names at least one address");
    auto const issuer = certificate_from(certificate_pem_);
    auto const issuer_key = key_from(key_pem_);
    auto key = new_key();
    auto certificate = new_certificate(key.get(), names.front(), server_days);
    if (X509_set_issuer_name(certificate.get(), X509_get_subject_name(issuer.get())) != 1)
        fail("cannot name the issuer");
    std::string alternative_names;
    for (auto const& name : names) {
        bool const ip = is_ip_address(name);
        if (!ip && (name.empty() || name.find_first_of(",: ") != std::string::npos))
            fail("not an address or host name: " + name);
        alternative_names += (alternative_names.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + name;
    }
    add_extension(certificate.get(), issuer.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(certificate.get(), issuer.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(certificate.get(), issuer.get(), NID_ext_key_usage, "serverAuth,clientAuth");
    add_extension(certificate.get(), issuer.get(), NID_subject_alt_name, alternative_names);
    add_extension(certificate.get(), issuer.get(), NID_authority_key_identifier, "keyid:always");
    if (X509_sign(certificate.get(), issuer_key.get(), EVP_sha256()) == 0)
        fail("cannot sign a certificate");
    write_file_durably(key_file, pem_of(key), 0600);
    write_file_durably(certificate_file, pem_of(certificate));
}

}  // namespace keyfleet::core
