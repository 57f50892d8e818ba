-- 0018_denied_decisions_budget: denied link decisions kept to the unauthenticated budget.
--
-- Every refused sign-in writes its explanation to `link_decisions`: a `deny` row with its reason
-- and no user, beside the `sign_in.refused` audit entry that 0015 and 0016 keep to a budget.
-- The decision itself was bounded by retention only (400 days by default). A review found the
-- flaw: anyone whose provider account is refused (a personal Gmail account against
-- `allowed_email_domains: ["corp.com"]`) can script sign-ins and write a deny row each, about
-- 1.4 million a day per client. Denied decisions now follow 0016's design: the same cap
-- (`audit_budget.cap`, from `database.max_unauthenticated_audit_entries`) is shared equally by
-- the deny reasons, rounded up, and past its share a new deny removes the oldest deny of the
-- same reason. A flood of `domain_not_allowed` never pushes out an `identity_conflict` or an
-- `ambiguous_match`, the trail of a takeover attempt; a decision that signed someone in or
-- linked an identity (`sign_in`, `fill_subject`, `link`, `create`) is never counted and never
-- removed. Each reason keeps at most its share, so the table's denies stay within the cap plus
-- fewer than one per reason.
--
-- The same cap rather than a second setting: each refused sign-in writes one row to each trail,
-- so one number bounds both alike (link_decisions holds at most the cap of denies, audit_log the
-- cap of its kinds). Account-page denies count too: they are deny rows like the others, and
-- their audit entry is already a `sign_in.refused` in 0015's list.
--
-- Back-channel logout. A `sign_out.back_channel` entry needs a logout token the provider signed,
-- verified and recorded once per `jti`; nobody else can cause one. But a person the provider
-- authenticates, even one refused here, can: start a sign-in here so the provider's session
-- includes Gatehouse, sign out at the provider, repeat. A token that ends no session here then
-- writes an entry naming no user, as cheaply as a denied sign-in writes a deny row. The event
-- as a whole does not belong in the list: the budget is per event, and an entry that ended
-- sessions is the only record that a real person's sessions were ended by their provider, which
-- a flood must never push out. So such a token's entry gets an event of its own,
-- `sign_out.back_channel_unmatched` (an honest one arrives too when a person signs out here
-- first and the provider's token follows), and that event joins the list as a seventh kind.
-- The shares of the six earlier kinds shrink from a sixth of the cap to a seventh; the purge
-- trims what a kind holds beyond its share, as after a lowered cap.

INSERT INTO audit_unauthenticated_events (event, used) VALUES ('sign_out.back_channel_unmatched', 0);

-- The deny reasons, each with its count of stored denies. One row per reason the linking engine
-- gives (`DenyCode`); a reason missing here is added by the trigger at its first deny, so no
-- deny is ever left uncounted.
CREATE TABLE link_deny_reasons (
    reason TEXT PRIMARY KEY,
    used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0)
) WITHOUT ROWID;

INSERT INTO link_deny_reasons (reason) VALUES
    ('user_inactive'),
    ('signup_disabled'),
    ('no_matching_account'),
    ('ambiguous_match'),
    ('email_not_verified'),
    ('account_not_verified'),
    ('identity_conflict'),
    ('account_exists'),
    ('domain_not_allowed'),
    ('unsafe_policy'),
    ('identity_owned_by_another_user'),
    ('one_identity_per_user');

-- The oldest deny of a reason is the first id of that reason in this index; only denies carry a
-- reason (0003's CHECK), so the index holds them alone.
CREATE INDEX link_decisions_reason ON link_decisions (reason, id) WHERE reason IS NOT NULL;

INSERT INTO link_deny_reasons (reason)
SELECT DISTINCT reason FROM link_decisions WHERE reason IS NOT NULL AND reason NOT IN (SELECT reason FROM link_deny_reasons);

UPDATE link_deny_reasons
SET used = (SELECT count(*) FROM link_decisions WHERE link_decisions.reason = link_deny_reasons.reason);

-- Each reason's share of the cap.
CREATE VIEW link_deny_share AS
SELECT (budget.cap + reasons.count - 1) / reasons.count AS share
FROM audit_budget AS budget, (SELECT count(*) AS count FROM link_deny_reasons) AS reasons
WHERE budget.id = 1;

CREATE TRIGGER link_deny_budget_counts_new_denies AFTER INSERT ON link_decisions
WHEN NEW.decision = 'deny'
BEGIN
    INSERT INTO link_deny_reasons (reason)
    SELECT NEW.reason WHERE NOT EXISTS (SELECT 1 FROM link_deny_reasons WHERE reason = NEW.reason);
    UPDATE link_deny_reasons SET used = used + 1 WHERE reason = NEW.reason;
    DELETE FROM link_decisions
    WHERE (SELECT used FROM link_deny_reasons WHERE reason = NEW.reason) > (SELECT share FROM link_deny_share)
      AND id = (SELECT min(id) FROM link_decisions WHERE reason = NEW.reason);
END;

CREATE TRIGGER link_deny_budget_counts_deleted_denies AFTER DELETE ON link_decisions
WHEN OLD.decision = 'deny'
BEGIN
    UPDATE link_deny_reasons SET used = used - 1 WHERE reason = OLD.reason;
END;
