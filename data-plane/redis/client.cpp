#include "redis/client.h"

#include "redis/tls_stream.h"

#include <hiredis/hiredis.h>

#include <charconv>
#include <mutex>
#include <sstream>
#include <thread>

namespace keyfleet::redis {

namespace {

timeval to_timeval(std::chrono::milliseconds timeout)
{
    return {static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
}

Reply convert(redisReply const* raw)
{
    Reply reply;
    switch (raw->type) {
    case REDIS_REPLY_STRING:
        reply.type = Reply::Type::string;
        reply.text.assign(raw->str, raw->len);
        break;
    case REDIS_REPLY_STATUS:
        reply.type = Reply::Type::status;
        reply.text.assign(raw->str, raw->len);
        break;
    case REDIS_REPLY_ERROR:
        reply.type = Reply::Type::error;
        reply.text.assign(raw->str, raw->len);
        break;
    case REDIS_REPLY_INTEGER:
        reply.type = Reply::Type::integer;
        reply.integer = raw->integer;
        break;
    case REDIS_REPLY_ARRAY:
        reply.type = Reply::Type::array;
        for (std::size_t i = 0; i < raw->elements; ++i)
            reply.elements.push_back(convert(raw->element[i]));
        break;
    default:
        reply.type = Reply::Type::nil;
    }
    return reply;
}

void append(redisContext* context, std::vector<std::string> const& arguments)
{
    std::vector<char const*> argv;
    std::vector<std::size_t> lengths;
    for (auto const& argument : arguments) {
        argv.push_back(argument.data());
        lengths.push_back(argument.size());
    }
    redisAppendCommandArgv(context, int(argv.size()), argv.data(), lengths.data());
}

}  // namespace

namespace {

std::mutex access_mutex;
std::map<std::pair<std::string, std::uint16_t>, NodeAccess> node_access;  // address -> how to reach it

NodeAccess access_of(std::string const& host, std::uint16_t port)
{
    std::lock_guard lock(access_mutex);
    auto const found = node_access.find({host, port});
    return found == node_access.end() ? NodeAccess{} : found->second;
}

}  // namespace

void set_node_access(std::string const& host, std::uint16_t port, NodeAccess const& access)
{
    std::lock_guard lock(access_mutex);
    if (access.ca_file.empty() && access.password.empty())
        node_access.erase({host, port});
    else
        node_access[{host, port}] = access;
}

Client::Client(std::string const& host, std::uint16_t port, std::chrono::milliseconds timeout)
    : where_(host + ":" + std::to_string(port))
{
    auto const access = access_of(host, port);
    if (!access.ca_file.empty()) {
        tls_ = std::make_unique<TlsStream>(host, port, timeout, access.ca_file);
        reader_ = redisReaderCreate();
        if (!reader_)
            throw ConnectionError("cannot allocate a reply reader for " + where_);
    } else {
        context_ = redisConnectWithTimeout(host.c_str(), port, to_timeval(timeout));
        if (!context_ || context_->err) {
            std::string const why = context_ ? context_->errstr : "cannot allocate a connection";
            if (context_)
                redisFree(context_);
            context_ = nullptr;
            throw ConnectionError("cannot connect to " + where_ + ": " + why);
        }
        redisSetTimeout(context_, to_timeval(timeout));
    }
    if (!access.password.empty())
        checked({"AUTH", access.password});  // the error names the command, never the password
}

Client::~Client()
{
    if (context_)
        redisFree(context_);
    if (reader_)
        redisReaderFree(reader_);
}

Client::Client(Client&& other) noexcept
    : context_(other.context_), tls_(std::move(other.tls_)), reader_(other.reader_), where_(std::move(other.where_))
{
    other.context_ = nullptr;
    other.reader_ = nullptr;
}

Client& Client::operator=(Client&& other) noexcept
{
    std::swap(context_, other.context_);
    std::swap(tls_, other.tls_);
    std::swap(reader_, other.reader_);
    std::swap(where_, other.where_);
    return *this;
}

Reply Client::command(std::vector<std::string> const& arguments)
{
    return pipeline({arguments}).front();
}

Reply Client::checked(std::vector<std::string> const& arguments)
{
    auto reply = command(arguments);
    if (reply.is_error())
        throw std::runtime_error(where_ + " answered " + arguments.front() + " with: " + reply.text);
    return reply;
}

std::vector<Reply> Client::pipeline(std::vector<std::vector<std::string>> const& commands)
{
    if (tls_)
        return tls_pipeline(commands);
    if (!context_)
        throw ConnectionError("not connected to " + where_);
    for (auto const& arguments : commands)
        append(context_, arguments);
    std::vector<Reply> replies;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        void* raw = nullptr;
        if (redisGetReply(context_, &raw) != REDIS_OK || !raw)
            throw ConnectionError(where_ + ": " + (context_->errstr[0] ? context_->errstr : "no reply"));
        replies.push_back(convert(static_cast<redisReply*>(raw)));
        freeReplyObject(raw);
    }
    return replies;
}

std::vector<Reply> Client::tls_pipeline(std::vector<std::vector<std::string>> const& commands)
{
    std::string request;
    for (auto const& arguments : commands) {
        std::vector<char const*> argv;
        std::vector<std::size_t> lengths;
        for (auto const& argument : arguments) {
            argv.push_back(argument.data());
            lengths.push_back(argument.size());
        }
        char* formatted = nullptr;
        auto const length = redisFormatCommandArgv(&formatted, int(argv.size()), argv.data(), lengths.data());
        if (length < 0)
            throw ConnectionError("cannot format a command for " + where_);
        request.append(formatted, std::size_t(length));
        redisFreeCommand(formatted);
    }
    tls_->write_all(request);
    std::vector<Reply> replies;
    char buffer[16384];
    while (replies.size() < commands.size()) {
        void* raw = nullptr;
        if (redisReaderGetReply(reader_, &raw) != REDIS_OK)
            throw ConnectionError(where_ + ": a reply that does not parse");
        if (raw) {
            replies.push_back(convert(static_cast<redisReply*>(raw)));
            freeReplyObject(raw);
            continue;
        }
        auto const got = tls_->read_some(buffer, sizeof buffer);
        if (redisReaderFeed(reader_, buffer, got) != REDIS_OK)
            throw ConnectionError(where_ + ": a reply that does not parse");
    }
    return replies;
}

std::map<std::string, std::string, std::less<>> Client::info(std::string_view section)
{
    auto const reply = checked({"INFO", std::string(section)});
    std::map<std::string, std::string, std::less<>> values;
    std::istringstream lines(reply.text);
    std::string line;
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        auto const colon = line.find(':');
        if (line.empty() || line.front() == '#' || colon == std::string::npos)
            continue;
        values.emplace(line.substr(0, colon), line.substr(colon + 1));
    }
    return values;
}

