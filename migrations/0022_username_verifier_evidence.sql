-- 0022_username_verifier_evidence: a username 0021 gave to an operator only for want of other
-- evidence is the operator's only when something shows an operator made the account.
--
-- 0021 fell back to `admin` for any verified username whose creating provider it could not
-- find. A review found the case: a partner's provider (its username claim trusted) created
-- `alice`; she linked another provider from the account page and removed the partner's
-- identity; retention deleted the decision and the `user.provisioned` entry. 0021 then made
-- her username the operator's, which every provider with `username_link` accepts: the takeover
-- 0021 closed, reopened for that user. It also read audit entries older than the user itself
-- (an id given again before 0011, whose earlier holder an operator had renamed).
--
-- Each username 0021 (or an operator since) marked `admin` is inferred again, reading only
-- entries from the user's own lifetime: an operator's rename; else the provider that created
-- the user; else `admin` when an operator shows in the account itself (a `user.created` entry,
-- a password, which only an operator sets on an account a provider made, or no identity but
-- those an operator linked); else nobody, and the username is no longer verified. Each user
-- whose username is unverified so is recorded (`migration.username_unverified`): an operator
-- who knows the account can verify it again.

CREATE TEMP TABLE username_verifier_inferred AS
SELECT users.id AS user_id, COALESCE(
    (SELECT 'admin' FROM audit_log
     WHERE audit_log.event = 'user.updated' AND audit_log.user_id = users.id AND audit_log.at >= users.created_at
       AND (',' || substr(audit_log.detail, 8) || ',') LIKE '%,username,%' LIMIT 1),
    (SELECT 'provider:' || identities.provider FROM identities
     WHERE identities.user_id = users.id AND identities.link_method = 'provisioned' ORDER BY identities.id LIMIT 1),
    (SELECT 'provider:' || decisions.provider FROM link_decisions AS decisions
     WHERE decisions.user_id = users.id AND decisions.decision = 'create' AND decisions.at >= users.created_at
     ORDER BY decisions.id LIMIT 1),
    (SELECT 'provider:' || substr(audit_log.detail, 10) FROM audit_log
     WHERE audit_log.event = 'user.provisioned' AND audit_log.user_id = users.id AND audit_log.at >= users.created_at
       AND substr(audit_log.detail, 1, 9) = 'provider=' ORDER BY audit_log.id LIMIT 1),
    CASE WHEN EXISTS (SELECT 1 FROM audit_log
                      WHERE audit_log.event = 'user.created' AND audit_log.user_id = users.id AND audit_log.at >= users.created_at)
              OR users.password_hash IS NOT NULL
              OR NOT EXISTS (SELECT 1 FROM identities WHERE identities.user_id = users.id AND identities.link_method <> 'admin')
         THEN 'admin' END
) AS verifier
FROM users
WHERE users.username_verified_by = 'admin';

INSERT INTO audit_log (at, event, user_id, detail)
SELECT CAST(strftime('%s', 'now') AS INTEGER), 'migration.username_unverified', user_id,
       'reason=no operator or provider shown to have verified the username'
FROM username_verifier_inferred WHERE verifier IS NULL;

UPDATE users
SET username_verified = 0, username_verified_by = NULL
WHERE id IN (SELECT user_id FROM username_verifier_inferred WHERE verifier IS NULL);

UPDATE users
SET username_verified_by = (SELECT verifier FROM username_verifier_inferred WHERE user_id = users.id)
WHERE id IN (SELECT user_id FROM username_verifier_inferred WHERE verifier IS NOT NULL AND verifier <> 'admin');

DROP TABLE username_verifier_inferred;
