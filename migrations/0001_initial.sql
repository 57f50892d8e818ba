-- 0001_initial: users, sessions and the audit log.
-- All timestamps are integer unix seconds (UTC).

-- A local account. `username` is compared case-insensitively everywhere: the column is
-- declared COLLATE NOCASE, so its UNIQUE index refuses "Alice" beside "alice" and a plain
-- `WHERE username = ?` uses that index. We keep the name as typed (for display) instead of a
-- second normalised column. NOCASE folds ASCII letters only, so whoever accepts non-ASCII
-- usernames must normalise them (Unicode NFC, lowercase) before they reach this table.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE CHECK (length(username) BETWEEN 1 AND 255),
    email TEXT,
    display_name TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE UNIQUE INDEX users_username ON users (username);

-- Lookups by e-mail (account linking) compare the trimmed, lowercased address. Not unique:
-- whether two accounts may share an address is a policy decision, not a schema one.
CREATE INDEX users_email_normalized ON users (lower(trim(email)));

-- A server-side session. The cookie carries 256 random bits; only their SHA-256 is stored
-- in token_hash, so a copy of the database does not yield live sessions. user_id is NULL
-- for a session that has not signed in yet (it still carries CSRF state).
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    idle_expires_at INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    authenticated_at INTEGER,
    provider TEXT,
    user_agent TEXT,
    client_address TEXT
);

CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_absolute_expires_at ON sessions (absolute_expires_at);

-- Security-relevant events. user_id is deliberately not a foreign key: the trail must
-- outlive the account it mentions. detail never holds a secret, token or cookie value.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    user_id INTEGER,
    request_id TEXT,
    detail TEXT
);

CREATE INDEX audit_log_at ON audit_log (at);
