#include "core/files.h"

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
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

}  // namespace

FileDigest digest_file(fs::path const& path)
{
    Sha256 sha;
    auto const size = read_blocks(path, [&](char const* data, std::size_t n) { sha.update(data, n); });
    return {size, sha.hex()};
}

FileDigest copy_durably(fs::path const& from, fs::path const& to)
{
    auto const partial = fs::path(to.string() + ".partial");
    Sha256 sha;
    std::int64_t size = 0;
    {
        Fd out(partial, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        size = read_blocks(from, [&](char const* data, std::size_t n) {
            sha.update(data, n);
            while (n > 0) {
                auto const written = ::write(out.get(), data, n);
                if (written < 0 && errno == EINTR)
                    continue;
                if (written < 0)
                    throw std::runtime_error("cannot write " + partial.string() + ": " + std::strerror(errno));
                data += written;
                n -= std::size_t(written);
            }
        });
        if (::fsync(out.get()) != 0)
            throw std::runtime_error("cannot fsync " + partial.string() + ": " + std::strerror(errno));
    }
    fs::rename(partial, to);
    sync_directory(to.parent_path());
    return {size, sha.hex()};
}

void sync_directory(fs::path const& directory)
{
    Fd dir(directory, O_RDONLY | O_DIRECTORY);
    ::fsync(dir.get());
}

}  // namespace keyfleet::core
