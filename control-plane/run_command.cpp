#include "run_command.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

namespace fs = std::filesystem;

namespace keyfleet {

namespace {

volatile std::sig_atomic_t command_pid = 0;
volatile std::sig_atomic_t pending_signal = 0;

constexpr std::array forwarded_signals{SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void forward_signal(int signal_number)
{
    pending_signal = signal_number;
    if (command_pid > 0)
        ::kill(command_pid, signal_number);
}

void set_signal_handlers(void (*handler)(int))
{
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    for (int const signal_number : forwarded_signals)
        ::sigaction(signal_number, &action, nullptr);
}

int wait_for(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

// Something listens on an address of 127.N.0.0/16 (/proc/net/tcp prints 127.N.x.y
// as the little-endian word yyxxNN7F).
bool network_in_use(int network)
{
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);
    char suffix[5];
    std::snprintf(suffix, sizeof suffix, "%02X7F", network);
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        auto const address = local.substr(0, local.find(':'));
        if (state == "0A" && address.size() == 8 && address.ends_with(suffix))
            return true;
    }
    return false;
}

// A loopback network no other server (or test) uses, held by a lock file for as
// long as the returned descriptor stays open in this process or its forks.
std::optional<std::pair<int, int>> claim_loopback_network()
{
    auto const directory = fs::temp_directory_path();
    int const first = 2 + static_cast<int>(::getpid() % 253);
    for (int i = 0; i < 253; ++i) {
        int const network = 2 + (first - 2 + i) % 253;
        auto const lock = directory / ("keyfleet-loopback-network." + std::to_string(network) + ".lock");
        int const fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0)
            continue;
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && !network_in_use(network))
            return std::pair{network, fd};
        ::close(fd);
    }
    return std::nullopt;
}

void set_command_environment(std::string const& url, RunOptions const& options)
{
    ::setenv("AWS_ENDPOINT_URL_ELASTICACHE", url.c_str(), 1);
    ::setenv("AWS_ENDPOINT_URL", url.c_str(), 1);  // any other service must not reach AWS either
    ::setenv("AWS_ACCESS_KEY_ID", "test", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "test", 1);
    ::unsetenv("AWS_SESSION_TOKEN");  // a real session's token has no place here
    ::setenv("AWS_DEFAULT_REGION", options.config.default_region.c_str(), 1);
    ::setenv("AWS_REGION", options.config.default_region.c_str(), 1);
    ::setenv("KEYFLEET_URL", url.c_str(), 1);
    ::setenv("KEYFLEET_DATA_DIR", options.config.data_dir.c_str(), 1);
}

}  // namespace

int run_command(RunOptions options, ServeFunction const& serve)
{
    bool const temporary = options.config.data_dir.empty();
    if (temporary) {
        std::string pattern = (fs::temp_directory_path() / "keyfleet-run.XXXXXX").string();
        if (!::mkdtemp(pattern.data())) {
            std::cerr << "keyfleet run: cannot create a temp dir: " << std::strerror(errno) << "\n";
            return 1;
        }
        options.config.data_dir = pattern;
    }
    int network_lock = -1;
    if (options.pick_loopback_network && options.config.loopback_addresses) {
        auto const claimed = claim_loopback_network();
        if (!claimed) {
            std::cerr << "keyfleet run: every loopback network 127.2-254.0.0/16 is in use; pass --loopback-network\n";
            return 1;
        }
        options.config.loopback_network = claimed->first;
        network_lock = claimed->second;
    }
    auto const remove_data_dir = [&] {
        std::error_code ignored;
        if (temporary && !options.keep)
            fs::remove_all(options.config.data_dir, ignored);
        else if (options.keep)
            std::cerr << "keyfleet run: data dir kept at " << options.config.data_dir.string() << "\n";
    };

    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) {
        std::cerr << "keyfleet run: pipe: " << std::strerror(errno) << "\n";
        return 1;
    }
    pid_t const wrapper = ::getpid();
    pid_t const server = ::fork();
    if (server < 0) {
        std::cerr << "keyfleet run: fork: " << std::strerror(errno) << "\n";
        return 1;
    }
    if (server == 0) {
        // The server goes when the wrapper goes, however it goes; in a process group
        // of its own, a terminal's Ctrl-C reaches the command alone, which decides.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != wrapper)
            ::_exit(1);
        ::setpgid(0, 0);
        ::close(ready[0]);
        int const null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, STDIN_FILENO);
        ::close(null);
        int const status = serve(options.config, [fd = ready[1]](std::uint16_t port) {
            auto const text = std::to_string(port) + "\n";
            [[maybe_unused]] auto const written = ::write(fd, text.data(), text.size());
            ::close(fd);
        });
        if (::getppid() != wrapper) {  // the wrapper was killed: clean up in its place
            std::error_code ignored;
            if (temporary && !options.keep)
                fs::remove_all(options.config.data_dir, ignored);
        }
        ::_exit(status);
    }
    ::close(ready[1]);
    if (network_lock >= 0)
        ::close(network_lock);  // the server holds it now
    set_signal_handlers(forward_signal);

    std::string port_text;
    char buffer[16];
    for (;;) {
        auto const n = ::read(ready[0], buffer, sizeof buffer);
        if (n > 0)
            port_text.append(buffer, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EINTR)
            break;
    }
    ::close(ready[0]);
    if (port_text.empty() || pending_signal != 0) {
        ::kill(server, SIGTERM);
        int const status = wait_for(server);
        remove_data_dir();
        if (pending_signal != 0)
            return 128 + pending_signal;
        std::cerr << "keyfleet run: the server did not start (exit status "
                  << (WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) << ")\n";
        return 1;
    }
    auto const url = "http://" + options.config.host + ":" + std::to_string(std::stoi(port_text));

    // The forwarded signals wait until command_pid is set here and the child has
    // dropped the forwarding handlers: none is lost or forwarded by the child.
    sigset_t forwarded, previous;
    sigemptyset(&forwarded);
    for (int const signal_number : forwarded_signals)
        sigaddset(&forwarded, signal_number);
    ::sigprocmask(SIG_BLOCK, &forwarded, &previous);
    pid_t const command = ::fork();
    if (command > 0) {
        command_pid = command;
        if (pending_signal != 0)
            ::kill(command, pending_signal);  // it came after the server answered, before now
    }
    if (command != 0)
        ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (command < 0) {
        std::cerr << "keyfleet run: fork: " << std::strerror(errno) << "\n";
        ::kill(server, SIGTERM);
        wait_for(server);
        remove_data_dir();
        return 1;
    }
    if (command == 0) {
        set_signal_handlers(SIG_DFL);
        ::sigprocmask(SIG_SETMASK, &previous, nullptr);
        set_command_environment(url, options);
        std::vector<char*> argv;
        for (auto& argument : options.command)
            argv.push_back(argument.data());
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        std::cerr << "keyfleet run: cannot run " << options.command[0] << ": " << std::strerror(errno) << "\n";
        ::_exit(errno == ENOENT ? 127 : 126);
    }
    int const status = wait_for(command);
    command_pid = 0;

    ::kill(server, SIGTERM);  // stops every node, each saving its data
    int const server_status = wait_for(server);
    remove_data_dir();
    if (server_status != 0)
        std::cerr << "keyfleet run: the server exited with status "
                  << (WIFEXITED(server_status) ? WEXITSTATUS(server_status) : 128 + WTERMSIG(server_status)) << "\n";
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

}  // namespace keyfleet
