-- +goose Up
-- A region's doctors and a territory's doctor accounts, read by nearly
-- every figure's scope, come from these indexes alone (no table rows).
CREATE INDEX IF NOT EXISTS reports_users_region_ids ON users (region_id, role, id);
CREATE INDEX IF NOT EXISTS reports_doctors_territory_users ON doctors (territory_id, user_id);
-- The doctors touched in a window (edits proposed, requests sent), read
-- from the index for "doctors not touched for 90 days".
CREATE INDEX IF NOT EXISTS reports_edits_created ON edit_requests (created_at, doctor_id);
CREATE INDEX IF NOT EXISTS reports_doctor_requests_created ON doctor_requests (created_at, doctor_id);

-- +goose Down
DROP INDEX reports_doctor_requests_created;
DROP INDEX reports_edits_created;
DROP INDEX reports_doctors_territory_users;
DROP INDEX reports_users_region_ids;
