-- +goose Up
-- Every text a note.put with log set committed, for tests that must tell a
-- committed write from an aborted one after the fact.
CREATE TABLE test_note_log (
    text TEXT PRIMARY KEY
);

-- +goose Down
DROP TABLE test_note_log;
