-- +goose Up
-- Content items. payload is the whole item (ordinator.content.v1.Item) as
-- editors see it, sources included; the columns beside it are what queries
-- and the publishing state need.
CREATE TABLE content_items (
    id                 TEXT PRIMARY KEY,
    kind               TEXT    NOT NULL,
    version            INTEGER NOT NULL,
    -- Bumped by every write: a write starts by bumping it, which locks the
    -- row until the transaction ends, on PostgreSQL as on SQLite.
    rev                INTEGER NOT NULL DEFAULT 0,
    title              TEXT    NOT NULL,
    public             INTEGER NOT NULL,
    starts_at          INTEGER NOT NULL,
    ends_at            INTEGER NOT NULL,
    published          INTEGER NOT NULL DEFAULT 0,
    published_at       INTEGER NOT NULL DEFAULT 0,
    first_published_at INTEGER NOT NULL DEFAULT 0,
    -- Whether the item is in its audience's buckets now.
    placed             INTEGER NOT NULL DEFAULT 0,
    -- When its window next opens or closes (0: never); the scheduler
    -- re-evaluates items once this has passed.
    next_check_at      INTEGER NOT NULL DEFAULT 0,
    payload            BLOB    NOT NULL,
    created_by         TEXT    NOT NULL,
    updated_by         TEXT    NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX content_items_due ON content_items (next_check_at) WHERE next_check_at > 0;
CREATE INDEX content_items_updated ON content_items (updated_at, id);

-- The (specialty, region) pairs an item targets, for editors' filters.
CREATE TABLE content_targets (
    item_id   TEXT NOT NULL REFERENCES content_items (id),
    specialty TEXT NOT NULL,
    region_id TEXT NOT NULL,
    PRIMARY KEY (item_id, specialty, region_id)
);
CREATE INDEX content_targets_specialty ON content_targets (specialty, item_id);
CREATE INDEX content_targets_region ON content_targets (region_id, item_id);

-- Every version of every item as it synced: a training completed offline
-- is graded against the version the doctor's phone had.
CREATE TABLE content_versions (
    item_id    TEXT    NOT NULL REFERENCES content_items (id),
    version    INTEGER NOT NULL,
    payload    BLOB    NOT NULL,
    published  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (item_id, version)
);

-- A doctor's reading of an item, with the doctor's region and specialty
-- when they read it, for the directors' statistics.
CREATE TABLE content_progress (
    user_id     TEXT   NOT NULL,
    item_id     TEXT   NOT NULL REFERENCES content_items (id),
    region_id   TEXT   NOT NULL,
    specialty   TEXT   NOT NULL,
    opened_at   INTEGERNOT NULL DEFAULT 0,
    finished_at INTEGERNOT NULL DEFAULT 0,
    passed_at   INTEGERNOT NULL DEFAULT 0,
    updated_at  INTEGERNOT NULL,
    PRIMARY KEY (user_id, item_id)
);
CREATE INDEX content_progress_region ON content_progress (region_id, item_id);

-- A doctor's record with a training; its row serialises the doctor's
-- completions of it, so a pass is paid once.
CREATE TABLE content_training_status (
    user_id        TEXT   NOT NULL,
    training_id    TEXT   NOT NULL REFERENCES content_items (id),
    attempts       INTEGERNOT NULL DEFAULT 0,
    best_score     INTEGERNOT NULL DEFAULT 0,
    total          INTEGERNOT NULL DEFAULT 0,
    passed_at      INTEGERNOT NULL DEFAULT 0,
    passed_version INTEGERNOT NULL DEFAULT 0,
    points_awarded INTEGERNOT NULL DEFAULT 0,
    updated_at     INTEGERNOT NULL,
    PRIMARY KEY (user_id, training_id)
);

-- Every graded attempt.
CREATE TABLE content_training_attempts (
    id           TEXT PRIMARY KEY,
    user_id      TEXT    NOT NULL,
    training_id  TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    score        INTEGER NOT NULL,
    total        INTEGER NOT NULL,
    passed       INTEGER NOT NULL,
    client_id    TEXT    NOT NULL,
    mutation_seq INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX content_training_attempts_user ON content_training_attempts (user_id, training_id);

-- +goose Down
DROP TABLE content_training_attempts;
DROP TABLE content_training_status;
DROP TABLE content_progress;
DROP TABLE content_versions;
DROP TABLE content_targets;
DROP TABLE content_items;
