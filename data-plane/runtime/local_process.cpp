#include "runtime/local_process.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <vector>

namespace keyfleet::runtime {

namespace {

// The pids of redis-server processes whose working directory is under `dir`
// (also when the directory has since been deleted).
std::vector<int> nodes_working_under(std::filesystem::path const& dir)
{
    std::error_code error;
    auto const root = std::filesystem::weakly_canonical(dir, error).string() + "/";
    std::vector<int> pids;
    for (auto const& entry : std::filesystem::directory_iterator("/proc", error)) {
        auto const& name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        auto cwd = std::filesystem::read_symlink(entry.path() / "cwd", error).string();
        if (error)
            continue;
        if (std::string_view const deleted = " (deleted)"; cwd.ends_with(deleted))
            cwd.resize(cwd.size() - deleted.size());
        if (!(cwd + "/").starts_with(root))
            continue;
        std::string command;
        std::getline(std::ifstream(entry.path() / "comm"), command);
        if (command == "redis-server")
            pids.push_back(std::stoi(name));
    }
    return pids;
}

// Waits until the (not necessarily child) process has exited; false on timeout.
bool await_exit(int pidfd, std::chrono::milliseconds timeout)
{
    pollfd fd{pidfd, POLLIN, 0};
    return ::poll(&fd, 1, static_cast<int>(timeout.count())) != 0;
}

// At most the last 64 KiB of a file from `offset` on; "" when it cannot be read.
std::string read_tail(std::filesystem::path const& file, std::uintmax_t offset)
{
    std::error_code error;
    auto const size = std::filesystem::file_size(file, error);
    if (error || size <= offset)
        return {};
    auto const start = std::max<std::uintmax_t>(offset, size > 65536 ? size - 65536 : 0);
    std::ifstream in(file, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(start));
    std::string text(static_cast<std::size_t>(size - start), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

// The text of a redis-server log line without its "pid:role dd Mon yyyy hh:mm:ss.mmm "
// prefix; `level` gets its level mark (. - * #), or 0 for a line without the prefix.
std::string_view log_message(std::string_view line, char& level)
{
    static std::regex const prefix(R"(^\d+:[A-Z] \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} ([.*#-]) )");
    std::match_results<std::string_view::const_iterator> match;
    level = 0;
    if (!std::regex_search(line.begin(), line.end(), match, prefix))
        return line;
    level = *match[1].first;
    return line.substr(static_cast<std::size_t>(match.length(0)));
}

// The last `count` lines worth reporting: warnings of a log (not its advisory
// "WARNING ..." lines) when it has any, else any line but banners; each kept short
// and printable.
std::vector<std::string> last_lines(std::string const& text, std::size_t count)
{
    std::vector<std::string> warnings, others;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        char level = 0;
        auto message = log_message(std::string_view(text).substr(start, end - start), level);
        start = end + 1;
        std::string clean;
        for (char const c : message.substr(0, 200))
            clean += (c >= 0x20 && c < 0x7f) ? c : ' ';
        while (!clean.empty() && clean.back() == ' ')
            clean.pop_back();
        if (clean.empty() || clean.starts_with("***"))
            continue;
        (level == '#' && !clean.starts_with("WARNING") ? warnings : others).push_back(std::move(clean));
    }
    auto& chosen = warnings.empty() ? others : warnings;
    if (chosen.size() > count)
        chosen.erase(chosen.begin(), chosen.end() - static_cast<std::ptrdiff_t>(count));
    return chosen;
}

}  // namespace

std::string describe_exit(int wait_status, std::filesystem::path const& output, std::filesystem::path const& log,
                          std::uintmax_t log_offset)
{
    if (WIFSIGNALED(wait_status))
        return "was killed by signal " + std::to_string(WTERMSIG(wait_status));
    auto reason = "exited with status " + std::to_string(WEXITSTATUS(wait_status));
    if (WEXITSTATUS(wait_status) == 0)
        return reason;
    auto lines = last_lines(read_tail(output, 0), 3);
    if (lines.empty() && !log.empty())
        lines = last_lines(read_tail(log, log_offset), 2);
    for (std::size_t i = 0; i < lines.size(); ++i)
        reason += (i == 0 ? ": " : "; ") + lines[i];
    return reason;
}

int stop_leftover_nodes(std::filesystem::path const& nodes_dir, std::chrono::milliseconds grace)
{
    std::vector<std::pair<int, int>> leftovers;  // pid, pidfd
    for (int const pid : nodes_working_under(nodes_dir)) {
        int const pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
        if (pidfd < 0)
            continue;  // gone already
        ::kill(pid, SIGCONT);  // a paused node could not act on SIGTERM
        ::kill(pid, SIGTERM);
        leftovers.emplace_back(pid, pidfd);
    }
    auto const deadline = std::chrono::steady_clock::now() + grace;
    for (auto const& [pid, pidfd] : leftovers) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (!await_exit(pidfd, std::max(left, std::chrono::milliseconds(0)))) {
            spdlog::warn("node process {} of an earlier run did not stop within {} ms; killing it", pid, grace.count());
            ::kill(pid, SIGKILL);
            await_exit(pidfd, std::chrono::seconds(5));
        }
        ::close(pidfd);
    }
    if (!leftovers.empty())
        spdlog::info("stopped {} node processes of an earlier run", leftovers.size());
    return static_cast<int>(leftovers.size());
}

// Absolute: nodes exec it from their own directories.
std::filesystem::path find_redis_server()
{
    if (auto const* configured = std::getenv("KEYFLEET_REDIS_SERVER"); configured && *configured)
        return std::filesystem::absolute(configured);
    if (auto const* path = std::getenv("PATH")) {
        std::string_view rest = path;
        while (!rest.empty()) {
            auto const colon = rest.find(':');
            auto const candidate = std::filesystem::path(rest.substr(0, colon)) / "redis-server";
            if (::access(candidate.c_str(), X_OK) == 0)
                return std::filesystem::absolute(candidate);
            if (colon == std::string_view::npos)
                break;
            rest.remove_prefix(colon + 1);
        }
    }
    for (auto const* candidate : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"})
        if (::access(candidate, X_OK) == 0)
            return candidate;
    throw std::runtime_error("redis-server not found: install redis-server (tools/setup.sh) or set KEYFLEET_REDIS_SERVER");
}

LocalProcessRuntime::LocalProcessRuntime(std::filesystem::path redis_server) : redis_server_(std::move(redis_server))
{
    wakeup_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeup_fd_ < 0)
        throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
    supervisor_ = std::thread([this] { supervise(); });
}

LocalProcessRuntime::~LocalProcessRuntime()
{
    stop_all(std::chrono::seconds(10));
    {
        std::lock_guard lock(mutex_);
        shutting_down_ = true;
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto const written = ::write(wakeup_fd_, &one, sizeof one);
    supervisor_.join();
    ::close(wakeup_fd_);
}

int LocalProcessRuntime::start(NodeProcess const& node)
{
    std::future<int> pid;
    {
        std::lock_guard lock(mutex_);
        if (children_.contains(node.name))
            throw std::runtime_error("node " + node.name + " is already running");
        requests_.push_back({node, {}});
        pid = requests_.back().pid.get_future();
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto const written = ::write(wakeup_fd_, &one, sizeof one);
    return pid.get();  // rethrows a spawn failure
}

// Forked on the supervisor thread only: PR_SET_PDEATHSIG fires when the thread
// that forked the child ends, and this thread lives as long as keyfleet.
int LocalProcessRuntime::spawn(NodeProcess const& node)
{
    // The child runs in its own directory: every path it is given is absolute.
    std::string const program = redis_server_.string();
    std::string const config = std::filesystem::absolute(node.config).string();
    std::string const directory = std::filesystem::absolute(node.directory).string();
    auto const output = std::filesystem::absolute(node.directory) / output_file_name;
    auto const log = node.log.empty() ? std::filesystem::path() : std::filesystem::absolute(node.log);
    std::error_code no_log;
    auto const log_offset = log.empty() ? 0 : std::filesystem::file_size(log, no_log);
    std::string const output_path = output.string();
    pid_t const parent = ::getpid();
    char* const argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>(config.c_str()), nullptr};

    // Signals wait until the child has dropped keyfleet's handlers: a SIGTERM from
    // stop() between fork and exec must end the node, not run keyfleet's handler
    // in the child (and be lost).
    sigset_t all, previous;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t const pid = ::fork();
    if (pid != 0)
        ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (pid < 0)
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        // Child: async-signal-safe calls only, then exec.
        struct sigaction default_action {};
        default_action.sa_handler = SIG_DFL;
        for (int signal_number = 1; signal_number < NSIG; ++signal_number)
            ::sigaction(signal_number, &default_action, nullptr);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(1);  // keyfleet died between fork and prctl
        if (::chdir(directory.c_str()) != 0)
            ::_exit(126);
        int const devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0)
            ::dup2(devnull, 0);
        // What it says before its log is open is read back if it fails.
        int out = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out < 0)
            out = devnull;
        if (out >= 0) {
            ::dup2(out, 1);
            ::dup2(out, 2);
        }
        // Nothing of keyfleet's may live on in the node: Asio opens its sockets
        // without close-on-exec, and a node holding the API or an endpoint's
        // listening socket would keep it open after keyfleet closed it.
        ::close_range(3, ~0U, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execv(program.c_str(), argv);
        ::_exit(127);
    }
    // Through syscall(): Debian 12's <sys/pidfd.h> lacks C linkage for C++.
    int const pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        throw std::runtime_error(std::string("pidfd_open: ") + std::strerror(errno));
    }
    std::lock_guard lock(mutex_);
    children_[node.name] = Child{pid, pidfd, false, std::filesystem::absolute(node.directory), output, log,
                                 no_log ? 0 : log_offset};
    exits_.erase(node.name);
    return pid;
}

