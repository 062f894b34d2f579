-- Nodes and endpoints are addressed by host and port: by default each gets a
-- loopback address of its own (127.1.x.y) on the port the cluster asked for
-- (6379), as on AWS, where every node has its own IP and the same port.

-- cache_nodes.port was unique on its own; it is unique per host now. SQLite
-- cannot drop a column constraint, so the table is rebuilt.
CREATE TABLE cache_nodes_by_host (
    account          TEXT    NOT NULL,
    region           TEXT    NOT NULL,
    cluster_id       TEXT    NOT NULL,
    node_id          TEXT    NOT NULL,  -- 0001
    host             TEXT    NOT NULL,
    port             INTEGER NOT NULL,
    directory        TEXT    NOT NULL,
    status           TEXT    NOT NULL,  -- creating | available | rebooting | deleting ...
    role             TEXT    NOT NULL,  -- primary | replica
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (account, region, cluster_id, node_id),
    UNIQUE (host, port),
    FOREIGN KEY (account, region, cluster_id)
        REFERENCES cache_clusters (account, region, id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO cache_nodes_by_host
    SELECT account, region, cluster_id, node_id, '127.0.0.1', port, directory, status, role, created_at
    FROM cache_nodes;
DROP TABLE cache_nodes;
ALTER TABLE cache_nodes_by_host RENAME TO cache_nodes;

ALTER TABLE replication_groups ADD COLUMN primary_endpoint_host TEXT;
ALTER TABLE replication_groups ADD COLUMN reader_endpoint_host TEXT;
ALTER TABLE replication_groups ADD COLUMN configuration_endpoint_host TEXT;

-- Every address keyfleet hands out (nodes, endpoints, pooled cluster nodes),
-- so two owners never share one.
CREATE TABLE addresses (
    host  TEXT    NOT NULL,
    port  INTEGER NOT NULL,
    owner TEXT    NOT NULL,
    PRIMARY KEY (host, port)
) WITHOUT ROWID;
INSERT INTO addresses (host, port, owner) SELECT '127.0.0.1', port, owner FROM ports;
DROP TABLE ports;
