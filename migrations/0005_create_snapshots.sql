-- Snapshots (backups): one row per snapshot, one node_snapshots row per node
-- group (shard) holding that shard's RDB file. What the Snapshot shape only
-- echoes of its source (node type, windows, ...) lives in the `source` JSON.
CREATE TABLE snapshots (
    account              TEXT    NOT NULL,
    region               TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    status               TEXT    NOT NULL,  -- creating | available | exporting | deleting
    origin               TEXT    NOT NULL,  -- AWS's SnapshotSource: manual | automated
    cache_cluster_id     TEXT,              -- taken from a cache cluster ...
    replication_group_id TEXT,              -- ... or from a replication group
    cluster_enabled      INTEGER NOT NULL,  -- the source ran cluster mode enabled
    source               TEXT    NOT NULL DEFAULT '{}',
    created_at           INTEGER NOT NULL,
    PRIMARY KEY (account, region, name)
) WITHOUT ROWID;

CREATE TABLE node_snapshots (
    account              TEXT    NOT NULL,
    region               TEXT    NOT NULL,
    snapshot_name        TEXT    NOT NULL,
    node_group_id        TEXT    NOT NULL,  -- 0001, ...
    cache_cluster_id     TEXT    NOT NULL,  -- the member the RDB was taken from
    cache_node_id        TEXT    NOT NULL,
    slots                TEXT    NOT NULL,  -- '' when cluster mode is disabled
    configuration        TEXT    NOT NULL DEFAULT '{}',  -- ReplicaCount and zones, as NodeGroupConfiguration
    file                 TEXT    NOT NULL,  -- the RDB file ('' until it is written)
    size                 INTEGER,           -- bytes; NULL until written
    sha256               TEXT,              -- of the file; checked before every restore
    node_created_at      INTEGER NOT NULL,
    snapshot_created_at  INTEGER,
    PRIMARY KEY (account, region, snapshot_name, node_group_id),
    FOREIGN KEY (account, region, snapshot_name)
        REFERENCES snapshots (account, region, name) ON DELETE CASCADE
) WITHOUT ROWID;
