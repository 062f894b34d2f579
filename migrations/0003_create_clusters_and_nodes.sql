-- Replication groups: the desired state of a group of cache clusters. Settings
-- AWS only echoes back (security group ids, log delivery, ...) live in the
-- `settings` JSON; what keyfleet acts on has columns.
CREATE TABLE replication_groups (
    account                  TEXT    NOT NULL,
    region                   TEXT    NOT NULL,
    id                       TEXT    NOT NULL,
    description              TEXT    NOT NULL,
    status                   TEXT    NOT NULL,
    cluster_enabled          INTEGER NOT NULL,
    automatic_failover       TEXT    NOT NULL,  -- enabled | disabled
    multi_az                 TEXT    NOT NULL,  -- enabled | disabled
    node_type                TEXT    NOT NULL,
    engine                   TEXT    NOT NULL,
    engine_version           TEXT    NOT NULL,
    parameter_group          TEXT    NOT NULL,
    subnet_group             TEXT    NOT NULL,
    port                     INTEGER NOT NULL,  -- the port asked for (AWS's Port)
    primary_endpoint_port    INTEGER,           -- keyfleet's stable endpoints (cluster mode disabled)
    reader_endpoint_port     INTEGER,
    configuration_endpoint_port INTEGER,        -- cluster mode enabled
    auth_token_hash          TEXT,              -- SHA-256 of the AUTH token; never the token
    settings                 TEXT    NOT NULL DEFAULT '{}',
    created_at               INTEGER NOT NULL,
    PRIMARY KEY (account, region, id)
) WITHOUT ROWID;

CREATE TABLE node_groups (
    account              TEXT NOT NULL,
    region               TEXT NOT NULL,
    replication_group_id TEXT NOT NULL,
    node_group_id        TEXT NOT NULL,  -- 0001, 0002, ...
    slots                TEXT NOT NULL,  -- 0-5460 (cluster mode enabled), '' otherwise
    status               TEXT NOT NULL,
    PRIMARY KEY (account, region, replication_group_id, node_group_id),
    FOREIGN KEY (account, region, replication_group_id)
        REFERENCES replication_groups (account, region, id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Cache clusters: one per node in a replication group, or standalone.
CREATE TABLE cache_clusters (
    account              TEXT    NOT NULL,
    region               TEXT    NOT NULL,
    id                   TEXT    NOT NULL,
    replication_group_id TEXT,
    node_group_id        TEXT,
    status               TEXT    NOT NULL,
    engine               TEXT    NOT NULL,
    engine_version       TEXT    NOT NULL,
    node_type            TEXT    NOT NULL,
    availability_zone    TEXT    NOT NULL,
    parameter_group      TEXT    NOT NULL,
    subnet_group         TEXT    NOT NULL,
    port                 INTEGER NOT NULL,  -- the port asked for (AWS's Port)
    settings             TEXT    NOT NULL DEFAULT '{}',
    created_at           INTEGER NOT NULL,
    PRIMARY KEY (account, region, id)
) WITHOUT ROWID;
CREATE INDEX cache_clusters_by_group ON cache_clusters (account, region, replication_group_id);

-- Cache nodes: one redis-server process each, on its own port and directory.
CREATE TABLE cache_nodes (
    account          TEXT    NOT NULL,
    region           TEXT    NOT NULL,
    cluster_id       TEXT    NOT NULL,
    node_id          TEXT    NOT NULL,  -- 0001
    port             INTEGER NOT NULL UNIQUE,
    directory        TEXT    NOT NULL,
    status           TEXT    NOT NULL,  -- creating | available | rebooting | deleting ...
    role             TEXT    NOT NULL,  -- primary | replica
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (account, region, cluster_id, node_id),
    FOREIGN KEY (account, region, cluster_id)
        REFERENCES cache_clusters (account, region, id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Every port keyfleet hands out (nodes and endpoints), so two owners never share one.
CREATE TABLE ports (
    port    INTEGER PRIMARY KEY,
    owner   TEXT NOT NULL  -- "node:<account>/<region>/<cluster>/<node>" or "endpoint:<...>"
);
