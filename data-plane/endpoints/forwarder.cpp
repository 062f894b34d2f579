#include "endpoints/forwarder.h"

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace keyfleet::endpoints {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t buffer_size = 64 * 1024;

std::string key(std::string const& host, std::uint16_t port) { return host + ":" + std::to_string(port); }

// One client connection and its node connection, pumping both ways.
class Link : public std::enable_shared_from_this<Link> {
public:
    Link(tcp::socket client, net::io_context& context) : client_(std::move(client)), node_(context) {}

    void start(Target const& node)
    {
        boost::system::error_code invalid;
        auto const address = net::ip::make_address(node.host, invalid);
        if (invalid)
            return close();
        node_.async_connect(tcp::endpoint(address, node.port),
                            [self = shared_from_this()](boost::system::error_code ec) {
                                if (ec)
                                    return self->close();
                                boost::system::error_code ignored;
                                self->node_.set_option(tcp::no_delay(true), ignored);
                                self->pump(self->client_, self->node_, self->upstream_);
                                self->pump(self->node_, self->client_, self->downstream_);
                            });
    }

    void close()
    {
        net::post(client_.get_executor(), [self = shared_from_this()] {
            boost::system::error_code ignored;
            self->client_.close(ignored);
            self->node_.close(ignored);
        });
    }

private:
    using Buffer = std::array<char, buffer_size>;

    void pump(tcp::socket& from, tcp::socket& to, Buffer& buffer)
    {
        from.async_read_some(net::buffer(buffer),
                             [self = shared_from_this(), &from, &to, &buffer](boost::system::error_code ec, std::size_t n) {
                                 if (ec)
                                     return self->close();
                                 net::async_write(to, net::buffer(buffer, n),
                                                  [self, &from, &to, &buffer](boost::system::error_code write_ec, std::size_t) {
                                                      if (write_ec)
                                                          return self->close();
                                                      self->pump(from, to, buffer);
                                                  });
                             });
    }

    tcp::socket client_;
    tcp::socket node_;
    Buffer upstream_{};
    Buffer downstream_{};
};

}  // namespace

struct Forwarder::State {
    struct Listener {
        std::unique_ptr<tcp::acceptor> acceptor;
        Pick pick;
        std::vector<std::weak_ptr<Link>> links;
    };

    std::vector<std::unique_ptr<net::io_context>> contexts;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> keep_running;
    std::vector<std::thread> threads;
    std::size_t next_context = 0;
    mutable std::mutex mutex;
    std::map<std::string, std::shared_ptr<Listener>> listeners;  // by "host:port"

    void drop_links(Listener& listener)
    {
        std::vector<std::shared_ptr<Link>> links;
        {
            std::lock_guard lock(mutex);
            for (auto const& weak : listener.links)
                if (auto link = weak.lock())
                    links.push_back(std::move(link));
            listener.links.clear();
        }
        for (auto const& link : links)
            link->close();
    }

    void accept(std::shared_ptr<Listener> listener)
    {
        auto& context = *contexts[next_context++ % contexts.size()];
        listener->acceptor->async_accept(context, [this, listener, &context](boost::system::error_code ec,
                                                                              tcp::socket socket) {
            if (ec == net::error::operation_aborted || !listener->acceptor->is_open())
                return;
            if (!ec) {
                auto const target = listener->pick();
                if (target) {
                    boost::system::error_code ignored;
                    socket.set_option(tcp::no_delay(true), ignored);
                    auto link = std::make_shared<Link>(std::move(socket), context);
                    {
                        std::lock_guard lock(mutex);
                        std::erase_if(listener->links, [](auto const& weak) { return weak.expired(); });
                        listener->links.push_back(link);
                    }
                    net::dispatch(context, [link, target] { link->start(*target); });
                }
                // No node to send it to: the socket closes as it goes out of scope.
            }
            accept(listener);
        });
    }
};

Forwarder::Forwarder(unsigned threads) : state_(std::make_unique<State>())
{
    for (unsigned i = 0; i < std::max(1u, threads); ++i) {
        state_->contexts.push_back(std::make_unique<net::io_context>(1));
        state_->keep_running.emplace_back(state_->contexts.back()->get_executor());
    }
    for (auto& context : state_->contexts)
        state_->threads.emplace_back([&context] { context->run(); });
}

Forwarder::~Forwarder() { stop(); }

void Forwarder::open(std::string const& host, std::uint16_t port, Pick pick)
{
    auto listener = std::make_shared<State::Listener>();
    listener->acceptor = std::make_unique<tcp::acceptor>(*state_->contexts.front());
    listener->pick = std::move(pick);
    boost::system::error_code ec;
    tcp::endpoint const endpoint(net::ip::make_address(host, ec), port);
    if (!ec)
        listener->acceptor->open(endpoint.protocol(), ec);
    if (!ec)
        listener->acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec)
        listener->acceptor->bind(endpoint, ec);
    if (!ec)
        listener->acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot open endpoint " + host + ":" + std::to_string(port) + ": " + ec.message());
    {
        std::lock_guard lock(state_->mutex);
        state_->listeners[key(host, port)] = listener;
    }
    net::post(*state_->contexts.front(), [this, listener] { state_->accept(listener); });
}

void Forwarder::close(std::string const& host, std::uint16_t port)
{
    std::shared_ptr<State::Listener> listener;
    {
        std::lock_guard lock(state_->mutex);
        auto const found = state_->listeners.find(key(host, port));
        if (found == state_->listeners.end())
            return;
        listener = found->second;
        state_->listeners.erase(found);
    }
    net::post(*state_->contexts.front(), [listener] {
        boost::system::error_code ignored;
        listener->acceptor->close(ignored);
    });
    state_->drop_links(*listener);
}

void Forwarder::drop_connections(std::string const& host, std::uint16_t port)
{
    std::shared_ptr<State::Listener> listener;
    {
        std::lock_guard lock(state_->mutex);
        auto const found = state_->listeners.find(key(host, port));
        if (found == state_->listeners.end())
            return;
        listener = found->second;
    }
    state_->drop_links(*listener);
}

bool Forwarder::is_open(std::string const& host, std::uint16_t port) const
{
    std::lock_guard lock(state_->mutex);
    return state_->listeners.contains(key(host, port));
}

void Forwarder::stop()
{
    if (!state_ || state_->threads.empty())
        return;
    std::vector<std::shared_ptr<State::Listener>> listeners;
    {
        std::lock_guard lock(state_->mutex);
        for (auto const& [address, listener] : state_->listeners)
            listeners.push_back(listener);
        state_->listeners.clear();
    }
    for (auto const& listener : listeners) {
        net::post(*state_->contexts.front(), [listener] {
            boost::system::error_code ignored;
            listener->acceptor->close(ignored);
        });
        state_->drop_links(*listener);
    }
    state_->keep_running.clear();
    for (auto& context : state_->contexts)
        context->stop();
    for (auto& thread : state_->threads)
        thread.join();
    state_->threads.clear();
}

}  // namespace keyfleet::endpoints
