-- outagecast pgstore schema, version 1.
--
-- Ids, channel names, targets and failure texts are arbitrary byte strings
-- (NUL bytes and invalid UTF-8 included), so they are kept as bytea. Rows
-- are found by key: the SHA-256 of the length-prefixed parts, so a target of
-- a few kilobytes never exceeds an index entry's size.

CREATE TABLE outagecast_marks (
    key       bytea PRIMARY KEY,
    update_id bytea NOT NULL,
    channel   bytea NOT NULL,
    target    bytea NOT NULL,
    failure   bytea NOT NULL, -- empty: delivered
    marked_at timestamptz NOT NULL DEFAULT now()
);

-- A receipt is the JSON of broadcast.Receipt (times in RFC 3339 with
-- nanoseconds, so they come back to the nanosecond). json, not jsonb: it
-- keeps the text as written, \u0000 included.
CREATE TABLE outagecast_receipts (
    key       bytea PRIMARY KEY,
    update_id bytea NOT NULL,
    channel   bytea NOT NULL,
    receipt   json NOT NULL,
    saved_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outagecast_threads (
    key         bytea PRIMARY KEY,
    incident_id bytea NOT NULL,
    channel     bytea NOT NULL,
    root        json NOT NULL,
    last        json NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX outagecast_marks_marked_at ON outagecast_marks (marked_at);
CREATE INDEX outagecast_receipts_saved_at ON outagecast_receipts (saved_at);
