import Store
import Templates
#if canImport(Glibc)
import Glibc
#endif

/// `account.html`: who is signed in, their linked identities, and the forms to change them.
struct AccountPageContext: PageContext {
    static let template = "account"

    var user: UserRecord
    var identities: [IdentityRecord]
    var hasPassword: Bool
    var waysIn: WaysToSignIn
    var providers: [ProviderConfig]
    var csrfToken: String
    var notice: AccountNotice?

    var title: String { "Your account" }

    var values: [String: TemplateValue] {
        let names = Dictionary(providers.map { ($0.slug, $0.settings.name) }, uniquingKeysWith: { first, _ in first })
        return [
            "notice": .string(notice?.sentence ?? ""),
            "user": [
                "name": .string(user.displayName ?? user.username),
                "username": .string(user.username),
                "email": .string(user.email ?? "none"),
                "email_verified": .bool(user.emailVerified),
                "has_email": .bool(user.email != nil),
            ],
            "password": .string(hasPassword ? "Set" : "Not set"),
            "has_identities": .bool(!identities.isEmpty),
            "identities": .list(identities.map { identity in
                [
                    "provider": .string(names[identity.provider] ?? identity.provider),
                    "email": .string(identity.email ?? "no email"),
                    // The upstream provider a broker named (CILogon's `idp`), escaped like every value.
                    "upstream_idp": .string(identity.upstreamIdP ?? ""),
                    "linked": .string("\(DisplayTime.format(identity.linkedAt)), \(Self.how(identity.linkMethod))"),
                    "last_used": .string(identity.lastLoginAt.map(DisplayTime.format) ?? "never"),
                    "unlink_action": .string("/account/identities/\(identity.id)/unlink"),
                    // The last way to sign in cannot be removed; its button is not offered (the POST refuses it too).
                    "can_unlink": .bool(waysIn.remain(afterRemoving: identity.id, from: identities, hasPassword: hasPassword, user: user)),
                ]
            }),
            "has_link_providers": .bool(!providers.isEmpty),
            "link_providers": .list(providers.sorted { $0.settings.name < $1.settings.name }.map { provider in
                ["name": .string(provider.settings.name), "action": .string("/account/link/\(provider.slug)")]
            }),
            "csrf_token": .string(csrfToken),
        ]
    }

    /// How an identity came to the account, in words.
    static func how(_ method: LinkMethod) -> String {
        switch method {
        case .provisioned: "when the account was created"
        case .email: "matched by verified email"
        case .username: "matched by username"
        case .accountPage: "from this page"
        case .admin: "by an administrator"
        }
    }

    static var schema: [String: TemplateValue] {
        let user = UserRecord(
            id: 1, username: "u", usernameKey: "u", email: "e", emailKey: nil, emailVerifiedBy: nil, usernameVerifiedBy: nil,
            displayName: "d", isActive: true, hasPassword: true, createdAt: 0, updatedAt: 0
        )
        var values = AccountPageContext(
            user: user, identities: [], hasPassword: true, waysIn: WaysToSignIn(localPasswords: true, sources: [:]), providers: [],
            csrfToken: "t", notice: .linked
        ).values
        values["identities"] = .list([[
            "provider": "p", "email": "e", "upstream_idp": "i", "linked": "l", "last_used": "u", "unlink_action": "/a", "can_unlink": true,
        ]])
        values["link_providers"] = .list([["name": "n", "action": "/a"]])
        return values
    }
}

/// Unix seconds as a person reads them: `2026-11-22 14:05 UTC`.
enum DisplayTime {
    static func format(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { return "unknown" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        // In Int: glibc gives any year whose offset from 1900 fits in an Int32, so adding 1900 in
        // Int32 could overflow (review finding, for a date stored far in the future).
        return "\(Int(parts.tm_year) + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
    }
}