void LocalProcessRuntime::supervise()
{
    while (true) {
        std::vector<pollfd> fds{{wakeup_fd_, POLLIN, 0}};
        std::vector<std::string> watched;
        {
            std::lock_guard lock(mutex_);
            if (shutting_down_ && children_.empty())
                return;
            for (auto const& [name, child] : children_) {
                fds.push_back({child.pidfd, POLLIN, 0});
                watched.push_back(name);
            }
        }
        if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) {
            spdlog::error("node supervisor: poll: {}", std::strerror(errno));
            continue;
        }
        if (fds[0].revents & POLLIN) {
            std::uint64_t count = 0;
            [[maybe_unused]] auto const got = ::read(wakeup_fd_, &count, sizeof count);
            std::deque<SpawnRequest> pending;
            {
                std::lock_guard lock(mutex_);
                pending.swap(requests_);
            }
            for (auto& request : pending) {
                try {
                    request.pid.set_value(spawn(request.node));
                } catch (...) {
                    request.pid.set_exception(std::current_exception());
                }
            }
        }
        for (std::size_t i = 1; i < fds.size(); ++i)
            if (fds[i].revents & (POLLIN | POLLHUP))
                reap(watched[i - 1]);
    }
}

void LocalProcessRuntime::reap(std::string const& name)
{
    NodeExit exit;
    {
        std::lock_guard lock(mutex_);
        auto const found = children_.find(name);
        if (found == children_.end())
            return;
        int status = 0;
        if (::waitpid(found->second.pid, &status, WNOHANG) == 0)
            return;  // not exited yet
        ::close(found->second.pidfd);
        auto const& child = found->second;
        exit = {name, child.pid, status, child.stopping,
                child.stopping ? std::string() : describe_exit(status, child.output, child.log, child.log_offset)};
        exits_[name] = exit;
        children_.erase(found);
    }
    exited_.notify_all();
    if (!exit.expected)
        spdlog::warn("node {} (pid {}) {}", exit.name, exit.pid, exit.reason);
    std::function<void(NodeExit const&)> callback;
    {
        std::lock_guard lock(mutex_);
        callback = on_exit_;
    }
    if (callback)
        callback(exit);
}

