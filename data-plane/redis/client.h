// A Redis connection (hiredis) with connect and command deadlines, and the few
// replies keyfleet reads: INFO, ROLE, CLUSTER NODES/INFO.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;
struct redisReader;

namespace keyfleet::redis {

struct Reply {
    enum class Type { string, status, error, integer, nil, array };
    Type type = Type::nil;
    std::string text;  // string, status, error
    long long integer = 0;
    std::vector<Reply> elements;

    bool is_error() const { return type == Type::error; }
};

// The connection failed or timed out (as opposed to an error reply).
class ConnectionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class TlsStream;

class Client {
public:
    // Throws ConnectionError when the node does not accept within the timeout.
    // A node recorded as serving TLS (set_node_access) is reached over TLS, its
    // certificate checked against the CA recorded for it and `host`; one with a
    // password is sent AUTH first (a refusal throws std::runtime_error).
    Client(std::string const& host, std::uint16_t port, std::chrono::milliseconds timeout);
    ~Client();
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;
    Client(Client const&) = delete;
    Client& operator=(Client const&) = delete;

    Reply command(std::vector<std::string> const& arguments);
    // Like command(), but an error reply throws std::runtime_error naming it.
    Reply checked(std::vector<std::string> const& arguments);
    // Sends every command, then reads every reply (one round trip).
    std::vector<Reply> pipeline(std::vector<std::vector<std::string>> const& commands);

    // INFO <section> as key -> value.
    std::map<std::string, std::string, std::less<>> info(std::string_view section);

private:
    std::vector<Reply> tls_pipeline(std::vector<std::vector<std::string>> const& commands);

    redisContext* context_ = nullptr;     // plain
    std::unique_ptr<TlsStream> tls_;      // or TLS, with its replies parsed by reader_
    redisReader* reader_ = nullptr;
    std::string where_;
};

// PING until the node answers PONG (not LOADING); false once the deadline passes
// or `alive` (asked between tries) says its process is gone.
bool wait_until_ready(std::string const& host, std::uint16_t port, std::chrono::steady_clock::time_point deadline,
                      std::function<bool()> const& alive = {});

// How keyfleet reaches a node: over TLS when it serves TLS only (its
// certificate signed by the CA in `ca_file`), and with AUTH when it has a
// password. Empty members: plaintext, no AUTH.
struct NodeAccess {
    std::string ca_file;
    std::string password;
};

// Records how to reach the node at host:port; every Client to that address
// follows it. Recorded when a node starts, forgotten when it is destroyed.
void set_node_access(std::string const& host, std::uint16_t port, NodeAccess const& access);

struct ClusterNode {
    std::string id;
    std::string host;
    std::uint16_t port = 0;
    std::string flags;        // myself,master / slave / fail? ...
    std::string master_id;    // "-" for a primary
    bool connected = false;
    std::vector<std::pair<int, int>> slots;  // inclusive ranges
    // Slots a migration left open on this node: [slot->-peer] migrating to the
    // peer, [slot-<-peer] importing from it.
    struct OpenSlot {
        int slot = 0;
        bool importing = false;
        std::string peer;
    };
    std::vector<OpenSlot> open_slots;
    bool is_primary() const { return flags.find("master") != std::string::npos; }
    bool is_myself() const { return flags.find("myself") != std::string::npos; }
    bool failing() const { return flags.find("fail") != std::string::npos; }
};

std::vector<ClusterNode> parse_cluster_nodes(std::string_view text);

// The cluster slot of a key, as CLUSTER KEYSLOT answers it: CRC16 (XMODEM) of
// the key, or of its hash tag (the text between the first { and the next }, when
// not empty), modulo 16384.
int key_slot(std::string_view key);

// "5461" or "0-5460" -> inclusive range.
std::pair<int, int> parse_slot_range(std::string_view text);

}  // namespace keyfleet::redis
