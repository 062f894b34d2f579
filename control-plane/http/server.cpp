#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace keyfleet::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t body_limit = 1024 * 1024;
constexpr auto read_timeout = std::chrono::seconds(60);
constexpr auto drain_deadline = std::chrono::seconds(10);

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, Router const& router, std::atomic<int>& in_flight)
        : stream_(std::move(socket)), router_(router), in_flight_(in_flight)
    {
    }

    // The acceptor runs on the first thread; the session on its socket's own.
    void start() { net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); }); }

private:
    void read_header()
    {
        parser_.emplace();
        parser_->body_limit(body_limit);
        stream_.expires_after(read_timeout);
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec)
    {
        // A Content-Length over the cap is refused here, before any body is read.
        if (ec == bhttp::error::body_limit)
            return reply_too_large();
        if (ec)
            return close(ec);
        auto const& header = parser_->get();
        if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
            auto proceed = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, header.version());
            bhttp::async_write(stream_, *proceed, [self = shared_from_this(), proceed](beast::error_code write_ec, std::size_t) {
                if (write_ec)
                    return self->close(write_ec);
                self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body()
    {
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_request(ec); });
    }

    void on_request(beast::error_code ec)
    {
        if (ec == bhttp::error::body_limit)
            return reply_too_large();
        if (ec)
            return close(ec);
        auto message = parser_->release();
        Request request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        for (auto const& field : message)
            request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        request.body = std::move(message.body());

        ++in_flight_;
        auto const answer = router_.handle(request);
        auto response = std::make_shared<bhttp::response<bhttp::string_body>>(
            static_cast<bhttp::status>(answer.status), message.version());
        response->set(bhttp::field::server, "keyfleet");
        response->set(bhttp::field::content_type, answer.content_type);
        response->set("x-amzn-RequestId", answer.request_id);
        response->keep_alive(message.keep_alive());
        response->body() = answer.body;
        response->prepare_payload();
        write(response);
    }

    void reply_too_large()
    {
        ++in_flight_;
        auto response = std::make_shared<bhttp::response<bhttp::string_body>>(bhttp::status::payload_too_large, 11);
        response->set(bhttp::field::server, "keyfleet");
        response->body() = "request body over 1 MiB";
        response->keep_alive(false);
        response->prepare_payload();
        write(response);
    }

    void write(std::shared_ptr<bhttp::response<bhttp::string_body>> response)
    {
        bhttp::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
            --self->in_flight_;
            if (ec)
                return self->close(ec);
            if (!response->keep_alive())
                return self->close({});
            self->read_header();
        });
    }

    void close(beast::error_code ec)
    {
        if (ec && ec != bhttp::error::end_of_stream && ec != net::error::operation_aborted &&
            ec != beast::error::timeout && ec != net::error::connection_reset && ec != net::error::eof)
            spdlog::debug("connection closed: {}", ec.message());
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.socket().close(ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    Router const& router_;
    std::atomic<int>& in_flight_;
};

}  // namespace

// One io_context per thread, each connection living on one of them: no strands
// and no cross-thread hand-offs on the request path.
struct Server::State {
    using WorkGuard = net::executor_work_guard<net::io_context::executor_type>;

    ServerOptions options;
    Router const& router;
    std::vector<std::unique_ptr<net::io_context>> contexts;
    std::vector<WorkGuard> keep_running;
    std::size_t next_context = 0;
    tcp::acceptor acceptor;
    net::signal_set signals;
    net::steady_timer drain_timer;
    std::atomic<int> in_flight{0};
    std::chrono::steady_clock::time_point drain_until;

    State(ServerOptions o, Router const& r)
        : options(std::move(o)), router(r), contexts(make_contexts(options.threads)), acceptor(*contexts[0]),
          signals(*contexts[0], SIGINT, SIGTERM), drain_timer(*contexts[0])
    {
        for (auto& context : contexts)
            keep_running.emplace_back(context->get_executor());
    }

    static std::vector<std::unique_ptr<net::io_context>> make_contexts(unsigned threads)
    {
        std::vector<std::unique_ptr<net::io_context>> made;
        for (unsigned i = 0; i < std::max(1u, threads); ++i)
            made.push_back(std::make_unique<net::io_context>(1));
        return made;
    }

    void accept()
    {
        auto& context = *contexts[next_context++ % contexts.size()];
        acceptor.async_accept(context, [this](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted || !acceptor.is_open())
                return;
            if (!ec) {
                socket.set_option(tcp::no_delay(true), ec);
                std::make_shared<Session>(std::move(socket), router, in_flight)->start();
            }
            accept();
        });
    }

    void begin_stop()
    {
        if (!acceptor.is_open())
            return;
        beast::error_code ignored;
        acceptor.close(ignored);
        signals.cancel(ignored);
        drain_until = std::chrono::steady_clock::now() + drain_deadline;
        wait_for_drain();
    }

    // Polls the in-flight count until it reaches zero or the drain deadline passes.
    void wait_for_drain()
    {
        if (in_flight == 0 || std::chrono::steady_clock::now() >= drain_until) {
            keep_running.clear();
            for (auto& context : contexts)
                context->stop();
            return;
        }
        drain_timer.expires_after(std::chrono::milliseconds(5));
        drain_timer.async_wait([this](beast::error_code) { wait_for_drain(); });
    }
};

Server::Server(ServerOptions options, Router const& router) : state_(std::make_unique<State>(std::move(options), router))
{
}

Server::~Server() = default;

void Server::listen()
{
    auto& s = *state_;
    beast::error_code ec;
    auto const address = net::ip::make_address(s.options.host, ec);
    if (ec)
        throw std::runtime_error("invalid --host " + s.options.host + ": " + ec.message());
    tcp::endpoint const endpoint(address, s.options.port);
    auto const where = s.options.host + ":" + std::to_string(s.options.port);
    s.acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec)
        s.acceptor.bind(endpoint, ec);
    if (!ec)
        s.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
}

std::uint16_t Server::port() const { return state_->acceptor.local_endpoint().port(); }

void Server::run(std::function<void()> on_ready)
{
    auto& s = *state_;
    s.signals.async_wait([&s](beast::error_code ec, int signal) {
        if (ec)
            return;
        spdlog::info("signal {} received: draining and stopping", signal);
        s.begin_stop();
    });
    s.accept();
    if (on_ready)
        on_ready();
    std::vector<std::jthread> workers;
    for (std::size_t i = 1; i < s.contexts.size(); ++i)
        workers.emplace_back([&s, i] { s.contexts[i]->run(); });
    s.contexts[0]->run();
}

void Server::stop()
{
    net::post(*state_->contexts[0], [this] { state_->begin_stop(); });
}

}  // namespace keyfleet::http
