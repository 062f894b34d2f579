#include "redis/tls_stream.h"

#include "redis/client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

namespace keyfleet::redis {

namespace {

std::string openssl_error()
{
    auto const code = ERR_get_error();
    if (code == 0)
        return "TLS failed";
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return text;
}

// One client context per CA file: loading the CA once, not per connection.
SSL_CTX* context_for(std::string const& ca_file)
{
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>> contexts;
    std::lock_guard lock(mutex);
    if (auto const found = contexts.find(ca_file); found != contexts.end())
        return found->second.get();
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    if (!context || SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION) != 1 ||
        SSL_CTX_load_verify_locations(context.get(), ca_file.c_str(), nullptr) != 1)
        throw ConnectionError("cannot use the CA " + ca_file + ": " + openssl_error());
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    return contexts.emplace(ca_file, std::move(context)).first->second.get();
}

bool is_ip_address(std::string const& host)
{
    unsigned char address[16];
    return inet_pton(AF_INET, host.c_str(), address) == 1 || inet_pton(AF_INET6, host.c_str(), address) == 1;
}

}  // namespace

TlsStream::TlsStream(std::string const& host, std::uint16_t port, std::chrono::milliseconds timeout,
                     std::string const& ca_file)
    : where_(host + ":" + std::to_string(port))
{
    auto const fail = [&](std::string const& why) {
        if (ssl_)
            SSL_free(ssl_);
        if (fd_ >= 0)
            ::close(fd_);
        ssl_ = nullptr;
        fd_ = -1;
        throw ConnectionError("cannot connect to " + where_ + " (TLS): " + why);
    };
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
        fail("unknown host");
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
    fd_ = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0)
        fail(std::strerror(errno));
    if (::connect(fd_, found->ai_addr, found->ai_addrlen) != 0) {
        if (errno != EINPROGRESS)
            fail(std::strerror(errno));
        pollfd waiting{fd_, POLLOUT, 0};
        if (::poll(&waiting, 1, int(timeout.count())) != 1)
            fail("timed out");
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0)
            fail(std::strerror(error));
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    timeval const limit{static_cast<time_t>(timeout.count() / 1000),
                        static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    int const on = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);

    ssl_ = SSL_new(context_for(ca_file));
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1)
        fail(openssl_error());
    auto* const verify = SSL_get0_param(ssl_);
    if (is_ip_address(host) ? X509_VERIFY_PARAM_set1_ip_asc(verify, host.c_str()) != 1
                            : (SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                        const_cast<char*>(host.c_str())) != 1 ||
                               X509_VERIFY_PARAM_set1_host(verify, host.c_str(), 0) != 1))
        fail(openssl_error());
    if (SSL_connect(ssl_) != 1) {
        auto const verdict = SSL_get_verify_result(ssl_);
        fail(verdict != X509_V_OK ? std::string("the node's certificate: ") + X509_verify_cert_error_string(verdict)
                                  : openssl_error());
    }
}

TlsStream::~TlsStream()
{
    if (ssl_) {
        SSL_shutdown(ssl_);
        SSL_free(ssl_);
    }
    if (fd_ >= 0)
        ::close(fd_);
}

void TlsStream::write_all(std::string_view bytes)
{
    while (!bytes.empty()) {
        std::size_t written = 0;
        if (SSL_write_ex(ssl_, bytes.data(), bytes.size(), &written) != 1)
            throw ConnectionError(where_ + ": cannot write (TLS): " + openssl_error());
        bytes.remove_prefix(written);
    }
}

std::size_t TlsStream::read_some(char* buffer, std::size_t size)
{
    std::size_t got = 0;
    if (SSL_read_ex(ssl_, buffer, size, &got) != 1 || got == 0)
        throw ConnectionError(where_ + ": no reply (TLS)");
    return got;
}

}  // namespace keyfleet::redis
