-- outagecast pgstore schema, version 5.
--
-- Prune first deletes the records of the first Sends of the updates whose
-- rows all go (receipts on channel "\x00sent"), then those updates' sent
-- marks (marks on channel and target "\x00sent"). Found through the index
-- on all the rows' times, each of its batches read every other old row of
-- the table again. These partial indexes hold those records alone. They
-- are built at once, in Migrate's transaction: the rows being written
-- meanwhile wait for the build; reads go on (CREATE INDEX takes a SHARE
-- lock, which a SELECT's ACCESS SHARE does not conflict with).
--
-- Versions 1 to 4 neither need nor hinder the indexes: a version whose
-- schema was 1 to 4 keeps running on a database migrated to 5.
-- compatible-from: 1

CREATE INDEX outagecast_receipts_sent ON outagecast_receipts (saved_at)
    WHERE channel = '\x0073656e74'::bytea;
CREATE INDEX outagecast_marks_sent ON outagecast_marks (marked_at)
    WHERE channel = '\x0073656e74'::bytea AND target = '\x0073656e74'::bytea;
