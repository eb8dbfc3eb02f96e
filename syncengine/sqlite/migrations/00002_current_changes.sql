-- +goose Up
-- A commit now deletes the changes it supersedes, so the log holds only the
-- current change of each record in each bucket. Remove the superseded
-- changes the former compaction pass had not reached yet (it had removed
-- those of every change up to compacted_to), then what only it used.
DELETE FROM sync_changes WHERE seq IN (
    SELECT prev_seq FROM sync_changes
    WHERE prev_seq > 0 AND seq > (SELECT compacted_to FROM sync_compaction WHERE id = 1));
ALTER TABLE sync_changes DROP COLUMN prev_seq;
DROP TABLE sync_compaction;

-- +goose Down
CREATE TABLE sync_compaction (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    compacted_to INTEGER NOT NULL
);
INSERT INTO sync_compaction (id, compacted_to) SELECT 1, last_seq FROM sync_state WHERE id = 1;
ALTER TABLE sync_changes ADD COLUMN prev_seq INTEGER NOT NULL DEFAULT 0;
