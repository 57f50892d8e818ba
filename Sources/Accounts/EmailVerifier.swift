/// Who verified a user's email address: stored beside it (`users.email_verified_by`), because a
/// verification counts for linking only when it came from a source the linking provider accepts.
/// A provider in `identifier` mode, which links nobody, must not be able to mint "verified"
/// users that an `email_link` provider then links strangers to.
public enum EmailVerifier: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// An operator set the address (`gatehouse users create --email-verified`, the admin API).
    case administrator
    /// The person proved to Gatehouse itself that they receive mail at the address.
    case person
    /// A provider's verified email claim at a sign-in through it, by the provider's slug.
    case provider(String)

    /// The stored form: `admin`, `person`, or `provider:<slug>`.
    public var stored: String {
        switch self {
        case .administrator: "admin"
        case .person: "person"
        case .provider(let slug): "provider:" + slug
        }
    }

    /// Reads the stored form; nil for anything else (which then verifies nothing).
    public init?(stored: String) {
        switch stored {
        case "admin": self = .administrator
        case "person": self = .person
        default:
            guard stored.hasPrefix("provider:"), stored.utf8.count > 9 else { return nil }
            self = .provider(String(stored.dropFirst(9)))
        }
    }

    public var description: String { stored }
}
