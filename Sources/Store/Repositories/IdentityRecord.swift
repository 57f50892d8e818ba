/// How an identity came to belong to its user. Stored as text and constrained by the schema,
/// so a support question ("why is this Google account on my user?") always has an answer.
public enum LinkMethod: String, Sendable, CaseIterable {
    /// Created together with a new user at its first sign-in.
    case provisioned
    /// Linked to an existing user by a verified e-mail match.
    case email
    /// Linked to an existing user by a trusted username match.
    case username
    /// Linked by the signed-in user from the account page.
    case accountPage = "account_page"
    /// Linked by an administrator.
    case admin
}

/// A row of `identities`: an account at an OpenID Provider, linked to one user.
public struct IdentityRecord: Sendable, Equatable {
    public let id: Int64
    public let userID: Int64
    public let provider: String
    public let issuer: String
    /// Empty only for a pre-provisioned link waiting for its first sign-in.
    public let subject: String
    public let email: String?
    public let emailVerified: Bool
    /// The claims seen at the last sign-in, as a JSON object text.
    public let claims: String
    public let linkMethod: LinkMethod
    public let linkedAt: Int64
    public let lastLoginAt: Int64?
    /// The upstream identity provider a broker named at the last sign-in (CILogon's `idp`).
    public let upstreamIdP: String?

    static let columns = "id, user_id, provider, issuer, subject, email, email_verified, claims, link_method, linked_at, last_login_at, upstream_idp"

    init(row: Row) throws(StoreError) {
        let methodText = try row.string("link_method")
        guard let method = LinkMethod(rawValue: methodText) else {
            throw StoreError(code: .typeMismatch, message: "identities.link_method holds an unknown value")
        }
        id = try row.int64("id")
        userID = try row.int64("user_id")
        provider = try row.string("provider")
        issuer = try row.string("issuer")
        subject = try row.string("subject")
        email = try row.optionalString("email")
        emailVerified = try row.bool("email_verified")
        claims = try row.string("claims")
        linkMethod = method
        linkedAt = try row.int64("linked_at")
        lastLoginAt = try row.optionalInt64("last_login_at")
        upstreamIdP = try row.optionalString("upstream_idp")
    }
}

/// What a sign-in saw of an identity: written when it is linked and refreshed at each use.
public struct IdentitySnapshot: Sendable, Equatable {
    public var email: String?
    public var emailVerified: Bool
    /// A JSON object text; the schema refuses anything that is not valid JSON.
    public var claims: String
    /// The upstream identity provider a broker named (1 to 512 bytes), or nil.
    public var upstreamIdP: String?

    public init(email: String?, emailVerified: Bool, claims: String, upstreamIdP: String? = nil) {
        self.email = email
        self.emailVerified = emailVerified
        self.claims = claims
        self.upstreamIdP = upstreamIdP.flatMap(Self.bounded)
    }

    /// Empty is none; longer than the schema's 512 bytes is cut at a character boundary.
    private static func bounded(_ text: String) -> String? {
        var kept = ""
        for character in text {
            guard kept.utf8.count + character.utf8.count <= 512 else { break }
            kept.append(character)
        }
        return kept.isEmpty ? nil : kept
    }
}
