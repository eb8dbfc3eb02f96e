-- +goose Up
-- The host each stock movement was decided from, for the audit log (empty
-- for movements recorded before, and for the server's own releases).
ALTER TABLE gift_movements ADD COLUMN address TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE gift_movements DROP COLUMN address;
