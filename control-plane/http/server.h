// The HTTP/1.1 listener (Boost.Beast): reads requests under a deadline and a
// body cap, hands each to the Router, keeps connections alive, and drains on
// SIGINT/SIGTERM. The only translation unit that includes Beast or Asio.
#pragma once

#include "http/router.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace keyfleet::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 4566;  // 0: any free port
    unsigned threads = 2;
};

class Server {
public:
    Server(ServerOptions options, Router const& router);
    ~Server();

    // Binds and listens; throws std::runtime_error with a message fit for the
    // user ("address already in use", ...).
    void listen();
    std::uint16_t port() const;

    // Serves until SIGINT or SIGTERM (or stop()), then stops accepting, lets
    // requests in flight finish (up to a few seconds) and returns.
    void run(std::function<void()> on_ready = {});
    void stop();

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace keyfleet::http
