-- 0011_ids_never_reused: a deleted user's, identity's or session's id is never given again.
--
-- Without AUTOINCREMENT, SQLite gives a new row the largest id in use plus one, so deleting the
-- newest user (which the admin API and `gatehouse users delete` now do) hands its id to the next
-- user made. That id is what forward-auth tells applications (`user:<id>`), what the audit log
-- and the link decisions file a person's history under (they outlive the account on purpose),
-- and what an operator's stale `DELETE /sessions/<id>` names. With AUTOINCREMENT the largest id
-- ever given is kept in `sqlite_sequence` and never reused. SQLite cannot add it in place, so the
-- three tables are rebuilt with their constraints, indexes and triggers as they were.

CREATE TABLE users_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL COLLATE NOCASE CHECK (length(username) BETWEEN 1 AND 255),
    email TEXT,
    display_name TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    username_verified INTEGER NOT NULL DEFAULT 0 CHECK (username_verified IN (0, 1)),
    email_key TEXT,
    username_key TEXT,
    password_hash TEXT
        CHECK (password_hash IS NULL OR (substr(password_hash, 1, 8) = '$scrypt$' AND length(password_hash) <= 512)),
    password_changed_at INTEGER,
    email_verified_by TEXT CHECK (
        email_verified_by IS NULL OR email_verified_by IN ('admin', 'person')
        OR (substr(email_verified_by, 1, 9) = 'provider:' AND length(email_verified_by) BETWEEN 10 AND 73)
    ),
    username_skeleton TEXT
);
INSERT INTO users_new (id, username, email, display_name, active, created_at, updated_at, email_verified, username_verified,
                       email_key, username_key, password_hash, password_changed_at, email_verified_by, username_skeleton)
SELECT id, username, email, display_name, active, created_at, updated_at, email_verified, username_verified,
       email_key, username_key, password_hash, password_changed_at, email_verified_by, username_skeleton
FROM users;
-- gatehouse:rebuild-check users users_new
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE UNIQUE INDEX users_username ON users (username);
CREATE INDEX users_email_key ON users (email_key);
CREATE INDEX users_username_key ON users (username_key);
CREATE INDEX users_username_skeleton ON users (username_skeleton);
CREATE TRIGGER users_email_verified_by_insert BEFORE INSERT ON users
WHEN (NEW.email_verified = 1) <> (NEW.email_verified_by IS NOT NULL) OR (NEW.email_verified = 1 AND NEW.email IS NULL)
BEGIN SELECT RAISE(ABORT, 'email_verified_by must be set exactly when the email is verified'); END;
CREATE TRIGGER users_email_verified_by_update BEFORE UPDATE OF email, email_verified, email_verified_by ON users
WHEN (NEW.email_verified = 1) <> (NEW.email_verified_by IS NOT NULL) OR (NEW.email_verified = 1 AND NEW.email IS NULL)
BEGIN SELECT RAISE(ABORT, 'email_verified_by must be set exactly when the email is verified'); END;
CREATE TRIGGER users_username_not_confusable_insert BEFORE INSERT ON users
WHEN NEW.username_skeleton IS NULL OR EXISTS (SELECT 1 FROM users WHERE username_skeleton = NEW.username_skeleton)
BEGIN SELECT RAISE(ABORT, 'username_confusable'); END;
CREATE TRIGGER users_username_not_confusable_update BEFORE UPDATE OF username, username_skeleton ON users
WHEN NEW.username_skeleton IS NULL
  OR EXISTS (SELECT 1 FROM users WHERE username_skeleton = NEW.username_skeleton AND id <> NEW.id)
BEGIN SELECT RAISE(ABORT, 'username_confusable'); END;

CREATE TABLE identities_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider TEXT NOT NULL CHECK (length(provider) BETWEEN 1 AND 64),
    issuer TEXT NOT NULL CHECK (length(issuer) BETWEEN 1 AND 2048),
    subject TEXT NOT NULL CHECK (length(CAST(subject AS BLOB)) <= 255),
    email TEXT,
    email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    claims TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(claims)),
    link_method TEXT NOT NULL CHECK (link_method IN ('provisioned', 'email', 'username', 'account_page', 'admin')),
    linked_at INTEGER NOT NULL,
    last_login_at INTEGER
);
INSERT INTO identities_new (id, user_id, provider, issuer, subject, email, email_verified, claims, link_method, linked_at, last_login_at)
SELECT id, user_id, provider, issuer, subject, email, email_verified, claims, link_method, linked_at, last_login_at FROM identities;
-- gatehouse:rebuild-check identities identities_new
DROP TABLE identities;
ALTER TABLE identities_new RENAME TO identities;
CREATE UNIQUE INDEX identities_provider_issuer_subject ON identities (provider, issuer, subject) WHERE subject <> '';
CREATE INDEX identities_user_id ON identities (user_id);
CREATE INDEX identities_provider_subject ON identities (provider, subject);

CREATE TABLE sessions_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    client_address TEXT,
    groups TEXT CHECK (groups IS NULL OR length(groups) BETWEEN 1 AND 16383),
    id_token TEXT CHECK (id_token IS NULL OR length(id_token) <= 65536)
);
INSERT INTO sessions_new (id, token_hash, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, revoked_at,
                          authenticated_at, provider, user_agent, client_address, groups, id_token)
SELECT id, token_hash, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, revoked_at,
       authenticated_at, provider, user_agent, client_address, groups, id_token
FROM sessions;
-- gatehouse:rebuild-check sessions sessions_new
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_absolute_expires_at ON sessions (absolute_expires_at);
