// A TLS connection to a node that serves TLS only, for keyfleet's own commands:
// OpenSSL over a blocking socket with deadlines, the node's certificate checked
// against keyfleet's CA and the address connected to. (Debian's hiredis 0.14
// has no TLS; Client feeds what this reads to hiredis's reply parser.)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct ssl_st;

namespace keyfleet::redis {

class TlsStream {
public:
    // Throws ConnectionError when the node does not accept, or its certificate
    // is not one `ca_file` signed for `host`, within the timeout (which also
    // bounds every read and write after).
    TlsStream(std::string const& host, std::uint16_t port, std::chrono::milliseconds timeout, std::string const& ca_file);
    ~TlsStream();
    TlsStream(TlsStream const&) = delete;
    TlsStream& operator=(TlsStream const&) = delete;

    void write_all(std::string_view bytes);
    // At least one byte; throws ConnectionError when the node closed or timed out.
    std::size_t read_some(char* buffer, std::size_t size);

private:
    std::string where_;
    int fd_ = -1;
    ssl_st* ssl_ = nullptr;
};

}  // namespace keyfleet::redis
