-- +goose Up
-- A signed-in console user. The cookie holds a random token; only its hash
-- is kept. Each console session is also a device session of the accounts
-- module (device_id): revoking that device, or disabling the account, ends
-- it. Rows past the idle timeout or the absolute lifetime are deleted (and
-- their device sessions revoked) when they are next seen or at the next
-- sign-in.
CREATE TABLE console_sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT   NOT NULL,
    device_id    TEXT   NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_seen ON console_sessions (last_seen_at);
CREATE INDEX console_sessions_created ON console_sessions (created_at);

-- +goose Down
DROP TABLE console_sessions;
