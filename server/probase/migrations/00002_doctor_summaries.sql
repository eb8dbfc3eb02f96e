-- +goose Up
-- The doctors whose summary for directors (collection "doctor_summary")
-- has not been written yet: every doctor of a directory older than the
-- summaries. The directory writes them at start, taking each off this list
-- in the same transaction.
CREATE TABLE doctor_summary_backfill (
    doctor_id TEXT PRIMARY KEY REFERENCES doctors (id)
);
INSERT INTO doctor_summary_backfill (doctor_id) SELECT id FROM doctors;

-- +goose Down
DROP TABLE doctor_summary_backfill;
