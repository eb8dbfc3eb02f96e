-- +goose Up
-- A case's content is its CaseContent protobuf; the columns beside it are
-- what queries filter and aggregate on.
CREATE TABLE cases (
    id             TEXT PRIMARY KEY,
    author_id      TEXT   NOT NULL,
    status         TEXT   NOT NULL, -- draft, submitted, published, rejected
    content        BLOB   NOT NULL,
    product        TEXT   NOT NULL DEFAULT '',
    product_key    TEXT   NOT NULL DEFAULT '', -- product folded for grouping
    outcome        INTEGER NOT NULL DEFAULT 0, -- ordinator.cases.v1.Outcome
    duration_days  INTEGER NOT NULL DEFAULT 0,
    specialty      TEXT   NOT NULL DEFAULT '', -- set when published
    version        BIGINT NOT NULL,
    moderator_id   TEXT   NOT NULL DEFAULT '',
    moderator_note TEXT   NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    submitted_at   BIGINT NOT NULL DEFAULT 0,
    published_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX cases_author ON cases (author_id);
CREATE INDEX cases_queue ON cases (status, submitted_at);
CREATE INDEX cases_export ON cases (status, product_key);

CREATE TABLE case_comments (
    id            TEXT PRIMARY KEY,
    case_id       TEXT    NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author_id     TEXT    NOT NULL,
    text          TEXT    NOT NULL,
    hidden        BOOLEAN NOT NULL DEFAULT FALSE,
    hidden_by     TEXT    NOT NULL DEFAULT '',
    hidden_reason TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL
);
CREATE INDEX case_comments_case ON case_comments (case_id, created_at);

-- The audit trail of every case: saves, submissions, decisions.
CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id  TEXT   NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at       BIGINT NOT NULL,
    actor_id TEXT   NOT NULL,
    action   TEXT   NOT NULL,
    note     TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- +goose Down
DROP TABLE case_events;
DROP TABLE case_comments;
DROP TABLE cases;
