-- +goose Up
-- When each client (one installation of the app) last pulled, with which
-- device session and client schema: what support sees of a user's devices.
-- The engine writes a row at most once a minute per client (see
-- syncengine.Engine.Pull); the last push is sync_clients.updated_at.
CREATE TABLE sync_client_pulls (
    client_id      TEXT   PRIMARY KEY,
    user_id        TEXT   NOT NULL,
    device_id      TEXT   NOT NULL,
    schema_version BIGINT NOT NULL,
    last_pull_at   BIGINT NOT NULL
);
CREATE INDEX sync_client_pulls_user ON sync_client_pulls (user_id);
-- A user's clients and their rejected mutations are looked up by user.
CREATE INDEX sync_clients_user ON sync_clients (user_id);

-- +goose Down
DROP INDEX sync_clients_user;
DROP TABLE sync_client_pulls;
