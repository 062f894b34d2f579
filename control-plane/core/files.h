// Files both planes handle whole: SHA-256 digests of RDB files, and copies
// made durable (written beside, fsynced, renamed into place, directory fsynced),
// so a crash leaves either the whole file or none.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace keyfleet::core {

struct FileDigest {
    std::int64_t size = 0;
    std::string sha256;  // lowercase hex
};

// Throws std::runtime_error when the file cannot be read.
FileDigest digest_file(std::filesystem::path const& path);

// Copies `from` to `to` (replacing it), durably; answers the digest of what was
// written. Throws std::runtime_error naming the file that failed.
FileDigest copy_durably(std::filesystem::path const& from, std::filesystem::path const& to);

// fsync of a directory, so the names created in it survive a crash.
void sync_directory(std::filesystem::path const& directory);

}  // namespace keyfleet::core
