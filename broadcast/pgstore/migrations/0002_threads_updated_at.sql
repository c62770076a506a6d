-- outagecast pgstore schema, version 2.
--
-- Prune deletes the threads of incidents with no update saved since its
-- cutoff, found by updated_at: without an index it read the whole table
-- for each batch. The table has a row per incident and channel, so the
-- index is built at once, in Migrate's transaction.
--
-- Version 1 neither needs nor hinders the index: a version of pgstore
-- whose schema was 1 keeps running on a database migrated to 2.
-- compatible-from: 1

CREATE INDEX outagecast_threads_updated_at ON outagecast_threads (updated_at);
