-- +goose Up
-- Rows written by note.queue through Tx.Queue; a negative n breaks the
-- check, so a test can make a queued write fail.
CREATE TABLE test_queued (
    id TEXT PRIMARY KEY,
    n  BIGINT NOT NULL CHECK (n >= 0)
);

-- +goose Down
DROP TABLE test_queued;
