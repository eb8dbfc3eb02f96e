-- +goose Up
-- Observational studies: a schedule of visits, in weeks from each doctor's
-- start, and the fields every result must have.
CREATE TABLE studies (
    id                TEXT PRIMARY KEY,
    title             TEXT   NOT NULL,
    description       TEXT   NOT NULL,
    visit_weeks       TEXT   NOT NULL, -- JSON array of weeks, one per visit
    fields            TEXT   NOT NULL, -- JSON array of required answer keys
    points_per_result BIGINT NOT NULL,
    region_id         TEXT   NOT NULL, -- '' for any region
    created_by        TEXT   NOT NULL,
    created_at        BIGINT NOT NULL
);

CREATE TABLE study_enrolments (
    study_id    TEXT   NOT NULL REFERENCES studies (id),
    doctor_id   TEXT   NOT NULL REFERENCES users (id),
    start_date  TEXT   NOT NULL, -- YYYY-MM-DD, the doctor's local date
    enrolled_at BIGINT NOT NULL,
    PRIMARY KEY (study_id, doctor_id)
);
CREATE INDEX study_enrolments_doctor ON study_enrolments (doctor_id);

-- One row per visit a doctor owes: owed, then overdue past its due date
-- (and shown to the reps of the doctor's territory), or submitted.
CREATE TABLE study_results (
    id                  TEXT PRIMARY KEY,
    study_id            TEXT   NOT NULL,
    doctor_id           TEXT   NOT NULL,
    visit               BIGINT NOT NULL,
    due_date            TEXT   NOT NULL,
    status              TEXT   NOT NULL,
    territory_id        TEXT   NOT NULL DEFAULT '',
    answers             TEXT   NOT NULL DEFAULT '{}',
    note                TEXT   NOT NULL DEFAULT '',
    observed_on         TEXT   NOT NULL DEFAULT '',
    submitted_at        BIGINT NOT NULL DEFAULT 0,
    points_awarded      BIGINT NOT NULL DEFAULT 0,
    due_reminded_at     BIGINT NOT NULL DEFAULT 0,
    overdue_reminded_at BIGINT NOT NULL DEFAULT 0,
    reminder_at         BIGINT NOT NULL DEFAULT 0,
    reminder_by         TEXT   NOT NULL DEFAULT '',
    reminder_by_name    TEXT   NOT NULL DEFAULT '',
    UNIQUE (study_id, doctor_id, visit),
    FOREIGN KEY (study_id, doctor_id) REFERENCES study_enrolments (study_id, doctor_id)
);
CREATE INDEX study_results_open ON study_results (due_date) WHERE status <> 'submitted';
CREATE INDEX study_results_doctor ON study_results (doctor_id);

-- +goose Down
DROP TABLE study_results;
DROP TABLE study_enrolments;
DROP TABLE studies;
