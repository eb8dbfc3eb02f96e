-- The replica's own tables. Collection tables (c_<name>) are created at run
-- time from the Schema and rebuilt from sdk_rows when their columns change.

-- Settings: client id, mutation numbering, last checkpoint.
CREATE TABLE sdk_meta (
    key   TEXT PRIMARY KEY,
    value
);

-- One cursor per bucket, with the running checksum of its rows. A fresh
-- bucket's rows have not reached the collection tables yet: the next good
-- checkpoint copies them all.
CREATE TABLE sdk_buckets (
    bucket    TEXT PRIMARY KEY,
    after     INTEGER NOT NULL DEFAULT 0,
    from_zero INTEGER NOT NULL DEFAULT 1,
    sum       INTEGER NOT NULL DEFAULT 0,
    count     INTEGER NOT NULL DEFAULT 0,
    fresh     INTEGER NOT NULL DEFAULT 1
);

-- The server's state of every record in every bucket, as downloaded. The
-- app never reads it directly: collection tables are refreshed from it at
-- verified checkpoints.
CREATE TABLE sdk_rows (
    bucket     TEXT    NOT NULL,
    collection TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    hash       INTEGER NOT NULL,
    UNIQUE (bucket, collection, id)
);
CREATE INDEX sdk_rows_record ON sdk_rows (collection, id);

-- Records whose downloaded state changed since the last checkpoint (in
-- buckets that are not fresh).
CREATE TABLE sdk_dirty (
    collection TEXT NOT NULL,
    id         TEXT NOT NULL,
    PRIMARY KEY (collection, id)
) WITHOUT ROWID;

-- The outbox. seq is the protocol's mutation number; state 0 queued,
-- 1 applied by the server (kept until a checkpoint covers it), 2 rejected.
CREATE TABLE sdk_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    seq        INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    args       BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    state      INTEGER NOT NULL DEFAULT 0,
    result     BLOB,
    rejection  BLOB
);
CREATE INDEX sdk_outbox_seq ON sdk_outbox (seq);

-- Records each outbox entry changed optimistically.
CREATE TABLE sdk_touched (
    outbox_id  INTEGER NOT NULL,
    collection TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    PRIMARY KEY (outbox_id, collection, id)
) WITHOUT ROWID;

-- Rejections reported to the app, until it dismisses them; id is the
-- mutation's id (its outbox id, which never changes).
CREATE TABLE sdk_rejections (
    id         INTEGER PRIMARY KEY,
    seq        INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    args       BLOB    NOT NULL,
    detail     BLOB    NOT NULL,
    decided_at INTEGER NOT NULL
);

-- The local table of each collection and the columns it was built with.
CREATE TABLE sdk_collections (
    name TEXT PRIMARY KEY,
    tbl  TEXT NOT NULL UNIQUE,
    spec TEXT NOT NULL
);

-- Media files in SDK storage: photos to upload (state 0 queued, 1 uploaded,
-- 2 rejected by the server; id is the media id) and downloaded copies
-- (state 3; id is "<media id>/<variant>"). referenced is set once a record
-- referenced the media: such a file goes when no record does any more.
CREATE TABLE sdk_media (
    id           TEXT    PRIMARY KEY,
    media_id     TEXT    NOT NULL,
    file         TEXT    NOT NULL,
    sha256       BLOB    NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT    NOT NULL,
    purpose      INTEGER NOT NULL,
    state        INTEGER NOT NULL,
    referenced   INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX sdk_media_media ON sdk_media (media_id);
CREATE INDEX sdk_media_state ON sdk_media (state, created_at);

-- Parts of multipart uploads storage has acknowledged, so a restart skips them.
CREATE TABLE sdk_media_parts (
    media_id TEXT    NOT NULL,
    number   INTEGER NOT NULL,
    etag     TEXT    NOT NULL,
    PRIMARY KEY (media_id, number)
) WITHOUT ROWID;

-- Which local records reference which media: a downloaded file goes when
-- nothing references it any more.
CREATE TABLE sdk_media_refs (
    collection TEXT NOT NULL,
    id         TEXT NOT NULL,
    media_id   TEXT NOT NULL,
    PRIMARY KEY (collection, id, media_id)
) WITHOUT ROWID;
CREATE INDEX sdk_media_refs_media ON sdk_media_refs (media_id);
