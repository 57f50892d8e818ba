-- 0021_username_verified_by: who verified a username, as for email since 0008.
--
-- A user's username counted as verified whoever vouched for it. A review found the flaw: a
-- provider whose username claim the operator trusts (a partner's identity provider, in
-- `identifier` mode) created user `alice` marked verified, and the real Alice's first sign-in
-- through another provider with `username_link` was linked to that user. Now the verifier is
-- stored beside the flag, `admin` or `provider:<slug>`, and a provider's username matching
-- takes only an operator's verification or its own (`ProviderPolicy.acceptsUsername`).
--
-- Existing verified usernames, as 0008 inferred email verifiers: a username an operator set
-- later (a `user.updated` entry naming `username`) is the operator's; else a user a provider
-- sign-in created (its `provisioned` identity, which retention never removes; else the
-- decision or the `user.provisioned` entry that recorded the creation) was verified by that
-- provider; any other was made by an operator.

ALTER TABLE users ADD COLUMN username_verified_by TEXT
    CHECK (username_verified_by IS NULL OR username_verified_by = 'admin' OR username_verified_by LIKE 'provider:_%');

UPDATE users
SET username_verified_by = COALESCE(
    (SELECT 'admin' FROM audit_log
     WHERE audit_log.event = 'user.updated' AND audit_log.user_id = users.id
       AND (',' || substr(audit_log.detail, 8) || ',') LIKE '%,username,%' LIMIT 1),
    (SELECT 'provider:' || identities.provider FROM identities
     WHERE identities.user_id = users.id AND identities.link_method = 'provisioned' ORDER BY identities.id LIMIT 1),
    (SELECT 'provider:' || decisions.provider FROM link_decisions AS decisions
     WHERE decisions.user_id = users.id AND decisions.decision = 'create' ORDER BY decisions.id LIMIT 1),
    (SELECT 'provider:' || substr(audit_log.detail, 10) FROM audit_log
     WHERE audit_log.event = 'user.provisioned' AND audit_log.user_id = users.id
       AND substr(audit_log.detail, 1, 9) = 'provider=' ORDER BY audit_log.id LIMIT 1),
    'admin')
WHERE username_verified = 1;

CREATE TRIGGER users_username_verified_by_insert BEFORE INSERT ON users
WHEN (NEW.username_verified = 1) <> (NEW.username_verified_by IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'username_verified_by must be set exactly when the username is verified'); END;

CREATE TRIGGER users_username_verified_by_update BEFORE UPDATE OF username_verified, username_verified_by ON users
WHEN (NEW.username_verified = 1) <> (NEW.username_verified_by IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'username_verified_by must be set exactly when the username is verified'); END;
