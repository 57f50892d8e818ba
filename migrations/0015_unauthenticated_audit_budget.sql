-- 0015_unauthenticated_audit_budget: a count bound on the audit entries anyone can cause.
--
-- A failed password, a refused callback or a request to the admin API without a usable token
-- is audited, and nobody has to prove who they are to cause one. Retention bounds those entries
-- in time only, so a flood of attempts could grow the log without limit. They are kept to a
-- budget instead: `audit_budget.used` counts them, and once it passes `audit_budget.cap`
-- (written by `serve` from `database.max_unauthenticated_audit_entries`) each new one removes the
-- oldest of them. Every other entry (a sign-in, a link, an operator's change) is never removed
-- to make room, so a flood can only push out earlier attempts, never the rest of the trail.
-- The triggers keep the count in every writer's transaction, whatever process writes.

-- The events a request can cause without authenticating. One list: the triggers and the view
-- below read it.
CREATE TABLE audit_unauthenticated_events (
    event TEXT PRIMARY KEY
) WITHOUT ROWID;

INSERT INTO audit_unauthenticated_events (event) VALUES
    ('sign_in.refused'),
    ('login.failed'),
    ('login.rate_limited'),
    ('login.identified'),
    ('api.authentication_failed'),
    ('api.authentication_rate_limited');

CREATE TABLE audit_budget (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    used INTEGER NOT NULL CHECK (used >= 0),
    cap INTEGER NOT NULL CHECK (cap >= 1)
);

INSERT INTO audit_budget (id, used, cap)
SELECT 1, count(*), 500000 FROM audit_log WHERE event IN (SELECT event FROM audit_unauthenticated_events);

-- The oldest such entry: the first id of each listed event through the (event, id) index, so a
-- handful of lookups whatever the log's size.
CREATE VIEW audit_unauthenticated_oldest AS
SELECT min((SELECT min(id) FROM audit_log WHERE audit_log.event = listed.event)) AS id
FROM audit_unauthenticated_events AS listed;

CREATE TRIGGER audit_budget_counts_new_entries AFTER INSERT ON audit_log
WHEN NEW.event IN (SELECT event FROM audit_unauthenticated_events)
BEGIN
    UPDATE audit_budget SET used = used + 1 WHERE id = 1;
    DELETE FROM audit_log
    WHERE (SELECT used > cap FROM audit_budget WHERE id = 1)
      AND id = (SELECT id FROM audit_unauthenticated_oldest);
END;

CREATE TRIGGER audit_budget_counts_deleted_entries AFTER DELETE ON audit_log
WHEN OLD.event IN (SELECT event FROM audit_unauthenticated_events)
BEGIN
    UPDATE audit_budget SET used = used - 1 WHERE id = 1;
END;
