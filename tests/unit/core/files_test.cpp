#include "core/files.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace keyfleet;

namespace {
struct TempDir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("keyfleet-files-test-" + std::to_string(::getpid()));
    TempDir()
    {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

void write(std::filesystem::path const& path, std::string const& content)
{
    std::ofstream(path, std::ios::binary) << content;
}
}  // namespace

TEST_CASE("a file's digest is its size and the SHA-256 of its bytes", "[core]")
{
    TempDir dir;
    write(dir.path / "abc", "abc");
    auto const digest = core::digest_file(dir.path / "abc");
    CHECK(digest.size == 3);
    CHECK(digest.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    write(dir.path / "empty", "");
    CHECK(core::digest_file(dir.path / "empty").sha256 ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("a durable copy has the source's bytes, answers their digest and leaves no partial file", "[core]")
{
    TempDir dir;
    std::string content(200'000, 'x');
    content[123'456] = 'y';  // more than one read block
    write(dir.path / "from.rdb", content);
    write(dir.path / "to.rdb", "an older file it replaces");
    auto const digest = core::copy_durably(dir.path / "from.rdb", dir.path / "to.rdb");
    CHECK(digest.size == 200'000);
    CHECK(digest.sha256 == core::digest_file(dir.path / "from.rdb").sha256);
    CHECK(core::digest_file(dir.path / "to.rdb").sha256 == digest.sha256);
    CHECK_FALSE(std::filesystem::exists(dir.path / "to.rdb.partial"));
}

TEST_CASE("a missing file is an error naming it, for digests and copies", "[core]")
{
    TempDir dir;
    CHECK_THROWS_WITH(core::digest_file(dir.path / "absent.rdb"), Catch::Contains("absent.rdb"));
    CHECK_THROWS_WITH(core::copy_durably(dir.path / "absent.rdb", dir.path / "to.rdb"), Catch::Contains("absent.rdb"));
    CHECK_FALSE(std::filesystem::exists(dir.path / "to.rdb"));
}
