-- 0003_linking_policies_and_decisions: what account linking needs in the schema.

-- Whether the username came from a trusted source (a trusted username claim or an
-- administrator). Like email_verified, only a verified username may be a linking target.
ALTER TABLE users ADD COLUMN username_verified INTEGER NOT NULL DEFAULT 0 CHECK (username_verified IN (0, 1));

-- Each configured provider's linking policy, written at start from the configuration. The
-- CHECK constraints repeat the guard that config validation and the engine apply, so the
-- configuration that enabled the published takeovers cannot even be stored:
--   email_link on the "email" claim requires require_email_verified;
--   email_link on any other claim requires email_claim_trusted (the tenant, not the user, sets it);
--   username_link requires username_claim_trusted.
CREATE TABLE provider_policies (
    provider TEXT PRIMARY KEY CHECK (length(provider) BETWEEN 1 AND 64),
    issuer TEXT NOT NULL,
    user_matching_mode TEXT NOT NULL
        CHECK (user_matching_mode IN ('identifier', 'email_link', 'email_deny', 'username_link', 'username_deny')),
    multiple_identities TEXT NOT NULL CHECK (multiple_identities IN ('deny', 'allow')),
    require_email_verified INTEGER NOT NULL CHECK (require_email_verified IN (0, 1)),
    email_claim TEXT NOT NULL CHECK (length(email_claim) >= 1),
    email_claim_trusted INTEGER NOT NULL CHECK (email_claim_trusted IN (0, 1)),
    email_verified_strings INTEGER NOT NULL CHECK (email_verified_strings IN (0, 1)),
    username_claim TEXT NOT NULL CHECK (length(username_claim) >= 1),
    username_claim_trusted INTEGER NOT NULL CHECK (username_claim_trusted IN (0, 1)),
    signups INTEGER NOT NULL CHECK (signups IN (0, 1)),
    allowed_email_domains TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(allowed_email_domains)),
    updated_at INTEGER NOT NULL,
    CHECK (user_matching_mode <> 'email_link' OR email_claim <> 'email' OR require_email_verified = 1),
    CHECK (user_matching_mode <> 'email_link' OR email_claim = 'email' OR email_claim_trusted = 1),
    CHECK (user_matching_mode <> 'username_link' OR username_claim_trusted = 1)
);

-- Every linking decision, explained: which rule fired and why. user_id is not a foreign key,
-- so the trail outlives the account. Never a token, secret or claim value beyond the key.
CREATE TABLE link_decisions (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    provider TEXT NOT NULL,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id INTEGER,
    decision TEXT NOT NULL CHECK (decision IN ('sign_in', 'fill_subject', 'link', 'create', 'deny')),
    reason TEXT,
    rule TEXT NOT NULL,
    request_id TEXT,
    CHECK ((decision = 'deny') = (reason IS NOT NULL))
);

CREATE INDEX link_decisions_at ON link_decisions (at);
CREATE INDEX link_decisions_user_id ON link_decisions (user_id);
