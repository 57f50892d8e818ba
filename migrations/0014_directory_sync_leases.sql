-- 0014_directory_sync_leases: one synchronisation of a directory at a time, across processes.
--
-- The server's schedule, an operator's `gatehouse directories sync` and a second instance on the
-- same database each take the directory's lease before reading it, and give it back after. A
-- process that dies holding it leaves a lease that expires, so a crash never blocks syncs for
-- good. Written only by Gatehouse's own processes; one row per configured directory at most.
CREATE TABLE directory_sync_leases (
    directory TEXT PRIMARY KEY CHECK (length(directory) BETWEEN 1 AND 64),
    holder TEXT NOT NULL CHECK (length(holder) BETWEEN 1 AND 128),
    expires_at INTEGER NOT NULL
);
