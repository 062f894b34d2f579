// Files linked into the binary at build time (api-schemas/, migrations/), so one
// executable carries its wire contract, catalogs and schema migrations.
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace keyfleet::core {

struct EmbeddedFile {
    std::string_view path;      // relative to the source tree, e.g. "migrations/0001_x.sql"
    std::string_view contents;  // followed by a NUL byte in memory
};

// Defined in the file cmake/embed.cmake generates.
std::span<const EmbeddedFile> embedded_files();

// The contents of one embedded file; throws std::out_of_range when absent.
std::string_view embedded(std::string_view path);

// Every embedded file under a folder, ordered by path.
std::vector<EmbeddedFile> embedded_under(std::string_view folder);

}  // namespace keyfleet::core
