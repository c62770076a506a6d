-- outagecast pgstore schema, version 3.
--
-- Prune keeps an incident's thread while it keeps any of the incident's
-- receipts on the channel (a receipt is kept while its update's mark is),
-- so a receipt records its incident. Receipts written by a version whose
-- schema was 1 or 2 have none: their threads are pruned by age alone, as
-- those versions did. The column is added without a default (no rewrite
-- of the table), and the index holds only the rows that have one, none
-- yet; building it still reads the table once, while the receipts being
-- saved or read meanwhile wait for it (ALTER TABLE locks the table until
-- Migrate commits).
--
-- Versions 1 and 2 neither write nor read the column: a version whose
-- schema was 1 or 2 keeps running on a database migrated to 3.
-- compatible-from: 1

ALTER TABLE outagecast_receipts ADD COLUMN incident_id bytea;
CREATE INDEX outagecast_receipts_incident ON outagecast_receipts (incident_id, channel)
    WHERE incident_id IS NOT NULL;
