-- +goose Up
-- Content bundles this stack exported: the last one per destination. A
-- new export whose content is the same keeps its version; one that differs
-- takes the next version of the stack (monotonic across destinations).
CREATE TABLE content_bundle_exports (
    destination TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    digest      BLOB   NOT NULL, -- bundle.ContentDigest of the manifest
    created_at  INTEGER NOT NULL
);

-- The last bundle imported from each source stack. Its row serialises the
-- imports from that source: an import starts by bumping rev.
CREATE TABLE content_bundle_imports (
    source      TEXT PRIMARY KEY,
    version     INTEGER NOT NULL DEFAULT 0,
    digest      BLOB   NOT NULL DEFAULT X'',
    rev         INTEGER NOT NULL DEFAULT 0,
    imported_at INTEGER NOT NULL DEFAULT 0
);

-- The items that came from a source stack, with the digest of the item as
-- last imported (mapped onto this stack), so an unchanged item keeps its
-- version and an item the source no longer sends is withdrawn.
CREATE TABLE content_bundle_items (
    item_id TEXT PRIMARY KEY REFERENCES content_items (id),
    source  TEXT  NOT NULL,
    digest  BLOB  NOT NULL
);
CREATE INDEX content_bundle_items_source ON content_bundle_items (source);

-- Bundle sources pulled periodically (serve --content-source): the process
-- that moves next_at forward by a conditional update does the pull, so
-- replicas do not all fetch the same bundle.
CREATE TABLE content_bundle_pulls (
    url        TEXT PRIMARY KEY,
    next_at    INTEGER NOT NULL,
    checked_at INTEGER NOT NULL DEFAULT 0,
    outcome    TEXT   NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE content_bundle_pulls;
DROP TABLE content_bundle_items;
DROP TABLE content_bundle_imports;
DROP TABLE content_bundle_exports;
