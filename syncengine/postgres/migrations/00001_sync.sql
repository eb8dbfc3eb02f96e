-- +goose Up
-- The head of the change log: last_seq is the newest seq handed out. Every
-- commit that appends changes updates this row first, which orders commits.
CREATE TABLE sync_state (
    id       INT     PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT  NOT NULL
);
INSERT INTO sync_state (id, last_seq) VALUES (1, 0);

CREATE TABLE sync_compaction (
    id           INT PRIMARY KEY CHECK (id = 1),
    compacted_to BIGINT  NOT NULL
);
INSERT INTO sync_compaction (id, compacted_to) VALUES (1, 0);

-- One row per change of a record in a bucket. prev_seq is the change it
-- replaced in the same bucket, which compaction removes.
CREATE TABLE sync_changes (
    seq        BIGINT  NOT NULL,
    bucket     TEXT    NOT NULL,
    collection TEXT    NOT NULL,
    record_id  TEXT    NOT NULL,
    op         BIGINT  NOT NULL,
    payload    BYTEA,
    prev_seq   BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (bucket, seq)
);
-- Compaction walks the log in seq ranges; seq only grows, so a BRIN index
-- serves that at almost no cost to writers.
CREATE INDEX sync_changes_seq ON sync_changes USING brin (seq);
CREATE INDEX sync_changes_tombstones ON sync_changes (created_at) WHERE op = 2;

-- The latest state of every record in every bucket it has been in.
CREATE TABLE sync_records (
    bucket     TEXT    NOT NULL,
    collection TEXT    NOT NULL,
    record_id  TEXT    NOT NULL,
    seq        BIGINT  NOT NULL,
    hash       BIGINT  NOT NULL,
    deleted    BOOLEAN NOT NULL,
    PRIMARY KEY (bucket, collection, record_id)
);
CREATE INDEX sync_records_record ON sync_records (collection, record_id);

-- Checksums of each bucket's live state, and the newest tombstone removed.
CREATE TABLE sync_buckets (
    bucket       TEXT PRIMARY KEY,
    checksum     BIGINT  NOT NULL,
    count        BIGINT  NOT NULL,
    reset_before BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE sync_clients (
    client_id  TEXT PRIMARY KEY,
    user_id    TEXT    NOT NULL,
    last_seq   BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE sync_outcomes (
    client_id  TEXT    NOT NULL,
    seq        BIGINT  NOT NULL,
    name       TEXT    NOT NULL,
    status     BIGINT  NOT NULL,
    code       TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    violations TEXT    NOT NULL,
    result     BYTEA,
    decided_at BIGINT  NOT NULL,
    PRIMARY KEY (client_id, seq)
);
CREATE INDEX sync_outcomes_decided ON sync_outcomes (decided_at);

-- +goose Down
DROP TABLE sync_outcomes;
DROP TABLE sync_clients;
DROP TABLE sync_buckets;
DROP TABLE sync_records;
DROP TABLE sync_changes;
DROP TABLE sync_compaction;
DROP TABLE sync_state;
