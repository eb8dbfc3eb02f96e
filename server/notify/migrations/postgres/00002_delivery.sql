-- +goose Up
-- Delivery of the outbox by push: a worker claims due rows (FOR UPDATE SKIP
-- LOCKED), leases them while it sends, and records each device token it
-- sent to, so a retry after a partial failure only sends where it failed.
ALTER TABLE notifications ADD COLUMN claimed_by  TEXT    NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN lease_until BIGINT  NOT NULL DEFAULT 0;
-- A silent push (a sync wake-up) goes to one device and has no inbox item.
ALTER TABLE notifications ADD COLUMN silent      BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE notifications ADD COLUMN device_id   TEXT    NOT NULL DEFAULT '';
CREATE INDEX notifications_leased ON notifications (lease_until) WHERE state = 'sending';

-- FCM registration tokens. A token belongs to one device session and goes
-- when the session is revoked; locale picks the language of the texts and
-- time_zone the user's local time (quiet hours, reminders at 09:00).
CREATE TABLE push_tokens (
    token      TEXT PRIMARY KEY,
    user_id    TEXT   NOT NULL,
    device_id  TEXT   NOT NULL,
    platform   TEXT   NOT NULL,
    locale     TEXT   NOT NULL,
    time_zone  TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX push_tokens_user ON push_tokens (user_id, updated_at);
CREATE UNIQUE INDEX push_tokens_device ON push_tokens (device_id);

-- What became of a notification at each token: sent, unregistered, failed.
CREATE TABLE push_sends (
    notification_id TEXT   NOT NULL,
    token           TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    at              BIGINT NOT NULL,
    PRIMARY KEY (notification_id, token)
);

-- Periodic jobs shared by every server process: a process claims a due
-- job (FOR UPDATE SKIP LOCKED) and holds it by a lease while it runs.
CREATE TABLE notify_jobs (
    name        TEXT PRIMARY KEY,
    next_run_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL,
    owner       TEXT   NOT NULL
);

-- Devices holding a live sync stream, per server process; rows of a
-- process that died expire.
CREATE TABLE live_streams (
    device_id  TEXT   NOT NULL,
    process_id TEXT   NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, process_id)
);
CREATE INDEX live_streams_process ON live_streams (process_id);

-- The last silent sync push per device: at most one a minute.
CREATE TABLE device_wakes (
    device_id TEXT PRIMARY KEY,
    woken_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE device_wakes;
DROP TABLE live_streams;
DROP TABLE notify_jobs;
DROP TABLE push_sends;
DROP TABLE push_tokens;
DROP INDEX notifications_leased;
ALTER TABLE notifications DROP COLUMN device_id;
ALTER TABLE notifications DROP COLUMN silent;
ALTER TABLE notifications DROP COLUMN lease_until;
ALTER TABLE notifications DROP COLUMN claimed_by;
