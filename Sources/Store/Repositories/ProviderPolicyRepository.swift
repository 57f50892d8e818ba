/// A provider's linking policy as stored in `provider_policies`: plain values, so the store
/// needs no knowledge of the linking engine. The table's CHECK constraints refuse the unsafe
/// combinations (see migration 0003), whatever code tries to write them.
public struct StoredProviderPolicy: Sendable, Equatable {
    public var provider: String
    public var issuer: String
    public var userMatchingMode: String
    public var multipleIdentities: String
    public var requireEmailVerified: Bool
    public var emailClaim: String
    public var emailClaimTrusted: Bool
    public var emailVerifiedStrings: Bool
    public var usernameClaim: String
    public var usernameClaimTrusted: Bool
    public var signups: Bool
    /// A JSON array of domain names.
    public var allowedEmailDomainsJSON: String

    public init(
        provider: String, issuer: String, userMatchingMode: String, multipleIdentities: String,
        requireEmailVerified: Bool, emailClaim: String, emailClaimTrusted: Bool, emailVerifiedStrings: Bool,
        usernameClaim: String, usernameClaimTrusted: Bool, signups: Bool, allowedEmailDomainsJSON: String
    ) {
        self.provider = provider
        self.issuer = issuer
        self.userMatchingMode = userMatchingMode
        self.multipleIdentities = multipleIdentities
        self.requireEmailVerified = requireEmailVerified
        self.emailClaim = emailClaim
        self.emailClaimTrusted = emailClaimTrusted
        self.emailVerifiedStrings = emailVerifiedStrings
        self.usernameClaim = usernameClaim
        self.usernameClaimTrusted = usernameClaimTrusted
        self.signups = signups
        self.allowedEmailDomainsJSON = allowedEmailDomainsJSON
    }
}

/// Writes each configured provider's policy at start, so the database holds (and its
/// constraints vet) what the running server enforces.
public struct ProviderPolicyRepository {
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Inserts or replaces the policy of `policy.provider`. An unsafe combination fails with
    /// `.checkViolation` and leaves the previous row as it was.
    public func save(_ policy: StoredProviderPolicy, now: Int64) throws(StoreError) {
        try connection.execute(
            """
            INSERT INTO provider_policies (provider, issuer, user_matching_mode, multiple_identities, require_email_verified,
                email_claim, email_claim_trusted, email_verified_strings, username_claim, username_claim_trusted, signups,
                allowed_email_domains, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (provider) DO UPDATE SET
                issuer = excluded.issuer, user_matching_mode = excluded.user_matching_mode,
                multiple_identities = excluded.multiple_identities, require_email_verified = excluded.require_email_verified,
                email_claim = excluded.email_claim, email_claim_trusted = excluded.email_claim_trusted,
                email_verified_strings = excluded.email_verified_strings, username_claim = excluded.username_claim,
                username_claim_trusted = excluded.username_claim_trusted, signups = excluded.signups,
                allowed_email_domains = excluded.allowed_email_domains, updated_at = excluded.updated_at
            """,
            [
                .text(policy.provider), .text(policy.issuer), .text(policy.userMatchingMode), .text(policy.multipleIdentities),
                .integer(policy.requireEmailVerified ? 1 : 0), .text(policy.emailClaim), .integer(policy.emailClaimTrusted ? 1 : 0),
                .integer(policy.emailVerifiedStrings ? 1 : 0), .text(policy.usernameClaim),
                .integer(policy.usernameClaimTrusted ? 1 : 0), .integer(policy.signups ? 1 : 0),
                .text(policy.allowedEmailDomainsJSON), .integer(now),
            ]
        )
    }
}
