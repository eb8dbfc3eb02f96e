-- +goose Up
-- What keeps the directors' reports cheap: every figure reads its events
-- by scope and time through one of these indexes, never by scanning a
-- module's table. The same SQL serves PostgreSQL and SQLite.
CREATE INDEX IF NOT EXISTS reports_users_region ON users (region_id, role, created_at);
CREATE INDEX IF NOT EXISTS reports_doctors_user ON doctors (user_id, territory_id);
CREATE INDEX IF NOT EXISTS reports_doctors_territory ON doctors (territory_id, created_at);
CREATE INDEX IF NOT EXISTS reports_edits_territory_created ON edit_requests (territory_id, created_at);
CREATE INDEX IF NOT EXISTS reports_edits_territory_decided ON edit_requests (territory_id, decided_at);
CREATE INDEX IF NOT EXISTS reports_edits_doctor ON edit_requests (doctor_id, created_at);
CREATE INDEX IF NOT EXISTS reports_doctor_requests_doctor ON doctor_requests (doctor_id, created_at);
CREATE INDEX IF NOT EXISTS reports_doctor_history_at ON doctor_history (at, action);
CREATE INDEX IF NOT EXISTS reports_devices_user ON devices (user_id, last_seen_at);
CREATE INDEX IF NOT EXISTS reports_cases_author ON cases (author_id, submitted_at);
CREATE INDEX IF NOT EXISTS reports_progress_user ON content_progress (user_id, opened_at);
CREATE INDEX IF NOT EXISTS reports_points_user ON points_ledger (user_id, created_at);
CREATE INDEX IF NOT EXISTS reports_results_doctor ON study_results (doctor_id, due_date);
CREATE INDEX IF NOT EXISTS reports_results_overdue ON study_results (status, doctor_id);

-- +goose Down
DROP INDEX reports_results_overdue;
DROP INDEX reports_results_doctor;
DROP INDEX reports_points_user;
DROP INDEX reports_progress_user;
DROP INDEX reports_cases_author;
DROP INDEX reports_devices_user;
DROP INDEX reports_doctor_history_at;
DROP INDEX reports_doctor_requests_doctor;
DROP INDEX reports_edits_doctor;
DROP INDEX reports_edits_territory_decided;
DROP INDEX reports_edits_territory_created;
DROP INDEX reports_doctors_territory;
DROP INDEX reports_doctors_user;
DROP INDEX reports_users_region;
