import Accounts

/// The account-linking keys of a provider object (issue 4 section 2), decoded into the
/// `Accounts.ProviderPolicy` the engine acts on.
///
/// The policy guard runs here first: an unsafe combination is an error at the key to change,
/// with the takeover it would allow in the sentence, so `check-config` and `serve` refuse it
/// before anything is stored. (The engine and the `provider_policies` CHECK constraints
/// refuse it again; seed 004's guard had to hold in every layer.)
enum ProviderPolicyConfig {
    static let keys = [
        "user_matching_mode", "multiple_identities", "require_email_verified", "email_claim", "email_claim_trusted",
        "email_verified_strings", "username_claim", "username_claim_trusted", "signups", "allowed_email_domains",
        "accept_email_verified_by", "accept_username_verified_by",
    ]

    static func decode(_ reader: ObjectReader) -> ProviderPolicy {
        let defaults = ProviderPolicy()
        let domains = reader.value("allowed_email_domains", .list(of: .emailDomain)) ?? defaults.allowedEmailDomains
        let policy = ProviderPolicy(
            userMatchingMode: reader.value("user_matching_mode", .choice) ?? defaults.userMatchingMode,
            multipleIdentities: reader.value("multiple_identities", .choice) ?? defaults.multipleIdentities,
            requireEmailVerified: reader.value("require_email_verified", .boolean) ?? defaults.requireEmailVerified,
            emailClaim: reader.value("email_claim", .claimName) ?? defaults.emailClaim,
            emailClaimTrusted: reader.value("email_claim_trusted", .boolean) ?? defaults.emailClaimTrusted,
            emailVerifiedStrings: reader.value("email_verified_strings", .boolean) ?? defaults.emailVerifiedStrings,
            usernameClaim: reader.value("username_claim", .claimName) ?? defaults.usernameClaim,
            usernameClaimTrusted: reader.value("username_claim_trusted", .boolean) ?? defaults.usernameClaimTrusted,
            signups: reader.value("signups", .boolean) ?? defaults.signups,
            allowedEmailDomains: domains,
            acceptEmailVerifiedBy: reader.value("accept_email_verified_by", .list(of: .providerSlug)) ?? defaults.acceptEmailVerifiedBy,
            acceptUsernameVerifiedBy: reader.value("accept_username_verified_by", .list(of: .providerSlug)) ?? defaults.acceptUsernameVerifiedBy
        )
        for violation in policy.guardViolations() {
            reader.decoder.error(at: reader.path.appending(violation.key), violation.reason)
        }
        for warning in policy.warnings() {
            reader.decoder.warning(at: reader.path.appending(warning.key), warning.message)
        }
        return policy
    }
}

extension ProviderPolicyConfig {
    /// A source of sign-ins whose linking policy `checkAcceptedVerifiers` reads: a provider or a
    /// directory, with where it sits in the file.
    struct PolicySource {
        let slug: String
        let policy: ProviderPolicy
        let path: ConfigPath
    }

    /// `accept_email_verified_by` names other providers or directories whose verification of an
    /// email this one accepts for linking: each must exist, and must itself require a verified
    /// email (or trust its custom email claim), or a source that verifies nothing could mint
    /// "verified" users. `accept_username_verified_by` is the same for usernames: each must exist
    /// and trust its username claim. Checked once over providers and directories together.
    static func checkAcceptedVerifiers(_ sources: [PolicySource], decoder: ConfigDecoder) {
        let bySlug = Dictionary(sources.map { ($0.slug, $0.policy) }, uniquingKeysWith: { first, _ in first })
        for source in sources {
            checkListed(source.policy.acceptEmailVerifiedBy, key: "accept_email_verified_by", of: source, among: bySlug, decoder: decoder,
                        verifies: \.verifiesEmails) { slug in
                "\(ConfigText.quoted(slug)) does not require a verified email "
                    + "(require_email_verified, or email_claim_trusted for its custom claim), so its users' addresses "
                    + "prove nothing: accepting them would let anyone who types someone else's address there be linked here"
            }
            checkListed(source.policy.acceptUsernameVerifiedBy, key: "accept_username_verified_by", of: source, among: bySlug, decoder: decoder,
                        verifies: \.usernameClaimTrusted) { slug in
                "\(ConfigText.quoted(slug)) does not trust its username claim (username_claim_trusted), "
                    + "so its users' usernames are not verified and there is nothing to accept"
            }
        }
    }

    /// Each slug `source` lists under `key` must name a provider or directory that `verifies`.
    private static func checkListed(
        _ slugs: [String], key: String, of source: PolicySource, among bySlug: [String: ProviderPolicy], decoder: ConfigDecoder,
        verifies: (ProviderPolicy) -> Bool, refusal: (String) -> String
    ) {
        for (index, slug) in slugs.enumerated() {
            let at = source.path.appending(key).appending(index: index)
            guard let other = bySlug[slug] else {
                decoder.error(at: at, "there is no provider or directory \(ConfigText.quoted(slug))")
                continue
            }
            if !verifies(other) { decoder.error(at: at, refusal(slug)) }
        }
    }
}

extension ConfigValueKind where T == String {
    /// A claim name: a non-empty string without control characters.
    static var claimName: ConfigValueKind<String> {
        .text { text in
            let valid = !text.isEmpty && text.utf8.count <= 255 && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
            return valid ? .success(text) : .failure(ConfigValueError(message: "expected a claim name, found \(ConfigText.quoted(text))"))
        }
    }
}
