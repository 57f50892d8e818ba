-- 0021_username_verified_by: who verified a username, as for email since 0008.
--
-- A user's username counted as verified whoever vouched for it. A review found the flaw: a
-- provider whose username claim the operator trusts (a partner's identity provider, in
-- `identifier` mode) created user `alice` marked verified, and the real Alice's first sign-in
-- through another provider with `username_link` was linked to that user. Now the verifier is
-- stored beside the flag, `admin` or `provider:<slug>`, and a provider's username matching
-- takes only an operator's verification or its own (`ProviderPolicy.acceptsUsername`).
--
-- Existing verified usernames: a user created at a sign-in has the decision that created it
-- (`link_decisions`, `create`), which names the provider; any other (created by an operator,
-- or whose decision retention has removed) is taken as the operator's, as before this change.

ALTER TABLE users ADD COLUMN username_verified_by TEXT
    CHECK (username_verified_by IS NULL OR username_verified_by = 'admin' OR username_verified_by LIKE 'provider:_%');

UPDATE users
SET username_verified_by = COALESCE(
    (SELECT 'provider:' || decisions.provider FROM link_decisions AS decisions
     WHERE decisions.user_id = users.id AND decisions.decision = 'create' ORDER BY decisions.id LIMIT 1),
    'admin')
WHERE username_verified = 1;

CREATE TRIGGER users_username_verified_by_insert BEFORE INSERT ON users
WHEN (NEW.username_verified = 1) <> (NEW.username_verified_by IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'username_verified_by must be set exactly when the username is verified'); END;

CREATE TRIGGER users_username_verified_by_update BEFORE UPDATE OF username_verified, username_verified_by ON users
WHEN (NEW.username_verified = 1) <> (NEW.username_verified_by IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'username_verified_by must be set exactly when the username is verified'); END;
