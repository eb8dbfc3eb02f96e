-- +goose Up
-- A commit now deletes the changes it supersedes, so the log holds only the
-- current change of each record in each bucket. Remove the superseded
-- changes the former compaction pass had not reached yet (it had removed
-- those of every change up to compacted_to), then what only it used.
DELETE FROM sync_changes c
USING sync_changes n, sync_compaction k
WHERE k.id = 1 AND n.seq > k.compacted_to AND n.prev_seq > 0
  AND c.bucket = n.bucket AND c.seq = n.prev_seq;
DROP INDEX sync_changes_seq;
ALTER TABLE sync_changes DROP COLUMN prev_seq;
DROP TABLE sync_compaction;

-- +goose Down
CREATE TABLE sync_compaction (
    id           INT PRIMARY KEY CHECK (id = 1),
    compacted_to BIGINT  NOT NULL
);
INSERT INTO sync_compaction (id, compacted_to) SELECT 1, last_seq FROM sync_state WHERE id = 1;
ALTER TABLE sync_changes ADD COLUMN prev_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sync_changes_seq ON sync_changes USING brin (seq);
