-- +goose Up
-- Lines numbered per room by MAX(n) + 1 without a lock, as a careless
-- mutator would: where writers overlap, two of them take the same number
-- and the second collides on the key.
CREATE TABLE test_journal (
    room TEXT   NOT NULL,
    n    BIGINT NOT NULL,
    id   TEXT   NOT NULL UNIQUE,
    text TEXT   NOT NULL,
    PRIMARY KEY (room, n)
);

-- +goose Down
DROP TABLE test_journal;
