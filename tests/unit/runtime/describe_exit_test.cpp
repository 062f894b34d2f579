#include "runtime/local_process.h"

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using keyfleet::runtime::describe_exit;

namespace {

struct TempDir {
    fs::path path;
    TempDir()
    {
        std::string pattern = (fs::temp_directory_path() / "keyfleet-describe-exit.XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path); }
    fs::path write(std::string const& name, std::string const& text) const
    {
        std::ofstream(path / name, std::ios::binary) << text;
        return path / name;
    }
};

int exited(int status) { return (status & 0xff) << 8; }  // a wait status, as waitpid makes it

}  // namespace

TEST_CASE("a failed start is told by what the node wrote to stderr before its log opened")
{
    TempDir dir;
    auto const output = dir.write("output.log",
                                  "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, "
                                  "at line 2\n>>> 'logfile \"/x/node.log\"'\nCan't open the log file: Is a directory\n");
    auto const reason = describe_exit(exited(1), output, dir.path / "node.log", 0);
    CHECK(reason == "exited with status 1: Reading the configuration file, at line 2; >>> 'logfile \"/x/node.log\"'; "
                    "Can't open the log file: Is a directory");
}

TEST_CASE("a failed start is told by the warnings of its own log, written in this run, without advisories")
{
    TempDir dir;
    auto const output = dir.write("output.log", "");
    auto const log = dir.write(
        "node.log",
        "1:M 05 Dec 2026 10:00:00.000 # an earlier run's warning\n"
        "2:C 05 Dec 2026 11:00:00.000 # WARNING Memory overcommit must be enabled!\n"
        "2:M 05 Dec 2026 11:00:00.001 * Server initialized\n"
        "2:M 05 Dec 2026 11:00:00.002 # Can't handle RDB format version 11\n"
        "2:M 05 Dec 2026 11:00:00.003 # Fatal error loading the DB: Invalid argument. Exiting.\n");
    auto const earlier = std::string("1:M 05 Dec 2026 10:00:00.000 # an earlier run's warning\n").size();
    CHECK(describe_exit(exited(1), output, log, earlier) ==
          "exited with status 1: Can't handle RDB format version 11; Fatal error loading the DB: Invalid argument. Exiting.");
}

TEST_CASE("exits that are not failures carry no lines; signals are named; unprintable bytes are blanked")
{
    TempDir dir;
    auto const output = dir.write("output.log", "bad \x1b[31mbyte\x7f\n");
    CHECK(describe_exit(exited(0), output, {}, 0) == "exited with status 0");
    CHECK(describe_exit(SIGKILL, output, {}, 0) == "was killed by signal 9");
    CHECK(describe_exit(exited(2), output, {}, 0) == "exited with status 2: bad  [31mbyte");
    CHECK(describe_exit(exited(3), dir.path / "missing", dir.path / "missing-too", 0) == "exited with status 3");
}
