-- +goose Up
-- Every account decision of staff (create, disable, reset a password,
-- revoke a device, assign, diploma review): who, when, what, from where.
CREATE TABLE account_audit (
  id        BIGSERIAL PRIMARY KEY,
  at        BIGINT NOT NULL,
  actor_id  TEXT   NOT NULL,
  address   TEXT   NOT NULL DEFAULT '',
  action    TEXT   NOT NULL,
  object_id TEXT   NOT NULL,
  detail    TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX account_audit_at ON account_audit (at);

-- +goose Down
DROP TABLE account_audit;