void LocalProcessRuntime::stop(std::string_view name, std::chrono::milliseconds deadline)
{
    std::unique_lock lock(mutex_);
    auto const found = children_.find(name);
    if (found == children_.end())
        return;
    found->second.stopping = true;
    ::kill(found->second.pid, SIGCONT);  // a paused node could not act on SIGTERM
    ::kill(found->second.pid, SIGTERM);
    auto const gone = [&] { return !children_.contains(name); };
    if (!exited_.wait_for(lock, deadline, gone)) {
        if (auto const still = children_.find(name); still != children_.end()) {
            spdlog::warn("node {} did not stop within {} ms; killing it", name, deadline.count());
            ::kill(still->second.pid, SIGKILL);
        }
        exited_.wait(lock, gone);
    }
}

void LocalProcessRuntime::discard(std::string_view name)
{
    std::unique_lock lock(mutex_);
    auto const found = children_.find(name);
    if (found == children_.end())
        return;
    found->second.stopping = true;
    ::kill(found->second.pid, SIGKILL);
    exited_.wait(lock, [&] { return !children_.contains(name); });
}

void LocalProcessRuntime::stop_all(std::chrono::milliseconds deadline)
{
    std::vector<std::string> all;
    {
        std::lock_guard lock(mutex_);
        for (auto& [name, child] : children_) {
            child.stopping = true;
            ::kill(child.pid, SIGCONT);
            ::kill(child.pid, SIGTERM);
            all.push_back(name);
        }
    }
    // They stop in parallel; stop() waits for each (and kills a straggler).
    for (auto const& name : all)
        stop(name, deadline);
}

