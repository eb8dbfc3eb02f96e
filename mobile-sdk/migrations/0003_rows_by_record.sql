-- sdk_rows becomes one B-tree keyed by record and bucket (WITHOUT ROWID):
-- a downloaded row was written three times before (the rowid table, its
-- unique key, the index by record). Reads by record are a prefix of the key;
-- the rare bucket-wide work (a bucket dropped, reset or new) scans the table.
CREATE TABLE sdk_rows_new (
    collection TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    bucket     TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    hash       INTEGER NOT NULL,
    PRIMARY KEY (collection, id, bucket)
) WITHOUT ROWID;
INSERT INTO sdk_rows_new (collection, id, bucket, payload, hash)
    SELECT collection, id, bucket, payload, hash FROM sdk_rows;
DROP TABLE sdk_rows;
ALTER TABLE sdk_rows_new RENAME TO sdk_rows;
