-- 0022_username_verifier_evidence: a username 0021 gave to an operator for want of other
-- evidence is the operator's only when the trail shows an operator chose it.
--
-- 0021 fell back to `admin` for any verified username whose creating provider it could not
-- find. A review found the case: a partner's provider (its username claim trusted) created
-- `alice`; she linked another provider and the partner's identity was removed; retention
-- deleted the decision and the `user.provisioned` entry. 0021 then made her username the
-- operator's, which every provider with `username_link` accepts: the takeover 0021 closed,
-- reopened for that user. It also read audit entries older than the user itself (an id given
-- again before 0011, whose earlier holder an operator had renamed).
--
-- Each username marked `admin` is inferred again from entries of the user's own lifetime: an
-- operator's rename, or the operator's creation of the account, keep `admin`; else the provider
-- that created the user (its provisioned identity, decision or entry); else the verifier is
-- `provider:(unknown)`, which names no provider (a slug has no parentheses), so no provider's
-- username matching accepts it. The username stays verified: applications behind forward-auth
-- keep seeing the same `Remote-User`, and only the link by username is closed. Each such user is
-- recorded (`migration.username_verifier_unknown`); an operator who knows the account vouches for
-- it again with `username_verified` (`gatehouse users update ID --username-verified true`).

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
    (SELECT 'admin' FROM audit_log
     WHERE audit_log.event = 'user.created' AND audit_log.user_id = users.id AND audit_log.at >= users.created_at LIMIT 1),
    'provider:(unknown)'
) AS verifier
FROM users
WHERE users.username_verified_by = 'admin';

INSERT INTO audit_log (at, event, user_id, detail)
SELECT CAST(strftime('%s', 'now') AS INTEGER), 'migration.username_verifier_unknown', user_id,
       'reason=neither an operator nor a provider is shown to have chosen the username'
FROM username_verifier_inferred WHERE verifier = 'provider:(unknown)';

UPDATE users
SET username_verified_by = (SELECT verifier FROM username_verifier_inferred WHERE user_id = users.id)
WHERE id IN (SELECT user_id FROM username_verifier_inferred WHERE verifier <> 'admin');

DROP TABLE username_verifier_inferred;
