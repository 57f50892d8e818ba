-- 0016_audit_budget_per_kind: each kind of unauthenticated audit entry keeps its own share.
--
-- 0015 kept the entries anyone can cause to one shared count, removing the oldest of them all
-- past it. A review found the flaw: the kinds are not equally cheap to cause. An identification
-- step (`login.identified`) is not throttled, so a flood of them could push out the trail of
-- an attacker's own password guesses (`login.failed`) or of tokens tried at the admin API. Now
-- the cap (`audit_budget.cap`, from `database.max_unauthenticated_audit_entries`) is shared
-- equally among the listed kinds, rounded up, and past its share a new entry removes the
-- oldest of its own kind: a flood of one kind only ever pushes out that kind. The total stays
-- within the cap plus one share.

ALTER TABLE audit_unauthenticated_events ADD COLUMN used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0);

UPDATE audit_unauthenticated_events
SET used = (SELECT count(*) FROM audit_log WHERE audit_log.event = audit_unauthenticated_events.event);

DROP TRIGGER audit_budget_counts_new_entries;
DROP TRIGGER audit_budget_counts_deleted_entries;
DROP VIEW audit_unauthenticated_oldest;
-- The count per kind replaces the shared one.
ALTER TABLE audit_budget DROP COLUMN used;

-- Each kind's share of the cap.
CREATE VIEW audit_unauthenticated_share AS
SELECT (budget.cap + kinds.count - 1) / kinds.count AS share
FROM audit_budget AS budget, (SELECT count(*) AS count FROM audit_unauthenticated_events) AS kinds
WHERE budget.id = 1;

-- The oldest entry of the new entry's kind is the first id of that event in the (event, id) index.
CREATE TRIGGER audit_budget_counts_new_entries AFTER INSERT ON audit_log
WHEN NEW.event IN (SELECT event FROM audit_unauthenticated_events)
BEGIN
    UPDATE audit_unauthenticated_events SET used = used + 1 WHERE event = NEW.event;
    DELETE FROM audit_log
    WHERE (SELECT used FROM audit_unauthenticated_events WHERE event = NEW.event) > (SELECT share FROM audit_unauthenticated_share)
      AND id = (SELECT min(id) FROM audit_log WHERE event = NEW.event);
END;

CREATE TRIGGER audit_budget_counts_deleted_entries AFTER DELETE ON audit_log
WHEN OLD.event IN (SELECT event FROM audit_unauthenticated_events)
BEGIN
    UPDATE audit_unauthenticated_events SET used = used - 1 WHERE event = OLD.event;
END;
