-- 0005_local_passwords: an optional local password per user.

-- The scrypt hash as a self-describing PHC string, `$scrypt$ln=..,r=..,p=..$<salt>$<hash>`,
-- so its parameters can be raised later and old hashes upgraded at the next sign-in. NULL
-- means the user has no local password and signs in through a provider only. The CHECK keeps
-- anything that is not such a string (a plain password, another scheme) out of the column;
-- the length bound matches the parser's own cap.
ALTER TABLE users ADD COLUMN password_hash TEXT
    CHECK (password_hash IS NULL OR (substr(password_hash, 1, 8) = '$scrypt$' AND length(password_hash) <= 512));

-- When the password was last set (unix seconds); NULL when it never was. An upgrade of the
-- hash's parameters is not a password change and leaves this alone.
ALTER TABLE users ADD COLUMN password_changed_at INTEGER;
