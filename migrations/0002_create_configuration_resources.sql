-- Cache parameter groups and the values users set in them (Source "user").
-- The default.<family> groups are computed from the catalog, not stored.
CREATE TABLE cache_parameter_groups (
    account     TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    family      TEXT    NOT NULL,
    description TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (account, region, name)
) WITHOUT ROWID;

CREATE TABLE cache_parameter_values (
    account        TEXT NOT NULL,
    region         TEXT NOT NULL,
    group_name     TEXT NOT NULL,
    parameter_name TEXT NOT NULL,
    value          TEXT NOT NULL,
    PRIMARY KEY (account, region, group_name, parameter_name),
    FOREIGN KEY (account, region, group_name)
        REFERENCES cache_parameter_groups (account, region, name) ON DELETE CASCADE
) WITHOUT ROWID;

-- Cache security groups (EC2-Classic style) and the EC2 groups authorized in them.
CREATE TABLE cache_security_groups (
    account     TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (account, region, name)
) WITHOUT ROWID;

CREATE TABLE cache_security_group_ingress (
    account                TEXT    NOT NULL,
    region                 TEXT    NOT NULL,
    group_name             TEXT    NOT NULL,
    ec2_security_group     TEXT    NOT NULL,
    ec2_security_group_owner TEXT  NOT NULL,
    position               INTEGER NOT NULL,
    PRIMARY KEY (account, region, group_name, ec2_security_group, ec2_security_group_owner),
    FOREIGN KEY (account, region, group_name)
        REFERENCES cache_security_groups (account, region, name) ON DELETE CASCADE
) WITHOUT ROWID;

-- Users (RBAC). Passwords are kept only as SHA-256 hashes, the form Redis ACLs take.
-- The built-in `default` user is computed, not stored.
CREATE TABLE users (
    account             TEXT    NOT NULL,
    region              TEXT    NOT NULL,
    user_id             TEXT    NOT NULL,
    user_name           TEXT    NOT NULL,
    engine              TEXT    NOT NULL,
    access_string       TEXT    NOT NULL,
    authentication_type TEXT    NOT NULL,  -- password | no-password | iam
    password_hashes     TEXT    NOT NULL,  -- JSON array of hex SHA-256
    status              TEXT    NOT NULL,  -- active | modifying | deleting
    created_at          INTEGER NOT NULL,
    PRIMARY KEY (account, region, user_id)
) WITHOUT ROWID;

CREATE TABLE user_groups (
    account       TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    user_group_id TEXT    NOT NULL,
    engine        TEXT    NOT NULL,
    status        TEXT    NOT NULL,  -- creating | active | modifying | deleting
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (account, region, user_group_id)
) WITHOUT ROWID;

-- Members in force, and changes a ModifyUserGroup asked for that are still being applied.
CREATE TABLE user_group_members (
    account       TEXT NOT NULL,
    region        TEXT NOT NULL,
    user_group_id TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    pending       TEXT,  -- NULL: a member; 'add' or 'remove': being applied
    PRIMARY KEY (account, region, user_group_id, user_id),
    FOREIGN KEY (account, region, user_group_id)
        REFERENCES user_groups (account, region, user_group_id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Reserved cache nodes bought from the offering catalog.
CREATE TABLE reserved_cache_nodes (
    account           TEXT    NOT NULL,
    region            TEXT    NOT NULL,
    id                TEXT    NOT NULL,
    offering          TEXT    NOT NULL,  -- JSON: the ReservedCacheNodesOffering bought
    node_count        INTEGER NOT NULL,
    start_time        INTEGER NOT NULL,
    state             TEXT    NOT NULL,  -- payment-pending | active | retired
    PRIMARY KEY (account, region, id)
) WITHOUT ROWID;

-- Service update actions a user applied or stopped; those never touched are
-- derived (not-applied) from the catalog and the clusters.
CREATE TABLE update_actions (
    account             TEXT    NOT NULL,
    region              TEXT    NOT NULL,
    service_update_name TEXT    NOT NULL,
    target_kind         TEXT    NOT NULL,  -- replication-group | cache-cluster
    target_id           TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    status_modified_at  INTEGER NOT NULL,
    PRIMARY KEY (account, region, service_update_name, target_kind, target_id)
) WITHOUT ROWID;

-- Workflows: what the data plane does after a handler recorded the desired
-- state. One running workflow per target; `step` is the next step to run and
-- `data` what the steps share, both written after every step.
CREATE TABLE workflows (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account     TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    target      TEXT    NOT NULL,  -- "<arn kind>:<id>", e.g. usergroup:g1
    step        TEXT    NOT NULL,
    data        TEXT    NOT NULL DEFAULT '{}',
    status      TEXT    NOT NULL,  -- running | succeeded | failed
    error       TEXT,
    not_before  INTEGER NOT NULL DEFAULT 0,  -- epoch ms: the earliest the next step runs
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX workflows_one_running_per_target ON workflows (account, region, target) WHERE status = 'running';
CREATE INDEX workflows_running ON workflows (status, not_before);
