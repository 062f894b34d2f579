// Stable endpoints: loopback ports keyfleet listens on and forwards, connection
// by connection, to whichever node should answer now (a group's primary, one of
// its replicas, any healthy node of a cluster). The only data-plane translation
// unit with Asio.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace keyfleet::endpoints {

struct Target {
    std::string host;
    std::uint16_t port = 0;
};

class Forwarder {
public:
    // Picks the node a new connection goes to; nullopt refuses it.
    using Pick = std::function<std::optional<Target>()>;

    explicit Forwarder(unsigned threads);
    ~Forwarder();
    Forwarder(Forwarder const&) = delete;
    Forwarder& operator=(Forwarder const&) = delete;

    // Listens on host:port from now on; throws std::runtime_error when it cannot bind.
    void open(std::string const& host, std::uint16_t port, Pick pick);
    // Stops listening on the address and closes its connections.
    void close(std::string const& host, std::uint16_t port);
    // Closes the address's open connections, so clients reconnect to the node
    // a new pick chooses (after a failover the old primary's clients must move).
    void drop_connections(std::string const& host, std::uint16_t port);
    bool is_open(std::string const& host, std::uint16_t port) const;

    void stop();

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace keyfleet::endpoints
