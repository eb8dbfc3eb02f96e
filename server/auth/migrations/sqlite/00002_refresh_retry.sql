-- +goose Up
-- Refresh tokens are derived from the device and a generation counted up at
-- each rotation, so a rotation whose answer was lost can be answered again
-- without storing any token. refresh_used records that an access token issued
-- with the current token authenticated a call: from then on its predecessor
-- presented again means theft.
ALTER TABLE devices ADD COLUMN refresh_gen  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN refresh_used INTEGER NOT NULL DEFAULT 0;
-- Sessions rotated before tokens were derived cannot answer their last
-- rotation again: their previous token keeps revoking, as it did.
UPDATE devices SET refresh_used = 1 WHERE prev_refresh_hash <> '';

-- +goose Down
ALTER TABLE devices DROP COLUMN refresh_used;
ALTER TABLE devices DROP COLUMN refresh_gen;
