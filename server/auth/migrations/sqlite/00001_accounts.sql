-- +goose Up
-- Signing keys for access tokens, shared by every server process.
CREATE TABLE auth_keys (
    id         TEXT PRIMARY KEY,
    secret     BLOB   NOT NULL,
    created_at INTEGER NOT NULL
);

-- Regions within this deployment (a country), each with territories that
-- representatives cover.
CREATE TABLE regions (
    id         TEXT PRIMARY KEY,
    name       TEXT   NOT NULL,
    time_zone  TEXT   NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE territories (
    id         TEXT PRIMARY KEY,
    region_id  TEXT   NOT NULL REFERENCES regions (id),
    name       TEXT   NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX territories_region ON territories (region_id);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    role             TEXT    NOT NULL,
    email            TEXT UNIQUE,
    phone            TEXT UNIQUE,
    password_hash    TEXT    NOT NULL,
    display_name     TEXT    NOT NULL,
    specialty        TEXT    NOT NULL DEFAULT '',
    region_id        TEXT REFERENCES regions (id),
    verified         INTEGER NOT NULL DEFAULT 0,
    diploma_media_id TEXT    NOT NULL DEFAULT '',
    diploma_status   TEXT    NOT NULL DEFAULT 'none',
    diploma_reason   TEXT    NOT NULL DEFAULT '',
    diploma_submitted_at INTEGER NOT NULL DEFAULT 0,
    -- Preferred language (ru, en) and IANA time zone ('' = the region's).
    locale           TEXT    NOT NULL DEFAULT 'ru',
    time_zone        TEXT    NOT NULL DEFAULT '',
    disabled         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER  NOT NULL,
    updated_at       INTEGER  NOT NULL
);
CREATE INDEX users_diploma_pending ON users (diploma_submitted_at) WHERE diploma_status = 'pending';

CREATE TABLE rep_territories (
    user_id      TEXT NOT NULL REFERENCES users (id),
    territory_id TEXT NOT NULL REFERENCES territories (id),
    PRIMARY KEY (user_id, territory_id)
);
CREATE INDEX rep_territories_territory ON rep_territories (territory_id);

CREATE TABLE director_regions (
    user_id   TEXT NOT NULL REFERENCES users (id),
    region_id TEXT NOT NULL REFERENCES regions (id),
    PRIMARY KEY (user_id, region_id)
);

-- A device session: a refresh token (stored hashed) bound to one device.
-- revoked_at is 0 while the session is valid.
CREATE TABLE devices (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT   NOT NULL REFERENCES users (id),
    name               TEXT   NOT NULL,
    platform           TEXT   NOT NULL,
    refresh_hash       TEXT   NOT NULL UNIQUE,
    prev_refresh_hash  TEXT   NOT NULL DEFAULT '',
    refresh_expires_at INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    last_seen_at       INTEGER NOT NULL,
    revoked_at         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX devices_user ON devices (user_id);
CREATE INDEX devices_prev_refresh ON devices (prev_refresh_hash) WHERE prev_refresh_hash <> '';

-- Failed logins per account and per address, for growing delays.
CREATE TABLE login_failures (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE devices;
DROP TABLE director_regions;
DROP TABLE rep_territories;
DROP TABLE users;
DROP TABLE territories;
DROP TABLE regions;
DROP TABLE auth_keys;
