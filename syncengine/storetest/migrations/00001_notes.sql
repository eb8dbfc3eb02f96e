-- +goose Up
CREATE TABLE test_notes (
    id      TEXT PRIMARY KEY,
    text    TEXT   NOT NULL,
    version BIGINT NOT NULL
);
CREATE TABLE test_access (
    user_id TEXT NOT NULL,
    bucket  TEXT NOT NULL,
    PRIMARY KEY (user_id, bucket)
);

-- +goose Down
DROP TABLE test_access;
DROP TABLE test_notes;
