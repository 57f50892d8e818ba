-- 0023_verified_email_one_owner: a verified address has one owner, however it was written.
--
-- An operator could never give a user an address another user holds verified, but a sign-up
-- could: a provider that another one does not accept for linking made a second user with the
-- verified address of someone else (review finding), and forward-auth then told applications
-- that this stranger was that address too. A sign-up now stores such an address unverified
-- (the decision of the engine), and this index makes a second verified holder impossible on
-- every path.
--
-- Where several users hold one address verified today, one keeps it: an active user before a
-- deactivated one, then a verification by an operator before one by a person or a provider,
-- then the user who has held it longest (the smallest id). The others keep the address, unverified; each is recorded
-- (`migration.verified_email_duplicate`, naming the user who kept it), and forward-auth then
-- sends them by their stable id. An operator who knows better moves the verification with
-- `gatehouse users update`.

CREATE TEMP TABLE verified_email_keeper AS
SELECT shared.email_key AS email_key,
       (SELECT holder.id FROM users AS holder
        WHERE holder.email_key = shared.email_key AND holder.email_verified = 1
        ORDER BY holder.active DESC, holder.email_verified_by = 'admin' DESC, holder.id LIMIT 1) AS user_id
FROM (SELECT email_key FROM users WHERE email_verified = 1 AND email_key IS NOT NULL
      GROUP BY email_key HAVING count(*) > 1) AS shared;

INSERT INTO audit_log (at, event, user_id, detail)
SELECT CAST(strftime('%s', 'now') AS INTEGER), 'migration.verified_email_duplicate', users.id,
       'reason=another user holds this address verified; kept_by=' || keeper.user_id
FROM users JOIN verified_email_keeper AS keeper ON keeper.email_key = users.email_key
WHERE users.email_verified = 1 AND users.id <> keeper.user_id;

UPDATE users
SET email_verified = 0, email_verified_by = NULL, updated_at = CAST(strftime('%s', 'now') AS INTEGER)
WHERE email_verified = 1
  AND email_key IN (SELECT email_key FROM verified_email_keeper)
  AND id NOT IN (SELECT user_id FROM verified_email_keeper);

DROP TABLE verified_email_keeper;

CREATE UNIQUE INDEX users_verified_email_key ON users (email_key) WHERE email_verified = 1;
