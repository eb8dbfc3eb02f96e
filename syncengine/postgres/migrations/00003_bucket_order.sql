-- +goose Up
-- Seqs come from a sequence instead of sync_state, so commits no longer
-- queue on one row through their WAL flush: a commit locks only the rows
-- of the buckets it changes (sync_buckets) before it takes its seqs, which
-- keeps each bucket's seqs in commit order (see the package doc).
CREATE SEQUENCE sync_seq MINVALUE 0 START 0;
SELECT setval('sync_seq', last_seq, true) FROM sync_state WHERE id = 1;

-- +goose Down
UPDATE sync_state SET last_seq = (SELECT last_value FROM sync_seq) WHERE id = 1;
DROP SEQUENCE sync_seq;
