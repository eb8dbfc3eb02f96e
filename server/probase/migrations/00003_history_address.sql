-- +goose Up
-- The host each entry of a doctor's history came from, for the audit log
-- (empty for entries written before, and for the server's own tasks).
ALTER TABLE doctor_history ADD COLUMN address TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE doctor_history DROP COLUMN address;
