-- +goose Up
CREATE TABLE media (
    id               TEXT     PRIMARY KEY,
    owner_id         TEXT     NOT NULL,
    purpose          INTEGER  NOT NULL,
    status           INTEGER  NOT NULL, -- ordinator.media.v1.MediaStatus
    content_type     TEXT     NOT NULL,
    size             BIGINT   NOT NULL,
    sha256           BLOB     NOT NULL,
    upload_id        TEXT     NOT NULL DEFAULT '', -- storage's multipart upload
    part_size        BIGINT   NOT NULL DEFAULT 0,  -- 0: a single PUT
    blob_id          TEXT     NOT NULL DEFAULT '', -- whose clean objects hold the bytes
    width            INTEGER  NOT NULL DEFAULT 0,
    height           INTEGER  NOT NULL DEFAULT 0,
    thumbnail_width  INTEGER  NOT NULL DEFAULT 0,
    thumbnail_height INTEGER  NOT NULL DEFAULT 0,
    rejection_reason TEXT     NOT NULL DEFAULT '',
    touched_at       BIGINT   NOT NULL,            -- last upload activity
    unattached_since BIGINT,                       -- NULL while referenced
    created_at       BIGINT   NOT NULL,
    updated_at       BIGINT   NOT NULL
);
CREATE INDEX media_owner_sha256 ON media (owner_id, sha256);
CREATE INDEX media_blob ON media (blob_id) WHERE blob_id <> '';
CREATE INDEX media_uploading ON media (touched_at) WHERE status = 1;
CREATE INDEX media_unattached ON media (unattached_since) WHERE unattached_since IS NOT NULL;

CREATE TABLE media_refs (
    media_id   TEXT   NOT NULL REFERENCES media (id),
    ref        TEXT   NOT NULL, -- "case:<id>", "account:<id>"...
    created_at BIGINT NOT NULL,
    PRIMARY KEY (media_id, ref)
);
CREATE INDEX media_refs_ref ON media_refs (ref);

-- +goose Down
DROP TABLE media_refs;
DROP TABLE media;
