#include "store/db.h"

#include "core/embedded.h"

#include <SQLiteCpp/Transaction.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace keyfleet::store {

Connection::Connection(std::string const& path)
    : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX)
{
    db_.setBusyTimeout(10000);
    if (path != ":memory:")
        db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=FULL");
    db_.exec("PRAGMA foreign_keys=ON");
}

SQLite::Statement& Connection::prepare(std::string_view sql)
{
    auto found = statements_.find(sql);
    if (found == statements_.end())
        found = statements_.emplace(std::string(sql), std::make_unique<SQLite::Statement>(db_, std::string(sql))).first;
    auto& statement = *found->second;
    statement.tryReset();  // reset() would rethrow the error of the statement's last failed step
    statement.clearBindings();
    return statement;
}

void Connection::execute(std::string_view sql) { db_.exec(std::string(sql)); }

void Connection::reset_statements()
{
    // tryReset: reset() rethrows the error of a failed last step (a constraint
    // violation, say), which would leave a failed transaction open on this connection.
    for (auto& [sql, statement] : statements_)
        statement->tryReset();
}

Transaction::Transaction(Connection& connection, Kind kind) : connection_(connection)
{
    connection_.prepare(kind == Kind::write ? "BEGIN IMMEDIATE" : "BEGIN").exec();
}

Transaction::~Transaction()
{
    if (!open_)
        return;
    try {
        connection_.reset_statements();
        connection_.prepare("ROLLBACK").exec();
    } catch (std::exception const& e) {
        spdlog::error("rollback failed: {}", e.what());
    }
}

void Transaction::commit()
{
    connection_.reset_statements();
    connection_.prepare("COMMIT").exec();
    open_ = false;
}

namespace {
std::atomic<std::uint64_t> next_database_serial{1};
}

Database::Database(std::string path) : path_(std::move(path)), serial_(next_database_serial++)
{
    if (path_ == ":memory:")
        memory_ = std::make_unique<Connection>(path_);
    migrate();
}

Connection& Database::connection()
{
    if (memory_)
        return *memory_;
    // The common case, without the lock: this thread asked this database before.
    thread_local std::uint64_t cached_for = 0;
    thread_local Connection* cached = nullptr;
    if (cached_for == serial_)
        return *cached;
    std::lock_guard lock(mutex_);
    auto& slot = connections_[std::this_thread::get_id()];
    if (!slot)
        slot = std::make_unique<Connection>(path_);
    cached_for = serial_;
    cached = slot.get();
    return *slot;
}

int Database::schema_version()
{
    return connection().raw().execAndGet("PRAGMA user_version").getInt();
}

void Database::migrate() { apply_migrations(connection()); }

void apply_migrations(Connection& connection, int up_to)
{
    auto& db = connection.raw();
    int const current = db.execAndGet("PRAGMA user_version").getInt();
    // All pending migrations in one transaction: a fresh data dir is one commit
    // (one fsync), and a schema is never left between two versions.
    std::optional<SQLite::Transaction> transaction;
    std::vector<std::string_view> applied;
    for (auto const& file : core::embedded_under("migrations")) {
        // migrations/0001_create_subnet_groups.sql -> 1
        auto const name = file.path.substr(file.path.rfind('/') + 1);
        int version = 0;
        auto const [end, ec] = std::from_chars(name.data(), name.data() + name.size(), version);
        if (ec != std::errc() || end == name.data() || *end != '_' || !name.ends_with(".sql"))
            throw std::runtime_error("migration file name must be NNNN_name.sql: " + std::string(name));
        if (version <= current || version > up_to)
            continue;
        if (!transaction)
            transaction.emplace(db, SQLite::TransactionBehavior::IMMEDIATE);
        db.exec(std::string(file.contents));
        db.exec("PRAGMA user_version=" + std::to_string(version));
        applied.push_back(name);
    }
    if (!transaction)
        return;
    transaction->commit();
    for (auto const name : applied)
        spdlog::debug("applied migration {}", name);
}

}  // namespace keyfleet::store