bool LocalProcessRuntime::running(std::string_view name) const
{
    std::lock_guard lock(mutex_);
    return children_.contains(name);
}

std::optional<int> LocalProcessRuntime::pid(std::string_view name) const
{
    std::lock_guard lock(mutex_);
    auto const found = children_.find(name);
    return found == children_.end() ? std::nullopt : std::optional<int>(found->second.pid);
}

std::optional<NodeExit> LocalProcessRuntime::last_exit(std::string_view name) const
{
    std::lock_guard lock(mutex_);
    auto const found = exits_.find(name);
    if (found == exits_.end() || children_.contains(name))
        return std::nullopt;
    return found->second;
}

std::vector<std::string> LocalProcessRuntime::names() const
{
    std::lock_guard lock(mutex_);
    std::vector<std::string> all;
    for (auto const& [name, child] : children_)
        all.push_back(name);
    return all;
}

bool LocalProcessRuntime::signal(std::string_view name, int signal_number)
{
    std::lock_guard lock(mutex_);
    auto const found = children_.find(name);
    return found != children_.end() && ::kill(found->second.pid, signal_number) == 0;
}

void LocalProcessRuntime::rename(std::string_view from, std::string_view to, std::filesystem::path const& directory)
{
    std::lock_guard lock(mutex_);
    auto const found = children_.find(from);
    if (found == children_.end())
        throw std::runtime_error("no running node " + std::string(from));
    auto node = children_.extract(found);
    node.key() = std::string(to);
    // Its files moved with the directory.
    auto& child = node.mapped();
    auto const moved = std::filesystem::absolute(directory);
    auto const rebase = [&](std::filesystem::path& file) {
        if (!file.empty())
            file = moved / file.lexically_relative(child.directory);
    };
    rebase(child.output);
    rebase(child.log);
    child.directory = moved;
    children_.insert(std::move(node));
}

void LocalProcessRuntime::on_exit(std::function<void(NodeExit const&)> callback)
{
    std::lock_guard lock(mutex_);
    on_exit_ = std::move(callback);
}

}  // namespace keyfleet::runtime
