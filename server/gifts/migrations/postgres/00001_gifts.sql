-- +goose Up
-- The catalog of gift items; each has one stock line.
CREATE TABLE gift_items (
    id          TEXT PRIMARY KEY,
    sku         TEXT   NOT NULL UNIQUE,
    name        TEXT   NOT NULL,
    description TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Current stock per item: the sums of its movements, kept in the same
-- transaction as every movement. Reserved stock is allocated to waves and
-- not yet shipped; it can never exceed what is on hand.
CREATE TABLE gift_stock (
    item_id    TEXT PRIMARY KEY REFERENCES gift_items (id),
    on_hand    BIGINT NOT NULL CHECK (on_hand >= 0),
    reserved   BIGINT NOT NULL CHECK (reserved >= 0),
    updated_at BIGINT NOT NULL,
    CHECK (reserved <= on_hand)
);

-- Every stock movement, append-only. request_id makes a retried admin
-- request record once.
CREATE TABLE gift_movements (
    id             TEXT PRIMARY KEY,
    item_id        TEXT   NOT NULL REFERENCES gift_items (id),
    kind           TEXT   NOT NULL,
    quantity       BIGINT NOT NULL,
    on_hand_delta  BIGINT NOT NULL,
    reserved_delta BIGINT NOT NULL,
    wave_id        TEXT   NOT NULL,
    shipment_id    TEXT   NOT NULL,
    note           TEXT   NOT NULL,
    actor_id       TEXT   NOT NULL,
    request_id     TEXT UNIQUE,
    created_at     BIGINT NOT NULL
);
CREATE INDEX gift_movements_item ON gift_movements (item_id, created_at);
CREATE INDEX gift_movements_wave ON gift_movements (wave_id, kind);

CREATE TABLE gift_waves (
    id          TEXT PRIMARY KEY,
    region_id   TEXT   NOT NULL REFERENCES regions (id),
    title       TEXT   NOT NULL,
    description TEXT   NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    grace_ms    BIGINT NOT NULL,
    -- Set once the grace period has passed and the wave has left the
    -- region's devices.
    retired_at  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX gift_waves_region ON gift_waves (region_id, ends_at);

-- What a wave offers, at what price, and how much stock is allocated to
-- it. published_* is the remaining stock last synced to devices.
CREATE TABLE gift_wave_items (
    wave_id             TEXT   NOT NULL REFERENCES gift_waves (id),
    item_id             TEXT   NOT NULL REFERENCES gift_items (id),
    points_price        BIGINT NOT NULL CHECK (points_price > 0),
    limit_per_doctor    BIGINT NOT NULL CHECK (limit_per_doctor >= 0),
    allocated           BIGINT NOT NULL CHECK (allocated >= 0),
    published_remaining BIGINT NOT NULL,
    published_at        BIGINT NOT NULL,
    PRIMARY KEY (wave_id, item_id)
);

-- A wave item's allocation split into shards, whose allocations add up to
-- the wave item's. An order takes units from one shard (more at the very
-- end) with a conditional UPDATE, so concurrent orders for one item do not
-- all queue on one row, and no shard can hand out more than it holds.
-- last_take is what the last UPDATE took, for RETURNING.
CREATE TABLE gift_stock_shards (
    wave_id   TEXT   NOT NULL,
    item_id   TEXT   NOT NULL,
    shard     BIGINT NOT NULL,
    allocated BIGINT NOT NULL,
    ordered   BIGINT NOT NULL DEFAULT 0,
    last_take BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (wave_id, item_id, shard),
    FOREIGN KEY (wave_id, item_id) REFERENCES gift_wave_items (wave_id, item_id),
    CHECK (ordered >= 0),
    CHECK (ordered <= allocated)
);

-- Units of each wave item with a per-doctor limit that a doctor holds in
-- live orders.
CREATE TABLE gift_doctor_items (
    wave_id  TEXT   NOT NULL,
    item_id  TEXT   NOT NULL,
    user_id  TEXT   NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (wave_id, item_id, user_id)
);

CREATE TABLE gift_orders (
    id           TEXT PRIMARY KEY,
    number       TEXT UNIQUE,
    user_id      TEXT   NOT NULL REFERENCES users (id),
    wave_id      TEXT   NOT NULL REFERENCES gift_waves (id),
    territory_id TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    points_total BIGINT NOT NULL,
    address      TEXT   NOT NULL,
    address_key  TEXT   NOT NULL,
    shipment_id  TEXT   NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    placed_at    BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX gift_orders_wave ON gift_orders (wave_id, status, address_key);
CREATE INDEX gift_orders_user ON gift_orders (user_id, placed_at);
CREATE INDEX gift_orders_shipment ON gift_orders (shipment_id);

-- An order's units of each item, per stock shard they came from (so a
-- cancellation puts them back where they were taken).
CREATE TABLE gift_order_lines (
    order_id     TEXT   NOT NULL REFERENCES gift_orders (id),
    item_id      TEXT   NOT NULL,
    shard        BIGINT NOT NULL,
    name         TEXT   NOT NULL,
    quantity     BIGINT NOT NULL,
    points_price BIGINT NOT NULL,
    PRIMARY KEY (order_id, item_id, shard)
);

CREATE TABLE gift_shipments (
    id           TEXT PRIMARY KEY,
    number       TEXT   NOT NULL UNIQUE,
    wave_id      TEXT   NOT NULL REFERENCES gift_waves (id),
    address      TEXT   NOT NULL,
    address_key  TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    tracking     TEXT   NOT NULL DEFAULT '',
    packed_at    BIGINT NOT NULL,
    shipped_at   BIGINT NOT NULL DEFAULT 0,
    delivered_at BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX gift_shipments_wave ON gift_shipments (wave_id, status);

-- Wave announcements (opened, closing soon, closed) to the region's
-- doctors, sent in pages: cursor is the last doctor notified; the lease
-- keeps two server processes from working on one announcement at once
-- (and dedupe keys make a page sent twice notify once).
CREATE TABLE gift_wave_notices (
    wave_id     TEXT   NOT NULL REFERENCES gift_waves (id),
    kind        TEXT   NOT NULL,
    due_at      BIGINT NOT NULL,
    cursor      TEXT   NOT NULL DEFAULT '',
    lease_owner TEXT   NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0,
    done_at     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (wave_id, kind)
);
CREATE INDEX gift_wave_notices_due ON gift_wave_notices (done_at, due_at);

CREATE SEQUENCE gift_order_numbers;
CREATE SEQUENCE gift_shipment_numbers;

-- +goose Down
DROP SEQUENCE gift_shipment_numbers;
DROP SEQUENCE gift_order_numbers;
DROP TABLE gift_wave_notices;
DROP TABLE gift_shipments;
DROP TABLE gift_order_lines;
DROP TABLE gift_orders;
DROP TABLE gift_doctor_items;
DROP TABLE gift_stock_shards;
DROP TABLE gift_wave_items;
DROP TABLE gift_waves;
DROP TABLE gift_movements;
DROP TABLE gift_stock;
DROP TABLE gift_items;
