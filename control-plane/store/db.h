// SQLite, the source of truth: connections (one per thread), transactions,
// migrations. WAL, foreign keys on, synchronous=FULL, a busy timeout.
#pragma once

#include "core/scope.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace keyfleet::store {

// One SQLite connection with a cache of prepared statements.
class Connection {
public:
    explicit Connection(std::string const& path);
    Connection(Connection const&) = delete;
    Connection& operator=(Connection const&) = delete;

    // A prepared statement, reset and with its bindings cleared, ready to bind.
    SQLite::Statement& prepare(std::string_view sql);
    void execute(std::string_view sql);
    // Ends every cached statement's step, so none holds a read snapshot open.
    void reset_statements();
    SQLite::Database& raw() { return db_; }

private:
    SQLite::Database db_;
    std::map<std::string, std::unique_ptr<SQLite::Statement>, std::less<>> statements_;
};

// Write transactions start with BEGIN IMMEDIATE, so two writers never deadlock
// on lock upgrade; read transactions see one consistent snapshot. Both roll back
// unless committed.
class Transaction {
public:
    enum class Kind { read, write };
    Transaction(Connection& connection, Kind kind);
    Transaction(Transaction const&) = delete;
    Transaction& operator=(Transaction const&) = delete;
    ~Transaction();

    void commit();
    Connection& connection() { return connection_; }
    SQLite::Statement& prepare(std::string_view sql) { return connection_.prepare(sql); }

private:
    Connection& connection_;
    bool open_ = true;
};

class Database {
public:
    // Opens (creating) <path> and applies every pending migration. ":memory:"
    // gives a private in-memory database (tests): then every thread shares the
    // one connection, so use it from one thread only.
    explicit Database(std::string path);

    // This thread's connection.
    Connection& connection();

    Transaction read() { return Transaction(connection(), Transaction::Kind::read); }
    Transaction write() { return Transaction(connection(), Transaction::Kind::write); }

    int schema_version();

private:
    void migrate();

    std::string path_;
    std::uint64_t const serial_;  // tells this database from a later one at the same address
    std::mutex mutex_;
    std::map<std::thread::id, std::unique_ptr<Connection>> connections_;
    std::unique_ptr<Connection> memory_;
};

// Binds ?1 and ?2, which every per-resource statement uses for account and region.
inline void bind_scope(SQLite::Statement& statement, core::Scope const& scope)
{
    statement.bind(1, scope.account);
    statement.bind(2, scope.region);
}

// A nullable text column.
inline std::optional<std::string> optional_text(SQLite::Column const& column)
{
    return column.isNull() ? std::nullopt : std::optional<std::string>(column.getString());
}

// Binds the value, or NULL.
template <typename T>
void bind_optional(SQLite::Statement& statement, int index, std::optional<T> const& value)
{
    if (value)
        statement.bind(index, *value);
    else
        statement.bind(index);
}

// Applies the embedded migrations/NNNN_name.sql newer than PRAGMA user_version,
// each in its own transaction that also bumps user_version; up_to stops at a
// version, so tests can build a database as an older keyfleet left it.
void apply_migrations(Connection& connection, int up_to = std::numeric_limits<int>::max());

}  // namespace keyfleet::store
