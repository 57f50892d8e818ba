-- 0004_user_match_keys: the comparison forms of each user's email and username.
--
-- Account linking matches a claim against users' emails and usernames trimmed and case-folded
-- (Accounts.Normalization). SQLite's lower() folds ASCII letters only, so `ÉLODIE@…` would
-- miss `élodie@…` and an ambiguous match could go unseen. Gatehouse writes these columns through
-- Normalization whenever it writes the value; existing rows get the ASCII approximation here,
-- which is exact for every ASCII value and is rewritten by the next write of the user.
ALTER TABLE users ADD COLUMN email_key TEXT;
ALTER TABLE users ADD COLUMN username_key TEXT;

UPDATE users SET
    email_key = CASE WHEN trim(email) = '' THEN NULL ELSE lower(trim(email)) END,
    username_key = lower(trim(username));

CREATE INDEX users_email_key ON users (email_key);
CREATE INDEX users_username_key ON users (username_key);

-- Superseded by users_email_key.
DROP INDEX users_email_normalized;
