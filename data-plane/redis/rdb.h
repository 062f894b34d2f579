// RDB files as redis-server writes them (format versions 5 to 11: Redis up to
// 7.2, Valkey up to 8.0), read record by record without loading them: enough
// to split files by slot into files redis-server loads as it would the
// originals. Values are copied byte for byte, never re-encoded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::redis {

// A file this reader cannot split with certainty: damaged, truncated, a bad
// checksum, or records it does not know (modules, newer formats).
class RdbError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct RdbInput {
    std::string_view bytes;
    // Its integrity is known already (a snapshot's SHA-256): its own checksum is
    // not computed again.
    bool checked = false;
};

struct RdbSplit {
    std::vector<std::string> parts;  // whole RDB files, with no checksum (0: "checksum disabled")
    std::size_t keys = 0;            // keys written to the parts
    std::size_t dropped_keys = 0;    // keys of databases other than 0, when only database 0 is kept
};

// Splits whole RDB files, read in order, into `parts` files: each key (with its
// expiry time and eviction data) goes to the part `part_of` names for its
// decoded name; functions go to every part; the first file's header fields go
// to every part, but not its replication id and offset. Each file's checksum
// is verified unless it is known good already. With
// `only_database_zero`, keys of other databases are dropped and counted.
// Throws RdbError when a file cannot be read with certainty, or when a key is in
// more than one file (redis-server refuses a file holding a key twice).
RdbSplit split_rdb(std::vector<RdbInput> const& files, std::size_t parts,
                   std::function<std::size_t(std::string_view key)> const& part_of, bool only_database_zero);

// Redis's CRC-64 (Jones polynomial, reflected), which the last 8 bytes of an
// RDB file carry (little-endian) over everything before them.
std::uint64_t crc64(std::string_view bytes);

}  // namespace keyfleet::redis
