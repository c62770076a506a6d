-- outagecast pgstore schema, version 4.
--
-- The index of version 3 held a receipt's incident id and channel as
-- they are, and an index entry holds at most some 2.7 kB: a receipt whose
-- incident id was longer (the Broadcaster keeps the post it made to a
-- target under an id that holds the target, a URL of a few kilobytes)
-- could not be saved. This index holds their SHA-256 instead, which
-- Prune looks a thread's receipts up by. Building it reads the table once,
-- while the receipts being saved meanwhile wait for it; reads go on. It is
-- built before the old index is dropped, as DROP INDEX locks the table
-- against reads too until Migrate commits: only from the drop on. (From
-- schema 1 or 2, migration 3's ALTER TABLE holds such a lock already.)
--
-- The server computes the index from the columns version 3 writes, and
-- versions 1 and 2 neither write nor read them: a version whose schema was
-- 1, 2 or 3 keeps running on a database migrated to 4 (version 3's Prune
-- no longer finds the index, and reads the receipts without it).
-- compatible-from: 1

CREATE INDEX outagecast_receipts_incident_hash ON outagecast_receipts (sha256(incident_id), sha256(channel))
    WHERE incident_id IS NOT NULL;
DROP INDEX outagecast_receipts_incident;
