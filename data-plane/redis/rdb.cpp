#include "redis/rdb.h"

#include <boost/crc.hpp>
#include <fmt/format.h>
#include <lzf.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <set>
#include <utility>

namespace keyfleet::redis {

namespace {

constexpr std::string_view magic = "REDIS";
constexpr int oldest_version = 5;  // the first with a checksum
constexpr int newest_version = 11;

enum Opcode : std::uint8_t {
    function2 = 245,
    function_pre_ga = 246,
    module_aux = 247,
    idle = 248,
    freq = 249,
    aux = 250,
    resize_db = 251,
    expire_time_ms = 252,
    expire_time = 253,
    select_db = 254,
    eof = 255,
};

enum ValueType : std::uint8_t {
    string_value = 0,
    list = 1,
    set = 2,
    zset = 3,
    hash = 4,
    zset_2 = 5,
    hash_zipmap = 9,
    list_ziplist = 10,
    set_intset = 11,
    zset_ziplist = 12,
    hash_ziplist = 13,
    list_quicklist = 14,
    stream_listpacks = 15,
    hash_listpack = 16,
    zset_listpack = 17,
    list_quicklist_2 = 18,
    stream_listpacks_2 = 19,
    set_listpack = 20,
    stream_listpacks_3 = 21,
};

class Reader {
public:
    explicit Reader(std::string_view data) : data_(data) {}

    std::size_t position() const { return position_; }
    std::string_view since(std::size_t start) const { return data_.substr(start, position_ - start); }

    std::uint8_t byte()
    {
        need(1);
        return static_cast<std::uint8_t>(data_[position_++]);
    }

    void skip(std::uint64_t n)
    {
        need(n);
        position_ += std::size_t(n);
    }

    std::uint64_t little_endian(int bytes)
    {
        need(std::uint64_t(bytes));
        std::uint64_t value = 0;
        for (int i = bytes - 1; i >= 0; --i)
            value = (value << 8) | static_cast<std::uint8_t>(data_[position_ + std::size_t(i)]);
        position_ += std::size_t(bytes);
        return value;
    }

    // A length, or (with `encoded` given) a string's special encoding.
    std::uint64_t length(bool* encoded = nullptr)
    {
        auto const first = byte();
        switch (first >> 6) {
        case 0:
            return first & 0x3f;
        case 1:
            return (std::uint64_t(first & 0x3f) << 8) | byte();
        case 3:
            if (!encoded)
                throw RdbError("an encoded string where a length belongs");
            *encoded = true;
            return first & 0x3f;
        default:
            break;
        }
        if (first == 0x80 || first == 0x81) {
            int const bytes = first == 0x80 ? 4 : 8;
            need(std::uint64_t(bytes));
            std::uint64_t value = 0;
            for (int i = 0; i < bytes; ++i)
                value = (value << 8) | static_cast<std::uint8_t>(data_[position_++]);
            return value;
        }
        throw RdbError(fmt::format("unknown length encoding {:#x}", first));
    }

    // A string as redis-server reads it: raw, an integer, or LZF-compressed.
    // Decoded only when `keep`.
    std::string string(bool keep)
    {
        bool encoded = false;
        auto const n = length(&encoded);
        if (!encoded) {
            need(n);
            std::string text = keep ? std::string(data_.substr(position_, std::size_t(n))) : std::string();
            position_ += std::size_t(n);
            return text;
        }
        switch (n) {
        case 0:
            return integer_text(static_cast<std::int8_t>(little_endian(1)), keep);
        case 1:
            return integer_text(static_cast<std::int16_t>(little_endian(2)), keep);
        case 2:
            return integer_text(static_cast<std::int32_t>(little_endian(4)), keep);
        case 3: {
            auto const compressed = length();
            auto const plain = length();
            need(compressed);
            std::string text;
            if (keep) {
                if (compressed > UINT32_MAX || plain > UINT32_MAX)
                    throw RdbError("a compressed string too large to read");
                text.resize(std::size_t(plain));
                if (plain > 0 && lzf_decompress(data_.data() + position_, unsigned(compressed), text.data(),
                                                unsigned(plain)) != plain)
                    throw RdbError("a compressed string that does not decompress");
            }
            position_ += std::size_t(compressed);
            return text;
        }
        default:
            throw RdbError(fmt::format("unknown string encoding {}", n));
        }
    }

