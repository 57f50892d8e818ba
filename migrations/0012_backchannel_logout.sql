-- 0012_backchannel_logout: what OpenID Connect Back-Channel Logout 1.0 needs.
--
-- A provider's logout token names a session at the provider (sid), a person (sub), or both.
-- A session that signed in through a provider records the ID token's sid (provider_sid) and the
-- identity it signed in as (identity_id), so the sessions a logout token names are found by
-- index. A password session has neither. Sessions from before this migration have neither too;
-- a logout by sub still finds them through their user and provider.
--
-- provider_sid is the provider's session id: it grants nothing here, but it is never logged nor
-- put in the audit trail. Bounded like the rule that admits it (1 to 255 bytes).
ALTER TABLE sessions ADD COLUMN provider_sid TEXT
    CHECK (provider_sid IS NULL OR length(CAST(provider_sid AS BLOB)) BETWEEN 1 AND 255);
-- Unlinking an identity keeps the session that used it (the account page works as before); it
-- then no longer names an identity.
ALTER TABLE sessions ADD COLUMN identity_id INTEGER REFERENCES identities (id) ON DELETE SET NULL;
CREATE INDEX sessions_provider_sid ON sessions (provider, provider_sid) WHERE provider_sid IS NOT NULL;
CREATE INDEX sessions_identity_id ON sessions (identity_id) WHERE identity_id IS NOT NULL;

-- The logout tokens acted on, so a second one with the same issuer and jti is refused
-- (section 2.6 step 8). A row is written only for a token whose signature and claims were
-- verified, so strangers cannot add rows; it lives until the token itself would be refused as
-- expired (expires_at, the first second the token is refused) and is pruned after. The
-- application keeps at most 10,000 rows per issuer and refuses a logout it cannot record
-- rather than act on a token it could not refuse the next time.
CREATE TABLE logout_tokens_seen (
    issuer TEXT NOT NULL CHECK (length(CAST(issuer AS BLOB)) BETWEEN 1 AND 2048),
    jti TEXT NOT NULL CHECK (length(CAST(jti AS BLOB)) BETWEEN 1 AND 255),
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, jti)
) WITHOUT ROWID;
CREATE INDEX logout_tokens_seen_issuer_expires_at ON logout_tokens_seen (issuer, expires_at);
