-- +goose Up
-- The append-only points ledger. Each entry is unique by its source, so a
-- replayed event (a training completed twice, a retried order) posts once.
CREATE TABLE points_ledger (
    id            TEXT PRIMARY KEY,
    user_id       TEXT   NOT NULL,
    amount        BIGINT NOT NULL,
    source        TEXT   NOT NULL,
    source_id     TEXT   NOT NULL,
    reason        TEXT   NOT NULL,
    actor_id      TEXT   NOT NULL,
    balance_after BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX points_ledger_user ON points_ledger (user_id, created_at);

-- The balance, kept in the same transaction as every entry; it can never
-- go below zero.
CREATE TABLE points_balances (
    user_id    TEXT PRIMARY KEY,
    balance    BIGINT NOT NULL CHECK (balance >= 0),
    updated_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE points_balances;
DROP TABLE points_ledger;
