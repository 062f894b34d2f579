// keyfleet: flags -> Config; wire the store, credentials, router and HTTP
// server; serve until SIGINT/SIGTERM.
#include "codec/schema.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/files.h"
#include "core/log.h"
#include "handlers/snapshot_schedule.h"
#include "http/router.h"
#include "http/server.h"
#include "sigv4/credentials.h"
#include "sigv4/verify.h"
#include "store/db.h"
#include "store/events.h"
#include "endpoints/forwarder.h"
#include "runtime/local_process.h"
#include "health/monitor.h"
#include "workflows/clusters.h"
#include "workflows/failover.h"
#include "workflows/replication_groups.h"
#include "workflows/snapshots.h"
#include "workflows/configuration.h"
#include "workflows/fleet.h"
#include "workflows/engine.h"
#include "run_command.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <csignal>
#include <iostream>
#include <thread>

#ifndef KEYFLEET_VERSION
#define KEYFLEET_VERSION "0.0.0"
#endif

namespace fs = std::filesystem;
using namespace keyfleet;

namespace {

// The data dir must exist, be writable, and belong to this process alone: two
// servers on one data dir would fight over the same database and node ports.
int claim_data_dir(fs::path const& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error("cannot create data dir " + dir.string() + ": " + ec.message());
    auto const lock_path = dir / "keyfleet.lock";
    int const fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::runtime_error("data dir " + dir.string() + " is not writable: " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
        throw std::runtime_error("another keyfleet process is using data dir " + dir.string());
    return fd;
}

// "21000-21999"; the last port leaves room for the cluster bus at port + 10000.
bool parse_port_range(std::string const& text, int& first, int& last)
{
    auto const dash = text.find('-');
    if (dash == std::string::npos)
        return false;
    auto const parse = [](std::string_view part, int& value) {
        auto const [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        return ec == std::errc() && end == part.data() + part.size();
    };
    return parse(std::string_view(text).substr(0, dash), first) && parse(std::string_view(text).substr(dash + 1), last) &&
           first >= 1024 && last <= 55535 && first <= last;
}

int serve(core::Config const& config, std::function<void(std::uint16_t)> const& on_ready = {})
{
    if (!core::init_logging(config.log_level)) {
        std::cerr << "keyfleet: unknown --log-level " << config.log_level << "\n";
        return 2;
    }
    // A node that closes its end of a connection (SHUTDOWN, a kill) makes a write
    // fail with EPIPE instead of ending keyfleet. Nodes start with every signal
    // at its default (runtime/local_process.cpp).
    ::signal(SIGPIPE, SIG_IGN);
    try {
        // The wire contract is parsed now, beside the database's start, so a healthy
        // answer means the API is ready.
        std::jthread schema_loader([] { codec::Schema::elasticache(); });
        auto credentials = sigv4::CredentialStore::with_default();
        if (!config.credentials_file.empty())
            credentials.load_file(config.credentials_file);

        int const lock_fd = claim_data_dir(config.data_dir);
        store::Database db((config.data_dir / "keyfleet.db").string());
        core::SystemClock clock;
        {
            auto tx = db.write();
            store::prune_events(tx, clock.now_ms() - std::int64_t(14) * 24 * 3600 * 1000);
            tx.commit();
        }

        // Nodes come back with their data before the API answers, so a Describe
        // that says available is true.
        runtime::stop_leftover_nodes(config.data_dir / "nodes", std::chrono::seconds(10));
        runtime::LocalProcessRuntime runtime(runtime::find_redis_server());
        endpoints::Forwarder forwarder(1);  // one thread: on small machines a second only adds hand-offs
        workflows::Fleet fleet({config.data_dir / "nodes", config.loopback_addresses, config.loopback_network,
                                config.first_node_port, config.last_node_port, config.node_host, config.advertise_host,
                                config.node_memory_scale, config.cluster_node_pool, config.data_dir / "snapshots",
                                config.data_dir / "s3", config.data_dir / "snapshot.key", config.data_dir / "tls"},
                               db, runtime, forwarder);
        fleet.recover();

        workflows::Engine engine(db, clock);
        workflows::add_configuration_kinds(engine);
        workflows::add_cluster_kinds(engine, fleet);
        workflows::add_replication_group_kinds(engine, fleet);
        workflows::add_failover_kinds(engine, fleet);
        workflows::add_snapshot_kinds(engine, fleet);
        engine.start();  // resumes whatever a previous run left unfinished

        // Learns of node deaths at once and of unresponsive nodes within ~1 s.
        health::Monitor monitor(db, runtime, clock, [&engine] { engine.wake(); });
        runtime.on_exit([&monitor](runtime::NodeExit const& exit) { monitor.node_exited(exit); });
        monitor.start();

        // Automatic snapshots run on a clock of their own, which the snapshot-clock path moves ahead.
        core::OffsetClock snapshot_clock(clock);
        handlers::SnapshotScheduler scheduler(db, snapshot_clock, [&engine] { engine.wake(); }, config.data_dir / "s3");
        scheduler.start(std::chrono::seconds(30));

        http::Router router(db, credentials, clock, [&engine] { engine.wake(); },
                            config.loopback_addresses ? std::string() : config.advertise_host,
                            config.data_dir / "s3",
                            [&runtime](core::Scope const& scope, std::string const& cluster, std::string const& node,
                                       int signal_number) -> std::optional<int> {
                                auto const name = workflows::Fleet::node_name(scope, cluster, node);
                                auto const pid = runtime.pid(name);
                                if (!pid || !runtime.signal(name, signal_number))
                                    return std::nullopt;
                                return pid;
                            },
                            [&snapshot_clock, &scheduler](std::int64_t seconds) {
                                snapshot_clock.advance(std::chrono::seconds(seconds));
                                auto const pass = scheduler.run_once();
                                return boost::json::serialize(boost::json::object{
                                    {"Now", core::format_iso8601(snapshot_clock.now_ms())},
                                    {"Started", boost::json::value_from(pass.started)},
                                    {"Deleted", boost::json::value_from(pass.deleted)}});
                            },
                            [&fleet] { return core::read_file(fleet.certificate_authority().certificate_file()); });
        schema_loader.join();
        http::Server server({config.host, config.port, config.io_threads}, router);
        server.listen();
        std::jthread pool_filler;  // pre-starts cluster-mode nodes once the API answers
        server.run([&] {
            pool_filler = std::jthread([&fleet] {
                try {
                    fleet.fill_pool();
                } catch (std::exception const& e) {
                    spdlog::error("starting pool nodes: {}", e.what());
                }
            });
            spdlog::info("keyfleet {} listening on http://{}:{} (data dir {}, schema version {}, {} credential sets)",
                         KEYFLEET_VERSION, config.host, server.port(), fs::absolute(config.data_dir).string(),
                         db.schema_version(), credentials.size());
            if (on_ready)
                on_ready(server.port());
        });
        scheduler.stop();
        monitor.stop();
        runtime.on_exit({});
        engine.stop();
        forwarder.stop();
        fleet.discard_pool();
        runtime.stop_all(std::chrono::seconds(10));  // each node saves its data as it stops
        spdlog::info("keyfleet stopped");
        ::close(lock_fd);
        return 0;
    } catch (std::exception const& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}


// The options `serve` and `run` share; the last of a repeated option wins, so a
// wrapper's defaults (tools/run.sh) can be overridden by appending.
struct ServeFlags {
    core::Config config;
    std::string node_addresses = "loopback";
    std::string node_ports = "21000-21999";
};

void add_serve_options(CLI::App* command, ServeFlags& flags)
{
    command->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    command->add_option("--host", flags.config.host, "Address to listen on")->capture_default_str();
    command->add_option("--port", flags.config.port, "Port to listen on (0: any free port)")->capture_default_str();
    command->add_option("--data-dir", flags.config.data_dir, "Where state, nodes and snapshots live")
        ->capture_default_str();
    command
        ->add_option("--region", flags.config.default_region,
                     "Region for unsigned tooling; API requests take theirs from the SigV4 scope")
        ->capture_default_str()
        ->check([](std::string const& region) {
            return sigv4::is_region_name(region) ? std::string{} : "not a region name: " + region;
        });
    command
        ->add_option("--credentials", flags.config.credentials_file,
                     "File of extra credential sets, one per line: ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID")
        ->check(CLI::ExistingFile);
    command->add_option("--log-level", flags.config.log_level, "trace, debug, info, warn, error, critical or off")
        ->capture_default_str();
    command
        ->add_option("--node-addresses", flags.node_addresses,
                     "loopback: each node and endpoint gets its own 127.N.x.y address on the port its cluster asked "
                     "for (6379), as on AWS; ports: all share --node-host, each on a port of --node-ports (for "
                     "containers and remote clients; implied by --node-ports, --node-host or --advertise-host)")
        ->capture_default_str()
        ->check(CLI::IsMember({"loopback", "ports"}));
    command->add_option("--loopback-network", flags.config.loopback_network, "N of the 127.N.0.0/16 nodes use")
        ->capture_default_str()
        ->check(CLI::Range(1, 254));
    command
        ->add_option("--node-ports", flags.node_ports,
                      "With --node-addresses ports: the port range of nodes and endpoints, FIRST-LAST (cluster buses "
                      "use port + 10000)")
        ->capture_default_str();
    command->add_option("--node-host", flags.config.node_host, "Address nodes and endpoints listen on")
        ->capture_default_str();
    command
        ->add_option("--advertise-host", flags.config.advertise_host,
                     "With --node-addresses ports: the host clients reach nodes on (Endpoint addresses, and what "
                     "cluster nodes announce)")
        ->capture_default_str();
    command
        ->add_option("--node-memory-scale", flags.config.node_memory_scale,
                     "Multiplies each node type's maxmemory (e.g. 0.01 keeps large node types small)")
        ->capture_default_str()
        ->check(CLI::Range(0.0001, 1000.0));
    command
        ->add_option("--cluster-node-pool", flags.config.cluster_node_pool,
                     "Cluster-mode nodes kept pre-started, so new clusters serve at once (each ~10 MB; 0: none)")
        ->capture_default_str()
        ->check(CLI::Range(0, 500));
    command->add_option("--io-threads", flags.config.io_threads, "Threads serving HTTP")
        ->capture_default_str()
        ->check(CLI::Range(1u, 64u));

}

// After parsing: the flags' combinations checked, every path made absolute. False
// (with a message) when they contradict each other.
bool finish_serve_options(CLI::App* command, ServeFlags& flags)
{
    // Asking for a port range, a shared host or an advertised host means ports
    // addressing; naming loopback addressing alongside them is a contradiction.
    bool const ports_flags = command->count("--node-ports") + command->count("--node-host") +
                                 command->count("--advertise-host") > 0;
    if (command->count("--node-addresses") == 0 && ports_flags)
        flags.node_addresses = "ports";
    if (flags.node_addresses == "loopback" && ports_flags) {
        std::cerr << "keyfleet: --node-ports, --node-host and --advertise-host go with --node-addresses ports\n";
        return false;
    }
    flags.config.loopback_addresses = flags.node_addresses == "loopback";
    if (!parse_port_range(flags.node_ports, flags.config.first_node_port, flags.config.last_node_port)) {
        std::cerr << "keyfleet: --node-ports must be FIRST-LAST within 1024-55535, e.g. 21000-21999\n";
        return false;
    }
    // Once, here: nodes run in directories of their own, so every path handed
    // on is absolute.
    if (!flags.config.data_dir.empty())
        flags.config.data_dir = fs::absolute(flags.config.data_dir).lexically_normal();
    if (!flags.config.credentials_file.empty())
        flags.config.credentials_file = fs::absolute(flags.config.credentials_file).lexically_normal();
    return true;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"keyfleet: a local Amazon ElastiCache on real redis-server processes"};
    app.set_version_flag("--version", std::string("keyfleet ") + KEYFLEET_VERSION);
    app.require_subcommand(1);
    auto const io_threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);

    ServeFlags serve_flags;
    serve_flags.config.io_threads = io_threads;
    auto* serve_command = app.add_subcommand("serve", "Serve the ElastiCache API");
    add_serve_options(serve_command, serve_flags);

    // `run` serves on a free port from a temp data dir, quietly, for one command.
    ServeFlags run_flags;
    run_flags.config.io_threads = io_threads;
    run_flags.config.port = 0;
    run_flags.config.data_dir.clear();
    run_flags.config.log_level = "warn";
    RunOptions run_options;
    auto* run = app.add_subcommand(
        "run", "Run a command against a server of its own: a free port, a temp data dir, the endpoint and test "
               "credentials in its environment; every node stopped when it ends, with its exit status");
    add_serve_options(run, run_flags);
    run->get_option("--port")->description("Port to listen on (default 0: any free port)");
    run->get_option("--data-dir")->description("Where state, nodes and snapshots live (default: a temp dir, removed at the end)");
    run->get_option("--loopback-network")->description("N of the 127.N.0.0/16 nodes use (default: one no other server uses)");
    run->add_flag("--keep", run_options.keep, "Keep the data dir (printed at the end)");
    run->add_option("command", run_options.command, "The command and its arguments, after --")->required();

    CLI11_PARSE(app, argc, argv);
    if (serve_command->parsed()) {
        if (!finish_serve_options(serve_command, serve_flags))
            return 2;
        return serve(serve_flags.config);
    }
    if (run->parsed()) {
        if (!finish_serve_options(run, run_flags))
            return 2;
        run_options.config = run_flags.config;
        run_options.pick_loopback_network = run->count("--loopback-network") == 0;
        return run_command(std::move(run_options), [](core::Config const& config, auto on_ready) {
            return serve(config, on_ready);
        });
    }
    return 0;
}
