-- +goose Up
-- The head of the change log: last_seq is the newest seq handed out. Every
-- commit that appends changes updates this row first, which orders commits.
CREATE TABLE sync_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL
);
INSERT INTO sync_state (id, last_seq) VALUES (1, 0);

CREATE TABLE sync_compaction (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    compacted_to INTEGER NOT NULL
);
INSERT INTO sync_compaction (id, compacted_to) VALUES (1, 0);

-- One row per change of a record in a bucket. prev_seq is the change it
-- replaced in the same bucket, which compaction removes.
CREATE TABLE sync_changes (
    seq        INTEGER PRIMARY KEY,
    bucket     TEXT    NOT NULL,
    collection TEXT    NOT NULL,
    record_id  TEXT    NOT NULL,
    op         INTEGER NOT NULL,
    payload    BLOB,
    prev_seq   INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX sync_changes_bucket_seq ON sync_changes (bucket, seq);
CREATE INDEX sync_changes_tombstones ON sync_changes (created_at) WHERE op = 2;

-- The latest state of every record in every bucket it has been in.
CREATE TABLE sync_records (
    bucket     TEXT    NOT NULL,
    collection TEXT    NOT NULL,
    record_id  TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    hash       INTEGER NOT NULL,
    deleted    INTEGER NOT NULL,
    PRIMARY KEY (bucket, collection, record_id)
) WITHOUT ROWID;
CREATE INDEX sync_records_record ON sync_records (collection, record_id);

-- Checksums of each bucket's live state, and the newest tombstone removed.
CREATE TABLE sync_buckets (
    bucket       TEXT PRIMARY KEY,
    checksum     INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    reset_before INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE sync_clients (
    client_id  TEXT PRIMARY KEY,
    user_id    TEXT    NOT NULL,
    last_seq   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE sync_outcomes (
    client_id  TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    status     INTEGER NOT NULL,
    code       TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    violations TEXT    NOT NULL,
    result     BLOB,
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, seq)
) WITHOUT ROWID;
CREATE INDEX sync_outcomes_decided ON sync_outcomes (decided_at);

-- +goose Down
DROP TABLE sync_outcomes;
DROP TABLE sync_clients;
DROP TABLE sync_buckets;
DROP TABLE sync_records;
DROP TABLE sync_changes;
DROP TABLE sync_compaction;
DROP TABLE sync_state;
