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

namespace {
std::string read(std::filesystem::path const& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void flip_byte(std::filesystem::path const& path, std::streamoff offset)
{
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(offset);
    char const byte = char(file.get() ^ 0x01);
    file.seekp(offset);
    file.put(byte);
}
}  // namespace

TEST_CASE("the installation key is created once, 256 bits, readable by its owner only", "[core]")
{
    TempDir dir;
    auto const path = dir.path / "snapshot.key";
    auto const key = core::load_or_create_key(path);
    CHECK(key.size() == 32);
    CHECK(core::load_or_create_key(path) == key);
    auto const permissions = std::filesystem::status(path).permissions();
    CHECK((permissions & std::filesystem::perms::all) == (std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_write));
    CHECK(core::load_or_create_key(dir.path / "other.key") != key);
}

TEST_CASE("a sealed copy hides the content and opens back to the same bytes", "[core]")
{
    TempDir dir;
    auto const key = core::load_or_create_key(dir.path / "snapshot.key");
    std::string content = "REDIS0010";
    content += std::string(150'000, 'k');  // more than one read block
    write(dir.path / "plain.rdb", content);
    auto const digest = core::seal_durably(dir.path / "plain.rdb", dir.path / "sealed.rdb", key);
    CHECK(digest.sha256 == core::digest_file(dir.path / "sealed.rdb").sha256);
    CHECK(core::is_sealed(dir.path / "sealed.rdb"));
    CHECK_FALSE(core::is_sealed(dir.path / "plain.rdb"));
    CHECK(read(dir.path / "sealed.rdb").find("REDIS0010") == std::string::npos);
    CHECK(read(dir.path / "sealed.rdb").find(std::string(64, 'k')) == std::string::npos);

    core::copy_plain_durably(dir.path / "sealed.rdb", dir.path / "opened.rdb", key);
    CHECK(read(dir.path / "opened.rdb") == content);
    // A plain file is copied as it is.
    core::copy_plain_durably(dir.path / "plain.rdb", dir.path / "copied.rdb", key);
    CHECK(read(dir.path / "copied.rdb") == content);
    // Two seals of the same content differ (a fresh nonce each time).
    core::seal_durably(dir.path / "plain.rdb", dir.path / "sealed2.rdb", key);
    CHECK(read(dir.path / "sealed2.rdb") != read(dir.path / "sealed.rdb"));
}

TEST_CASE("a damaged, truncated or foreign sealed file does not open and leaves nothing", "[core]")
{
    TempDir dir;
    auto const key = core::load_or_create_key(dir.path / "snapshot.key");
    write(dir.path / "plain.rdb", "REDIS0010" + std::string(5'000, 'v'));
    core::seal_durably(dir.path / "plain.rdb", dir.path / "sealed.rdb", key);
    auto const sealed = read(dir.path / "sealed.rdb");

    flip_byte(dir.path / "sealed.rdb", 2'000);
    CHECK_THROWS_WITH(core::copy_plain_durably(dir.path / "sealed.rdb", dir.path / "out.rdb", key),
                      Catch::Contains("damaged"));
    CHECK_FALSE(std::filesystem::exists(dir.path / "out.rdb"));
    CHECK_FALSE(std::filesystem::exists(dir.path / "out.rdb.partial"));

    write(dir.path / "sealed.rdb", sealed.substr(0, sealed.size() - 1));
    CHECK_THROWS(core::copy_plain_durably(dir.path / "sealed.rdb", dir.path / "out.rdb", key));
    write(dir.path / "sealed.rdb", sealed.substr(0, 20));
    CHECK_THROWS_WITH(core::copy_plain_durably(dir.path / "sealed.rdb", dir.path / "out.rdb", key),
                      Catch::Contains("truncated"));

    write(dir.path / "sealed.rdb", sealed);
    auto const other_key = core::load_or_create_key(dir.path / "other.key");
    CHECK_THROWS_WITH(core::copy_plain_durably(dir.path / "sealed.rdb", dir.path / "out.rdb", other_key),
                      Catch::Contains("another key"));
    CHECK_FALSE(std::filesystem::exists(dir.path / "out.rdb"));
}

TEST_CASE("a durable link shares the source's bytes, which a later rename over the source leaves alone", "[core]")
{
    TempDir dir;
    write(dir.path / "dump.rdb", "REDIS0010 first save");
    auto const digest = core::link_durably(dir.path / "dump.rdb", dir.path / "snapshot.rdb");
    CHECK(digest.sha256 == core::digest_file(dir.path / "dump.rdb").sha256);
    // Redis writes its next save beside and renames it over dump.rdb.
    write(dir.path / "temp.rdb", "REDIS0010 second save");
    std::filesystem::rename(dir.path / "temp.rdb", dir.path / "dump.rdb");
    CHECK(read(dir.path / "snapshot.rdb") == "REDIS0010 first save");
    CHECK(core::digest_file(dir.path / "snapshot.rdb").sha256 == digest.sha256);
}
