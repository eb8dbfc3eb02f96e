-- A queued photo is registered with the server (CreateUpload: its digest
-- and size) before any mutation naming it is pushed.
ALTER TABLE sdk_media ADD COLUMN registered INTEGER NOT NULL DEFAULT 0;

-- The photos an outbox entry names: it is pushed only once each is
-- registered or, with uploaded set, uploaded.
CREATE TABLE sdk_outbox_media (
    outbox_id INTEGER NOT NULL,
    media_id  TEXT    NOT NULL,
    uploaded  INTEGER NOT NULL,
    PRIMARY KEY (outbox_id, media_id)
) WITHOUT ROWID;