bool wait_until_ready(std::string const& host, std::uint16_t port, std::chrono::steady_clock::time_point deadline,
                      std::function<bool()> const& alive)
{
    auto pause = std::chrono::milliseconds(1);
    while (true) {
        try {
            Client client(host, port, std::chrono::milliseconds(200));
            if (auto const reply = client.command({"PING"}); !reply.is_error())
                return true;  // an error here is -LOADING: not ready yet
        } catch (ConnectionError const&) {
        }
        if (std::chrono::steady_clock::now() >= deadline || (alive && !alive()))
            return false;
        std::this_thread::sleep_for(pause);  // poll interval, bounded by the deadline
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
}

int key_slot(std::string_view key)
{
    if (auto const open = key.find('{'); open != std::string_view::npos)
        if (auto const close = key.find('}', open + 1); close != std::string_view::npos && close > open + 1)
            key = key.substr(open + 1, close - open - 1);
    std::uint16_t crc = 0;
    for (char const c : key) {
        crc ^= static_cast<std::uint16_t>(static_cast<unsigned char>(c) << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc & 16383;
}

std::pair<int, int> parse_slot_range(std::string_view text)
{
    auto const dash = text.find('-');
    int first = 0;
    std::from_chars(text.data(), text.data() + (dash == std::string_view::npos ? text.size() : dash), first);
    int last = first;
    if (dash != std::string_view::npos)
        std::from_chars(text.data() + dash + 1, text.data() + text.size(), last);
    return {first, last};
}

std::vector<ClusterNode> parse_cluster_nodes(std::string_view text)
{
    // <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch> <link-state> <slot> ...
    std::vector<ClusterNode> nodes;
    std::istringstream lines{std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        ClusterNode node;
        std::string address, ping, pong, epoch, link;
        if (!(fields >> node.id >> address >> node.flags >> node.master_id >> ping >> pong >> epoch >> link))
            continue;
        auto const colon = address.rfind(':', address.find('@'));
        node.host = address.substr(0, colon);
        auto const port_text = address.substr(colon + 1, address.find('@') - colon - 1);
        unsigned port = 0;
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        node.port = static_cast<std::uint16_t>(port);
        node.connected = link == "connected";
        std::string slot;
        while (fields >> slot) {
            if (slot.starts_with('[')) {
                auto const arrow = slot.find("->-") != std::string::npos ? slot.find("->-") : slot.find("-<-");
                if (arrow != std::string::npos && slot.ends_with(']')) {
                    ClusterNode::OpenSlot open;
                    std::from_chars(slot.data() + 1, slot.data() + arrow, open.slot);
                    open.importing = slot.compare(arrow, 3, "-<-") == 0;
                    open.peer = slot.substr(arrow + 3, slot.size() - arrow - 4);
                    node.open_slots.push_back(std::move(open));
                }
                continue;
            }
            node.slots.push_back(parse_slot_range(slot));
        }
        nodes.push_back(std::move(node));
    }
    return nodes;
}

}  // namespace keyfleet::redis
