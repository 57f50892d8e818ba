/// The external account presented by a verified sign-in: its key and its claims.
///
/// The key is (provider, issuer, subject), never the email (seed 001). Construction refuses an
/// empty part, so an incoming sign-in can never match the empty subject of a pre-provisioned
/// identity by accident: that match happens only through rule 2, deliberately.
public struct IncomingIdentity: Sendable, Equatable {
    /// The provider's configured slug.
    public let provider: String
    /// The `iss` of the verified ID token, byte for byte.
    public let issuer: String
    /// The `sub` of the verified ID token, byte for byte.
    public let subject: String
    /// The merged claims of the ID token and userinfo, mapped to `ClaimValue`.
    public let claims: [String: ClaimValue]

    /// The longest subject kept, in bytes of UTF-8.
    public static let maximumSubjectBytes = 255

    public init(provider: String, issuer: String, subject: String, claims: [String: ClaimValue]) throws(IncomingIdentityError) {
        guard !provider.isEmpty else { throw IncomingIdentityError(code: .emptyProvider) }
        guard !issuer.isEmpty else { throw IncomingIdentityError(code: .emptyIssuer) }
        guard !subject.isEmpty else { throw IncomingIdentityError(code: .emptySubject) }
        // The store keeps at most this (`identities.subject`'s CHECK): a longer one, from a
        // directory's uniqueness attribute (the OIDC layer refuses it already), would fail the
        // sign-in's insert instead of being refused here (review finding).
        guard subject.utf8.count <= Self.maximumSubjectBytes else { throw IncomingIdentityError(code: .subjectTooLong) }
        self.provider = provider
        self.issuer = issuer
        self.subject = subject
        self.claims = claims
    }

    /// True when `known` is this very identity: same provider, issuer and subject, byte for
    /// byte. A pre-provisioned identity (empty subject) is never this identity.
    func isSame(as known: KnownIdentity) -> Bool {
        !known.subject.isEmpty && sameBytes(known.provider, provider)
            && sameBytes(known.issuer, issuer) && sameBytes(known.subject, subject)
    }

    /// True when `known` has this provider and subject under another issuer: the provider's
    /// issuer changed, which the engine refuses rather than guesses about.
    func hasSameSubjectOtherIssuer(as known: KnownIdentity) -> Bool {
        !known.subject.isEmpty && sameBytes(known.provider, provider)
            && sameBytes(known.subject, subject) && !sameBytes(known.issuer, issuer)
    }
}

/// Why an `IncomingIdentity` could not be made. The OIDC layer already refuses these; this is
/// the second lock on the same door.
public struct IncomingIdentityError: Error, Sendable, Equatable {
    public enum Code: String, Sendable, Equatable {
        case emptyProvider = "empty_provider"
        case emptyIssuer = "empty_issuer"
        case emptySubject = "empty_subject"
        case subjectTooLong = "subject_too_long"
    }

    public let code: Code
}
