// Files both planes handle whole: SHA-256 digests of RDB files, copies made
// durable (written beside, fsynced, renamed into place, directory fsynced), so a
// crash leaves either the whole file or none, and sealed copies: AES-256-GCM
// under the installation's key, for snapshots of encrypted groups.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

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

// Like copy_durably, for a file nobody writes again (Redis replaces dump.rdb by a
// rename): a hard link when both are on one file system, else a copy. The
// source must already be on disk (Redis fsyncs an RDB before its rename).
FileDigest link_durably(std::filesystem::path const& from, std::filesystem::path const& to);

// The installation's 256-bit key for sealed files, read from `path`; created
// there (random, mode 0600) when missing.
std::string load_or_create_key(std::filesystem::path const& path);

// Like copy_durably, but the copy is sealed with AES-256-GCM under `key`:
// a magic header, a random 96-bit nonce, the ciphertext, the 128-bit tag.
FileDigest seal_durably(std::filesystem::path const& from, std::filesystem::path const& to, std::string const& key);

// True when the file is a sealed copy.
bool is_sealed(std::filesystem::path const& path);

// Copies `from` to `to` durably as plain content: opened with `key` when it is
// sealed. Throws std::runtime_error when a sealed file is damaged or was
// sealed under another key (nothing is left at `to`).
void copy_plain_durably(std::filesystem::path const& from, std::filesystem::path const& to, std::string const& key);

// Writes `content` to `to` (replacing it), durably, with file mode `mode`.
FileDigest write_file_durably(std::filesystem::path const& to, std::string_view content, mode_t mode = 0644);

// The whole file, and its digest when asked. Throws std::runtime_error when it
// cannot be read.
std::string read_file(std::filesystem::path const& path, FileDigest* digest = nullptr);

// fsync of a directory, so the names created in it survive a crash.
void sync_directory(std::filesystem::path const& directory);

}  // namespace keyfleet::core