    void skip_string() { string(false); }

    // A key's name: a view of the file when stored raw (most are), else decoded into `scratch`.
    std::string_view key(std::string& scratch)
    {
        auto const start = position_;
        auto const first = byte();
        if ((first >> 6) == 0 && (first & 0x3f) <= data_.size() - position_) {
            auto const name = data_.substr(position_, first & 0x3f);
            position_ += name.size();
            return name;
        }
        position_ = start;
        scratch = string(true);
        return scratch;
    }

private:
    void need(std::uint64_t n) const
    {
        if (n > data_.size() - position_)
            throw RdbError("the file ends inside a record");
    }

    static std::string integer_text(long long value, bool keep) { return keep ? std::to_string(value) : std::string(); }

    std::string_view data_;
    std::size_t position_ = 0;
};

void skip_strings(Reader& in, std::uint64_t count)
{
    for (std::uint64_t i = 0; i < count; ++i)
        in.skip_string();
}

void skip_stream(Reader& in, std::uint8_t type)
{
    skip_strings(in, 2 * in.length());  // listpacks: node key, listpack
    for (int i = 0; i < 3; ++i)         // length, last id
        in.length();
    if (type >= stream_listpacks_2)
        for (int i = 0; i < 5; ++i)  // first id, max deleted id, entries added
            in.length();
    for (auto groups = in.length(); groups > 0; --groups) {
        in.skip_string();
        in.length();  // last delivered id
        in.length();
        if (type >= stream_listpacks_2)
            in.length();  // entries read
        for (auto pending = in.length(); pending > 0; --pending) {
            in.skip(16 + 8);  // id, delivery time
            in.length();      // delivery count
        }
        for (auto consumers = in.length(); consumers > 0; --consumers) {
            in.skip_string();
            in.skip(type >= stream_listpacks_3 ? 16 : 8);  // seen time (and active time)
            in.skip(16 * in.length());                      // pending ids
        }
    }
}

void skip_value(Reader& in, std::uint8_t type)
{
    switch (type) {
    case string_value:
    case hash_zipmap:
    case list_ziplist:
    case set_intset:
    case zset_ziplist:
    case hash_ziplist:
    case hash_listpack:
    case zset_listpack:
    case set_listpack:
        in.skip_string();
        return;
    case list:
    case set:
    case list_quicklist:
        skip_strings(in, in.length());
        return;
    case hash:
        skip_strings(in, 2 * in.length());
        return;
    case zset:
        for (auto n = in.length(); n > 0; --n) {
            in.skip_string();
            if (auto const size = in.byte(); size < 253)  // 253-255: nan, +inf, -inf
                in.skip(size);
        }
        return;
    case zset_2:
        for (auto n = in.length(); n > 0; --n) {
            in.skip_string();
            in.skip(8);  // binary double
        }
        return;
    case list_quicklist_2:
        for (auto n = in.length(); n > 0; --n) {
            in.length();  // container
            in.skip_string();
        }
        return;
    case stream_listpacks:
    case stream_listpacks_2:
    case stream_listpacks_3:
        skip_stream(in, type);
        return;
    default:
        throw RdbError(fmt::format("values of type {} (modules, newer formats) cannot be split", type));
    }
}

void append_length(std::string& out, std::uint64_t n)
{
    if (n < 64) {
        out.push_back(char(n));
    } else if (n < 16384) {
        out.push_back(char(0x40 | (n >> 8)));
        out.push_back(char(n & 0xff));
    } else {
        out.push_back(char(0x80));
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(char((n >> shift) & 0xff));
    }
}

int version_of(std::string_view file)
{
    int version = 0;
    if (file.size() < 9 || !file.starts_with(magic) ||
        std::from_chars(file.data() + 5, file.data() + 9, version).ptr != file.data() + 9)
        throw RdbError("not an RDB file");
    if (version < oldest_version || version > newest_version)
        throw RdbError(fmt::format("RDB format version {} cannot be split", version));
    return version;
}

struct Part {
    std::string bytes;
    std::uint64_t database = UINT64_MAX;  // the last SELECTDB written
};

}  // namespace

std::uint64_t crc64(std::string_view bytes)
{
    boost::crc_optimal<64, 0xad93d23594c935a9ULL, 0, 0, true, true> sum;
    sum.process_bytes(bytes.data(), bytes.size());
    return sum.checksum();
}

RdbSplit split_rdb(std::vector<RdbInput> const& files, std::size_t parts,
                   std::function<std::size_t(std::string_view key)> const& part_of, bool only_database_zero)
{
    if (parts == 0)
        throw RdbError("no part to split into");
    int version = oldest_version;
    for (auto const& file : files)
        version = std::max(version, version_of(file.bytes));
    std::vector<Part> out(parts);
    std::size_t total = 0;
    for (auto const& file : files)
        total += file.bytes.size();
    for (auto& part : out) {
        part.bytes = fmt::format("{}{:04}", magic, version);
        part.bytes.reserve(total / parts + total / 8);
    }
    auto const to_every_part = [&](std::string_view record) {
        for (auto& part : out)
            part.bytes.append(record);
    };
    std::set<std::string, std::less<>> functions;  // libraries already written, byte for byte
    std::vector<std::pair<std::size_t, std::size_t>> seen;  // (hash of database and key, file)
    std::string scratch;
    RdbSplit split;

    for (std::size_t file_index = 0; file_index < files.size(); ++file_index) {
        auto const file = files[file_index].bytes;
        Reader in(file);
        in.skip(9);
        std::uint64_t database = 0;
        constexpr auto none = std::string_view::npos;
        std::size_t entry_start = none;  // where the current key's expiry and eviction records began
        for (;;) {
            auto const start = in.position();
            auto const type = in.byte();
            if (type == eof) {
                auto const expected = in.little_endian(8);
                if (expected != 0 && !files[file_index].checked && expected != crc64(file.substr(0, start + 1)))
                    throw RdbError("the file does not match its checksum");
                if (in.position() != file.size())
                    throw RdbError("bytes after the end of the file");
                if (entry_start != none)
                    throw RdbError("an expiry time with no key");
                break;
            }
            switch (type) {
            case aux: {
                auto const name = in.string(true);
                in.skip_string();
                if (file_index == 0 && !name.starts_with("repl-"))
                    to_every_part(in.since(start));
                continue;
            }
            case function2: {
                in.skip_string();
                if (functions.insert(std::string(in.since(start))).second)
                    to_every_part(in.since(start));
                continue;
            }
            case resize_db:
                in.length();
                in.length();
                continue;
            case select_db:
                database = in.length();
                continue;
            case expire_time:
            case expire_time_ms:
            case idle:
            case freq:
                if (entry_start == none)
                    entry_start = start;
                if (type == expire_time)
                    in.skip(4);
                else if (type == expire_time_ms)
                    in.skip(8);
                else if (type == idle)
                    in.length();
                else
                    in.skip(1);
                continue;
            case module_aux:
            case function_pre_ga:
                throw RdbError("module data and pre-release functions cannot be split");
            default:
                break;
            }
            auto const key = in.key(scratch);
            skip_value(in, type);
            auto const first = entry_start == none ? start : entry_start;
            auto const record = file.substr(first, in.position() - first);
            entry_start = none;
            if (only_database_zero && database != 0) {
                ++split.dropped_keys;
                continue;
            }
            if (files.size() > 1)
                seen.emplace_back(std::hash<std::string_view>{}(key) ^ (database * 0x9e3779b97f4a7c15ULL), file_index);
            auto const index = part_of(key);
            if (index >= parts)
                throw RdbError("a key belongs to no part");
            auto& part = out[index];
            if (part.database != database) {
                part.bytes.push_back(char(select_db));
                append_length(part.bytes, database);
                part.database = database;
            }
            part.bytes.append(record);
            ++split.keys;
        }
    }
    // A key in two files would stop redis-server loading the part; a hash
    // collision says so too, and the caller restores another way.
    std::ranges::sort(seen);
    for (std::size_t i = 1; i < seen.size(); ++i)
        if (seen[i].first == seen[i - 1].first)
            throw RdbError("a key may be in more than one file");
    // A checksum of 0 is redis-server's "checksum disabled": the parts are read
    // on this machine at once, and the files they come from were verified.
    for (auto& part : out) {
        part.bytes.push_back(char(eof));
        part.bytes.append(8, '\0');
        split.parts.push_back(std::move(part.bytes));
    }
    return split;
}

}  // namespace keyfleet::redis
