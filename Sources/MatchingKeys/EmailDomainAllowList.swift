/// An `allowed_email_domains` list (of a provider, or of a protected host), its entries turned
/// into domain keys once, so checking an address costs a byte comparison per entry.
///
/// An empty list allows every address. A non-empty one allows only an email key whose domain is
/// one of its entries exactly (a subdomain is another domain: a broader match is one
/// configuration line away, a narrower one would need code). A missing key is allowed by no
/// non-empty list, and an entry that does not convert allows nothing: it never turns the list
/// into "any".
public struct EmailDomainAllowList: Sendable, Equatable {
    private let keys: [String?]

    public init(_ domains: [String]) {
        keys = domains.map(MatchingKey.domain)
    }

    public var isEmpty: Bool { keys.isEmpty }

    public func allows(emailKey: String?) -> Bool {
        guard !keys.isEmpty else { return true }
        guard let emailKey, let domain = MatchingKey.domain(ofEmailKey: emailKey) else { return false }
        return keys.contains { key in key.map { $0.utf8.elementsEqual(domain.utf8) } ?? false }
    }
}
