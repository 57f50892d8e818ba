import Accounts
import JOSE
import Store

/// Writes each configured provider's linking policy to `provider_policies` at start.
///
/// The table's CHECK constraints repeat the policy guard, so even a configuration that slipped
/// past validation (a future code path, a hand-built config in a test) cannot be stored, and the
/// server refuses to start rather than run under it.
enum PolicyRecording {
    static func record(_ providers: [ProviderConfig], database: Database, now: Int64) throws {
        try database.write { connection in
            let repository = ProviderPolicyRepository(connection)
            for provider in providers {
                try repository.save(stored(provider.policy, provider: provider.slug, issuer: provider.settings.issuer), now: now)
            }
        }
    }

    /// Directories' policies, in the same table under their slugs and issuers: the same guard.
    static func record(_ directories: [DirectoryConfig], database: Database, now: Int64) throws {
        try database.write { connection in
            let repository = ProviderPolicyRepository(connection)
            for directory in directories {
                try repository.save(stored(directory.policy, provider: directory.slug, issuer: directory.issuer), now: now)
            }
        }
    }

    static func stored(_ policy: ProviderPolicy, provider: String, issuer: String) throws -> StoredProviderPolicy {
        let domains = try JSONValue.array(policy.allowedEmailDomains.map { .string($0) }).serialized()
        return StoredProviderPolicy(
            provider: provider, issuer: issuer, userMatchingMode: policy.userMatchingMode.rawValue,
            multipleIdentities: policy.multipleIdentities.rawValue, requireEmailVerified: policy.requireEmailVerified,
            emailClaim: policy.emailClaim, emailClaimTrusted: policy.emailClaimTrusted,
            emailVerifiedStrings: policy.emailVerifiedStrings, usernameClaim: policy.usernameClaim,
            usernameClaimTrusted: policy.usernameClaimTrusted, signups: policy.signups,
            allowedEmailDomainsJSON: String(decoding: domains, as: UTF8.self)
        )
    }
}
