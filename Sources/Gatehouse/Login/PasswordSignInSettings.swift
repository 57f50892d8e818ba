import Crypto

/// How a typed identifier finds its user, and the parameters new hashes are made with.
public struct PasswordSignInSettings: Sendable, Equatable {
    /// The user fields an identifier is matched against.
    public enum IdentifierField: String, Sendable, Equatable, CaseIterable {
        case username
        /// The address as stored, trimmed and lowercased on both sides.
        case email
    }

    /// Matched in this order; a user found through several fields counts once. Empty means no
    /// identifier matches anyone.
    public var identifierFields: [IdentifierField]
    /// False (the default): "Alice" finds "alice" (usernames fold ASCII case, addresses are
    /// lowercased). True: the identifier must equal the stored value exactly (after trimming).
    public var caseSensitive: Bool
    /// New and upgraded hashes use these; stored hashes weaker than them are upgraded at the
    /// next successful sign-in, and unknown users cost a derivation with them.
    public var hashParameters: PasswordHashParameters

    public init(
        identifierFields: [IdentifierField] = [.username, .email], caseSensitive: Bool = false,
        hashParameters: PasswordHashParameters = .recommended
    ) {
        self.identifierFields = identifierFields
        self.caseSensitive = caseSensitive
        self.hashParameters = hashParameters
    }
}
