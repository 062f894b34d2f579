#include "core/files.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>
#include <stdexcept>

namespace keyfleet::core {

namespace fs = std::filesystem;

namespace {

class Fd {
public:
    Fd(fs::path const& path, int flags, mode_t mode = 0) : fd_(::open(path.c_str(), flags | O_CLOEXEC, mode))
    {
        if (fd_ < 0)
            throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
    }
    ~Fd()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    Fd(Fd const&) = delete;
    Fd& operator=(Fd const&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

class Sha256 {
public:
    Sha256() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free)
    {
        if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1)
            throw std::runtime_error("SHA-256 unavailable");
    }
    void update(char const* data, std::size_t size) { EVP_DigestUpdate(context_.get(), data, size); }
    std::string hex()
    {
        std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
        unsigned int length = 0;
        EVP_DigestFinal_ex(context_.get(), digest.data(), &length);
        static constexpr char digits[] = "0123456789abcdef";
        std::string text;
        for (unsigned int i = 0; i < length; ++i) {
            text.push_back(digits[digest[i] >> 4]);
            text.push_back(digits[digest[i] & 0xf]);
        }
        return text;
    }

private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
};

// Reads the whole file in blocks, handing each to `sink`.
template <typename Sink>
std::int64_t read_blocks(fs::path const& path, Sink&& sink)
{
    Fd in(path, O_RDONLY);
    std::array<char, 1 << 16> buffer{};
    std::int64_t total = 0;
    for (;;) {
        auto const got = ::read(in.get(), buffer.data(), buffer.size());
        if (got < 0) {
            if (errno == EINTR)
                continue;
            throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
        }
        if (got == 0)
            return total;
        sink(buffer.data(), std::size_t(got));
        total += got;
    }
}


void write_all(Fd const& out, fs::path const& path, char const* data, std::size_t n)
{
    while (n > 0) {
        auto const written = ::write(out.get(), data, n);
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
        data += written;
        n -= std::size_t(written);
    }
}

// Writes what `produce` hands its writer beside `to`, fsyncs, renames it into
// place; answers the digest of what was written.
template <typename Produce>
FileDigest write_durably(fs::path const& to, Produce&& produce, mode_t mode = 0644)
{
    auto const partial = fs::path(to.string() + ".partial");
    Sha256 sha;
    std::int64_t size = 0;
    {
        fs::remove(partial);  // a crash's leftover keeps its mode otherwise
        Fd out(partial, O_WRONLY | O_CREAT | O_TRUNC, mode);
        auto const write = [&](char const* data, std::size_t n) {
            sha.update(data, n);
            size += std::int64_t(n);
            write_all(out, partial, data, n);
        };
        produce(write);
        if (::fsync(out.get()) != 0)
            throw std::runtime_error("cannot fsync " + partial.string() + ": " + std::strerror(errno));
    }
    fs::rename(partial, to);
    sync_directory(to.parent_path());
    return {size, sha.hex()};
}

constexpr std::size_t key_size = 32;
constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;
constexpr std::string_view sealed_magic = "KEYFLEET-SEALED-1\n";

// AES-256-GCM over a stream; the magic header is authenticated too.
class Cipher {
public:
    Cipher(bool sealing, std::string const& key, std::array<unsigned char, nonce_size> const& nonce)
        : context_(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free), sealing_(sealing)
    {
        auto const* key_bytes = reinterpret_cast<unsigned char const*>(key.data());
        int length = 0;
        if (!context_ || EVP_CipherInit_ex(context_.get(), EVP_aes_256_gcm(), nullptr, key_bytes, nonce.data(),
                                           sealing ? 1 : 0) != 1 ||
            EVP_CipherUpdate(context_.get(), nullptr, &length,
                             reinterpret_cast<unsigned char const*>(sealed_magic.data()), int(sealed_magic.size())) != 1)
            throw std::runtime_error("AES-256-GCM unavailable");
    }
    void update(char const* data, std::size_t n, std::vector<char>& out)
    {
        out.resize(n + 16);
        int length = 0;
        if (EVP_CipherUpdate(context_.get(), reinterpret_cast<unsigned char*>(out.data()), &length,
                             reinterpret_cast<unsigned char const*>(data), int(n)) != 1)
            throw std::runtime_error("AES-256-GCM failed");
        out.resize(std::size_t(length));
    }
    std::array<char, tag_size> finish_sealing()
    {
        std::array<unsigned char, 16> rest{};
        int length = 0;
        std::array<char, tag_size> tag{};
        if (!sealing_ || EVP_CipherFinal_ex(context_.get(), rest.data(), &length) != 1 ||
            EVP_CIPHER_CTX_ctrl(context_.get(), EVP_CTRL_GCM_GET_TAG, int(tag_size), tag.data()) != 1)
            throw std::runtime_error("AES-256-GCM failed");
        return tag;
    }
    // False when the content does not match the tag.
    bool finish_opening(std::array<char, tag_size> tag)
    {
        std::array<unsigned char, 16> rest{};
        int length = 0;
        return !sealing_ && EVP_CIPHER_CTX_ctrl(context_.get(), EVP_CTRL_GCM_SET_TAG, int(tag_size), tag.data()) == 1 &&
               EVP_CipherFinal_ex(context_.get(), rest.data(), &length) == 1;
    }

private:
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> context_;
    bool sealing_;
};

}  // namespace

FileDigest digest_file(fs::path const& path)
{
    Sha256 sha;
    auto const size = read_blocks(path, [&](char const* data, std::size_t n) { sha.update(data, n); });
    return {size, sha.hex()};
}

FileDigest copy_durably(fs::path const& from, fs::path const& to)
{
    return write_durably(to, [&](auto const& write) { read_blocks(from, write); });
}

FileDigest link_durably(fs::path const& from, fs::path const& to)
{
    std::error_code failed;
    fs::remove(to, failed);
    fs::create_hard_link(from, to, failed);
    if (failed)
        return copy_durably(from, to);
    sync_directory(to.parent_path());
    return digest_file(to);
}

std::string load_or_create_key(fs::path const& path)
{
    std::string key(key_size, '\0');
    if (fs::exists(path)) {
        Fd in(path, O_RDONLY);
        if (::read(in.get(), key.data(), key.size()) != static_cast<ssize_t>(key.size()))
            throw std::runtime_error("the key file " + path.string() + " is not a " + std::to_string(key_size * 8) +
                                     "-bit key");
        return key;
    }
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), int(key.size())) != 1)
        throw std::runtime_error("no random bytes for a new key");
    auto const partial = fs::path(path.string() + ".partial");
    {
        Fd out(partial, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        write_all(out, partial, key.data(), key.size());
        if (::fsync(out.get()) != 0)
            throw std::runtime_error("cannot fsync " + partial.string() + ": " + std::strerror(errno));
    }
    fs::rename(partial, path);
    sync_directory(path.parent_path());
    return key;
}

