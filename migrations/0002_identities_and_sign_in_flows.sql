-- 0002_identities_and_sign_in_flows: external identities linked to users, and the
-- server-side half of each OpenID Connect authorization request.

-- Whether the user's e-mail address came from a verified source (a verified email claim
-- or an administrator). Only a verified address may ever be a linking target.
ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1));

-- An account at an OpenID Provider, linked to exactly one user. It is keyed by
-- (provider, issuer, subject): the subject alone is only unique within its issuer, and the
-- provider slug keeps two configurations of one issuer apart. An empty subject marks a
-- pre-provisioned link whose subject is filled in once at the first sign-in; those rows are
-- left out of the unique index so several may wait at once.
CREATE TABLE identities (
    id INTEGER PRIMARY KEY,
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

CREATE UNIQUE INDEX identities_provider_issuer_subject ON identities (provider, issuer, subject) WHERE subject <> '';
CREATE INDEX identities_user_id ON identities (user_id);

-- One authorization request in flight. The state travels through the browser, so only its
-- SHA-256 is stored; browser_hash is the SHA-256 of the short-lived cookie that binds the
-- flow to the browser that started it. The nonce and PKCE verifier must be read back to
-- finish the flow, so they are stored as they are; the row lives at most ten minutes and is
-- single use: consumed_at is set by the one UPDATE that claims it.
CREATE TABLE sign_in_flows (
    id INTEGER PRIMARY KEY,
    state_hash BLOB NOT NULL UNIQUE CHECK (length(state_hash) = 32),
    browser_hash BLOB NOT NULL CHECK (length(browser_hash) = 32),
    provider TEXT NOT NULL,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    next_path TEXT NOT NULL,
    intent TEXT NOT NULL DEFAULT 'sign_in' CHECK (intent IN ('sign_in', 'link')),
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER,
    CHECK (expires_at > created_at),
    CHECK ((intent = 'link') = (user_id IS NOT NULL))
);

CREATE INDEX sign_in_flows_expires_at ON sign_in_flows (expires_at);
