/// The `allowed_email_domains` check (issue 4 section 2, rule 4 of section 3).
public enum EmailDomain {
    /// True when `allowed` is empty, or when the email's domain equals one of the allowed domains
    /// exactly after normalisation. A subdomain is a different domain (`mail.example.com` is not
    /// `example.com`): a broader match is one configuration away, a narrower one would need code.
    /// An address without a usable domain is never allowed by a non-empty list.
    public static func isAllowed(email: String?, allowed: [String]) -> Bool {
        guard !allowed.isEmpty else { return true }
        guard let email, let domain = Normalization.emailDomain(email) else { return false }
        return allowed.contains { Normalization.domain($0) == domain }
    }
}
