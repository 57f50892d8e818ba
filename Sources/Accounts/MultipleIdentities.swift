/// May one user hold several identities of one provider (`multiple_identities`)?
///
/// A broker such as CILogon fronts many identity providers and yields a different subject per
/// backing provider for the same person (seed 000): `allow` links each further identity. For an
/// ordinary provider a second subject with the same email is the takeover of seed 001: `deny`.
public enum MultipleIdentities: String, Sendable, Equatable, CaseIterable {
    case deny
    case allow
}
