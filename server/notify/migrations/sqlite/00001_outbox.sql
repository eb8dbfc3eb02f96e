-- +goose Up
-- The notification outbox, written in the same transaction as the event
-- that causes each notification. dedupe_key makes a repeated event a no-op.
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    user_id         TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    params          TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    dedupe_key      TEXT    NOT NULL UNIQUE,
    urgent          INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    read_at         INTEGER NOT NULL DEFAULT 0,
    -- Delivery by push: pending until sent, given up or not needed.
    state           TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notifications_user ON notifications (user_id, created_at);

-- +goose Down
DROP TABLE notifications;
