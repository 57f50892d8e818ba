-- 0008_matching_keys_and_verification: keys computed by one rule, verified by whom, and no
-- look-alike usernames.
--
-- email_key and username_key are recomputed by Gatehouse's one matching-key function
-- (MatchingKeys.MatchingKey, registered on every connection as gatehouse_email_key and
-- gatehouse_username_key): IDNA2008/UTS #46 for domains through libidn2, ASCII case folding
-- for ASCII text, NFC and nothing else for text holding any non-ASCII character. The keys of
-- 0004 folded case with Unicode's full case mapping, which mapped `gıthub.com` onto
-- `github.com` and the Kelvin sign onto `k`. A key that no longer exists (an address whose
-- domain does not convert) becomes NULL and matches nothing.
UPDATE users SET
    email_key = CASE WHEN email IS NULL THEN NULL ELSE gatehouse_email_key(email) END,
    username_key = gatehouse_username_key(username);

-- Two users whose new keys collide are not merged: each pair is recorded here, and the linking
-- engine denies ambiguous_match for an address or username that matches both, as before.
INSERT INTO audit_log (at, event, user_id, detail)
SELECT CAST(strftime('%s', 'now') AS INTEGER), 'migration.key_collision', first.id,
       'key=email_key; users=' || first.id || ',' || second.id
FROM users AS first JOIN users AS second ON first.email_key = second.email_key AND first.id < second.id;

INSERT INTO audit_log (at, event, user_id, detail)
SELECT CAST(strftime('%s', 'now') AS INTEGER), 'migration.key_collision', first.id,
       'key=username_key; users=' || first.id || ',' || second.id
FROM users AS first JOIN users AS second ON first.username_key = second.username_key AND first.id < second.id;

-- Who verified the email: 'admin' (an operator), 'person' (the person proved it to
-- Gatehouse itself) or 'provider:<slug>' (a provider's verified claim at a sign-in). A
-- verification counts for linking only when it came from a source the linking provider's
-- policy accepts. NULL exactly when the email is not verified (the triggers below).
ALTER TABLE users ADD COLUMN email_verified_by TEXT CHECK (
    email_verified_by IS NULL OR email_verified_by IN ('admin', 'person')
    OR (substr(email_verified_by, 1, 9) = 'provider:' AND length(email_verified_by) BETWEEN 10 AND 73)
);

-- Existing verified addresses: a user that a provider sign-in created (its 'provisioned'
-- identity, or the user.provisioned audit entry) was verified by that provider; any other was
-- made by an operator.
UPDATE users SET email_verified_by = coalesce(
    (SELECT 'provider:' || identities.provider FROM identities
     WHERE identities.user_id = users.id AND identities.link_method = 'provisioned' ORDER BY identities.id LIMIT 1),
    (SELECT 'provider:' || substr(audit_log.detail, 10) FROM audit_log
     WHERE audit_log.event = 'user.provisioned' AND audit_log.user_id = users.id
       AND substr(audit_log.detail, 1, 9) = 'provider=' ORDER BY audit_log.id LIMIT 1),
    'admin')
WHERE email_verified = 1 AND email IS NOT NULL;
UPDATE users SET email_verified = 0 WHERE email IS NULL;

CREATE TRIGGER users_email_verified_by_insert BEFORE INSERT ON users
WHEN (NEW.email_verified = 1) <> (NEW.email_verified_by IS NOT NULL) OR (NEW.email_verified = 1 AND NEW.email IS NULL)
BEGIN SELECT RAISE(ABORT, 'email_verified_by must be set exactly when the email is verified'); END;

CREATE TRIGGER users_email_verified_by_update BEFORE UPDATE OF email, email_verified, email_verified_by ON users
WHEN (NEW.email_verified = 1) <> (NEW.email_verified_by IS NOT NULL) OR (NEW.email_verified = 1 AND NEW.email IS NULL)
BEGIN SELECT RAISE(ABORT, 'email_verified_by must be set exactly when the email is verified'); END;

-- A username of a user created by an operator was chosen by the operator: verified. One a
-- provider sign-in made came from a claim, verified only when the policy trusted that claim,
-- as recorded. A username with ':' is never verified: `user:<id>` is how forward-auth names a
-- user whose username is not verified, and no verified username may look like one.
UPDATE users SET username_verified = 1
WHERE NOT EXISTS (SELECT 1 FROM identities WHERE identities.user_id = users.id AND identities.link_method = 'provisioned')
  AND NOT EXISTS (SELECT 1 FROM audit_log WHERE audit_log.event = 'user.provisioned' AND audit_log.user_id = users.id);
UPDATE users SET username_verified = 0 WHERE instr(username, ':') > 0;

-- The TR39 confusable skeleton of each username (after NFKC case folding). A new username
-- whose skeleton another user already has differs from that user's only by case, width or a
-- look-alike character, and is refused, whatever creates it. Existing look-alikes are kept (and
-- recorded): refusing them now would lock their owners out.
ALTER TABLE users ADD COLUMN username_skeleton TEXT;
UPDATE users SET username_skeleton = gatehouse_username_skeleton(username);
CREATE INDEX users_username_skeleton ON users (username_skeleton);

INSERT INTO audit_log (at, event, user_id, detail)
SELECT CAST(strftime('%s', 'now') AS INTEGER), 'migration.key_collision', first.id,
       'key=username_skeleton; users=' || first.id || ',' || second.id
FROM users AS first JOIN users AS second ON first.username_skeleton = second.username_skeleton AND first.id < second.id;

CREATE TRIGGER users_username_not_confusable_insert BEFORE INSERT ON users
WHEN NEW.username_skeleton IS NULL OR EXISTS (SELECT 1 FROM users WHERE username_skeleton = NEW.username_skeleton)
BEGIN SELECT RAISE(ABORT, 'username_confusable'); END;

CREATE TRIGGER users_username_not_confusable_update BEFORE UPDATE OF username, username_skeleton ON users
WHEN NEW.username_skeleton IS NULL
  OR EXISTS (SELECT 1 FROM users WHERE username_skeleton = NEW.username_skeleton AND id <> NEW.id)
BEGIN SELECT RAISE(ABORT, 'username_confusable'); END;
