-- Cache subnet groups and their subnets, in the order they were given.
-- The region's `default` group is computed, not stored (handlers/subnet_groups.cpp).
CREATE TABLE cache_subnet_groups (
    account     TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    vpc_id      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (account, region, name)
) WITHOUT ROWID;

CREATE TABLE cache_subnets (
    account           TEXT    NOT NULL,
    region            TEXT    NOT NULL,
    group_name        TEXT    NOT NULL,
    position          INTEGER NOT NULL,
    subnet_id         TEXT    NOT NULL,
    availability_zone TEXT    NOT NULL,
    PRIMARY KEY (account, region, group_name, position),
    FOREIGN KEY (account, region, group_name)
        REFERENCES cache_subnet_groups (account, region, name) ON DELETE CASCADE
) WITHOUT ROWID;

-- Tags of any resource, by the resource's ARN kind and id; position keeps the
-- order keys were first added.
CREATE TABLE tags (
    account       TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    resource_kind TEXT    NOT NULL,
    resource_id   TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    value         TEXT    NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (account, region, resource_kind, resource_id, key)
) WITHOUT ROWID;

-- What DescribeEvents shows: every state change, newest first.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account     TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    source_type TEXT    NOT NULL,
    source_id   TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX events_by_time ON events (account, region, created_at);
