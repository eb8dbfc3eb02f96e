-- +goose Up
CREATE TABLE clinics (
    id           TEXT PRIMARY KEY,
    name         TEXT   NOT NULL,
    city         TEXT   NOT NULL,
    address      TEXT   NOT NULL,
    territory_id TEXT   NOT NULL REFERENCES territories (id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX clinics_territory ON clinics (territory_id);

-- A doctor's fields are a JSON object of the doctor template's fields
-- (field -> list of values), so the template can grow without a migration;
-- the columns beside it are the ones queries filter on.
CREATE TABLE doctors (
    id           TEXT PRIMARY KEY,
    external_id  TEXT UNIQUE,
    user_id      TEXT UNIQUE REFERENCES users (id),
    fields       TEXT   NOT NULL,
    full_name    TEXT   NOT NULL,
    territory_id TEXT   NOT NULL REFERENCES territories (id),
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX doctors_territory ON doctors (territory_id);

-- Every version of every doctor, so an edit proposed on an old version can
-- be compared field by field with what changed since.
CREATE TABLE doctor_versions (
    doctor_id TEXT   NOT NULL REFERENCES doctors (id),
    version   BIGINT NOT NULL,
    fields    TEXT   NOT NULL,
    PRIMARY KEY (doctor_id, version)
);

CREATE TABLE edit_requests (
    id           TEXT PRIMARY KEY,
    doctor_id    TEXT   NOT NULL REFERENCES doctors (id),
    territory_id TEXT   NOT NULL,
    proposer_id  TEXT   NOT NULL REFERENCES users (id),
    base_version BIGINT NOT NULL,
    changes      TEXT   NOT NULL,
    comment      TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    decided_by   TEXT   NOT NULL DEFAULT '',
    reason       TEXT   NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    decided_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX edit_requests_status ON edit_requests (status, created_at);
CREATE INDEX edit_requests_doctor ON edit_requests (doctor_id);

-- The audit trail of each doctor's data.
CREATE TABLE doctor_history (
    id         TEXT PRIMARY KEY,
    doctor_id  TEXT   NOT NULL REFERENCES doctors (id),
    -- Numbers a doctor's entries in the order they were written.
    n          BIGINT NOT NULL,
    action     TEXT   NOT NULL,
    actor_id   TEXT   NOT NULL,
    request_id TEXT   NOT NULL,
    version    BIGINT NOT NULL,
    changes    TEXT   NOT NULL,
    note       TEXT   NOT NULL,
    at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX doctor_history_doctor ON doctor_history (doctor_id, n);

-- What reps asked doctors to do.
CREATE TABLE doctor_requests (
    id         TEXT PRIMARY KEY,
    doctor_id  TEXT   NOT NULL REFERENCES doctors (id),
    rep_id     TEXT   NOT NULL REFERENCES users (id),
    kind       TEXT   NOT NULL,
    message    TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE doctor_requests;
DROP TABLE doctor_history;
DROP TABLE edit_requests;
DROP TABLE doctor_versions;
DROP TABLE doctors;
DROP TABLE clinics;
