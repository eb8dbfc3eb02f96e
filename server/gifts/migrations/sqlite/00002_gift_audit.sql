-- +goose Up
-- Every gift-wave decision of staff (wave created or changed, offer set,
-- packing, shipping, delivery): who, when, what, from where.
CREATE TABLE gift_audit (
  id        INTEGER PRIMARY KEY,
  at        BIGINT NOT NULL,
  actor_id  TEXT   NOT NULL,
  address   TEXT   NOT NULL DEFAULT '',
  action    TEXT   NOT NULL,
  object_id TEXT   NOT NULL,
  detail    TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX gift_audit_at ON gift_audit (at);

-- +goose Down
DROP TABLE gift_audit;
