-- +goose Up
-- The host each event of a case came from, for the audit log (empty for
-- events written before, and for the server's own tasks).
ALTER TABLE case_events ADD COLUMN address TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE case_events DROP COLUMN address;
