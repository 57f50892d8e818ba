-- 0010_admin_api: API tokens for the admin JSON API, and what its queries need.
--
-- A token is `gha_<id>_<secret>`: the id finds the row, and only the SHA-256 of the secret
-- (32 random bytes, base64url) is stored, compared in constant time. A database copy therefore
-- yields no usable token. Scopes are a space-separated list of known names. A revoked token
-- keeps its row (the audit trail names it) and frees its name for a new token; an id is never
-- given twice.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
    scopes TEXT NOT NULL CHECK (length(scopes) BETWEEN 1 AND 512),
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL CHECK (length(created_by) BETWEEN 1 AND 80),
    expires_at INTEGER,
    last_used_at INTEGER,
    revoked_at INTEGER,
    CHECK (expires_at IS NULL OR expires_at > created_at)
);

CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;

-- Who did it ("token:<name>", "cli", "person", or NULL for the server itself) and which
-- provider it concerns: the admin API filters the trail by both. Entries written before this
-- migration named their provider at the start of `detail` ("provider=<slug>; ..."); that is
-- copied into the new column, and their actor stays unknown.
ALTER TABLE audit_log ADD COLUMN actor TEXT CHECK (actor IS NULL OR length(actor) BETWEEN 1 AND 80);
ALTER TABLE audit_log ADD COLUMN provider TEXT CHECK (provider IS NULL OR length(provider) BETWEEN 1 AND 64);
UPDATE audit_log SET provider = substr(detail, 10, instr(detail || ';', ';') - 10)
WHERE substr(detail, 1, 9) = 'provider=' AND instr(detail || ';', ';') BETWEEN 11 AND 74;

CREATE INDEX audit_log_event ON audit_log (event, id);
CREATE INDEX audit_log_user_id ON audit_log (user_id, id);
CREATE INDEX audit_log_provider ON audit_log (provider, id);
CREATE INDEX link_decisions_provider ON link_decisions (provider, id);

-- The reverse lookup "whose is this account at that provider?" knows the provider and the
-- subject, not always the issuer: (provider, subject) is its own index.
CREATE INDEX identities_provider_subject ON identities (provider, subject);