FileDigest seal_durably(fs::path const& from, fs::path const& to, std::string const& key)
{
    if (key.size() != key_size)
        throw std::runtime_error("sealing needs a 256-bit key");
    std::array<unsigned char, nonce_size> nonce{};
    if (RAND_bytes(nonce.data(), int(nonce.size())) != 1)
        throw std::runtime_error("no random bytes for a nonce");
    Cipher cipher(true, key, nonce);
    return write_durably(to, [&](auto const& write) {
        write(sealed_magic.data(), sealed_magic.size());
        write(reinterpret_cast<char const*>(nonce.data()), nonce.size());
        std::vector<char> out;
        read_blocks(from, [&](char const* data, std::size_t n) {
            cipher.update(data, n, out);
            write(out.data(), out.size());
        });
        auto const tag = cipher.finish_sealing();
        write(tag.data(), tag.size());
    });
}

bool is_sealed(fs::path const& path)
{
    std::array<char, sealed_magic.size()> head{};
    Fd in(path, O_RDONLY);
    return ::read(in.get(), head.data(), head.size()) == static_cast<ssize_t>(head.size()) &&
           std::string_view(head.data(), head.size()) == sealed_magic;
}

void copy_plain_durably(fs::path const& from, fs::path const& to, std::string const& key)
{
    if (!is_sealed(from)) {
        copy_durably(from, to);
        return;
    }
    if (key.size() != key_size)
        throw std::runtime_error("opening a sealed file needs a 256-bit key");
    auto const size = std::int64_t(fs::file_size(from));
    auto const header = std::int64_t(sealed_magic.size() + nonce_size);
    if (size < header + std::int64_t(tag_size))
        throw std::runtime_error("the sealed file " + from.string() + " is truncated");
    Fd in(from, O_RDONLY);
    std::array<unsigned char, nonce_size> nonce{};
    std::array<char, tag_size> tag{};
    if (::pread(in.get(), nonce.data(), nonce.size(), off_t(sealed_magic.size())) != ssize_t(nonce.size()) ||
        ::pread(in.get(), tag.data(), tag.size(), off_t(size - std::int64_t(tag_size))) != ssize_t(tag.size()))
        throw std::runtime_error("cannot read " + from.string());
    Cipher cipher(false, key, nonce);
    try {
        write_durably(to, [&](auto const& write) {
            std::array<char, 1 << 16> buffer{};
            std::vector<char> out;
            for (std::int64_t offset = header; offset < size - std::int64_t(tag_size);) {
                auto const want = std::min<std::int64_t>(std::int64_t(buffer.size()), size - std::int64_t(tag_size) - offset);
                auto const got = ::pread(in.get(), buffer.data(), std::size_t(want), off_t(offset));
                if (got <= 0)
                    throw std::runtime_error("cannot read " + from.string());
                cipher.update(buffer.data(), std::size_t(got), out);
                write(out.data(), out.size());
                offset += got;
            }
            if (!cipher.finish_opening(tag))
                throw std::runtime_error("the sealed file " + from.string() +
                                         " is damaged or was sealed under another key");
        });
    } catch (...) {
        std::error_code ignored;
        fs::remove(fs::path(to.string() + ".partial"), ignored);
        throw;
    }
}

FileDigest write_file_durably(fs::path const& to, std::string_view content, mode_t mode)
{
    return write_durably(to, [&](auto const& write) { write(content.data(), content.size()); }, mode);
}

std::string read_file(fs::path const& path, FileDigest* digest)
{
    std::string content;
    std::error_code ignored;
    content.reserve(std::size_t(fs::file_size(path, ignored)));
    std::optional<Sha256> sha;
    if (digest)
        sha.emplace();
    read_blocks(path, [&](char const* data, std::size_t n) {
        content.append(data, n);
        if (sha)
            sha->update(data, n);
    });
    if (digest)
        *digest = {std::int64_t(content.size()), sha->hex()};
    return content;
}

void sync_directory(fs::path const& directory)
{
    Fd dir(directory, O_RDONLY | O_DIRECTORY);
    ::fsync(dir.get());
}

}  // namespace keyfleet::core
