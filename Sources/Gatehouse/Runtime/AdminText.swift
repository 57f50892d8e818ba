import Store

/// The command line's text renderings: tab-separated tables with a header line, for reading
/// at a terminal and for `cut`; `--json` gives the admin API's shapes instead.
enum AdminText {
    static func users(_ users: [UserRecord]) -> String {
        table(["id", "username", "email", "email_verified", "active", "password"], users.map { user in
            ["\(user.id)", user.username, user.email ?? "-", user.emailVerifiedBy?.stored ?? "no", "\(user.isActive)", user.hasPassword ? "yes" : "no"]
        })
    }

    static func identities(_ identities: [IdentityRecord]) -> String {
        table(["id", "user_id", "provider", "issuer", "subject", "link_method"], identities.map { identity in
            ["\(identity.id)", "\(identity.userID)", identity.provider, identity.issuer,
             identity.subject.isEmpty ? "(pending)" : identity.subject, identity.linkMethod.rawValue]
        })
    }

    static func sessions(_ sessions: [SessionRecord]) -> String {
        table(["id", "user_id", "provider", "created_at", "last_seen_at", "expires_at", "client_address"], sessions.map { session in
            ["\(session.id)", session.userID.map(String.init) ?? "-", session.provider ?? "password", "\(session.createdAt)",
             "\(session.lastSeenAt)", "\(min(session.idleExpiresAt, session.absoluteExpiresAt))", session.clientAddress ?? "-"]
        })
    }

    static func tokens(_ tokens: [APITokenRecord]) -> String {
        table(["id", "name", "scopes", "expires_at", "last_used_at", "revoked_at"], tokens.map { token in
            ["\(token.id)", token.name, token.scopes.joined(separator: ","), token.expiresAt.map(String.init) ?? "never",
             token.lastUsedAt.map(String.init) ?? "never", token.revokedAt.map(String.init) ?? "-"]
        })
    }

    static func providers(_ providers: [ProviderOverview]) -> String {
        table(["slug", "issuer", "user_matching_mode", "guard", "identities", "pending"], providers.map { overview in
            let violations = overview.provider.policy.guardViolations()
            return [overview.provider.slug, overview.provider.settings.issuer, overview.provider.policy.userMatchingMode.rawValue,
                    violations.isEmpty ? "safe" : violations.map(\.code.rawValue).joined(separator: ","),
                    "\(overview.linkedIdentities)", "\(overview.pendingIdentities)"]
        })
    }

    static func events(_ entries: [AuditEntry]) -> String {
        table(["id", "at", "type", "user_id", "actor", "provider", "detail"], entries.map { entry in
            ["\(entry.id)", "\(entry.at)", entry.event, entry.userID.map(String.init) ?? "-", entry.actor ?? "-",
             entry.provider ?? "-", entry.detail ?? ""]
        })
    }

    static func decisions(_ decisions: [RecordedLinkDecision]) -> String {
        table(["id", "at", "provider", "user_id", "decision", "reason", "rule"], decisions.map { recorded in
            let entry = recorded.entry
            return ["\(recorded.id)", "\(recorded.at)", entry.provider, entry.userID.map(String.init) ?? "-",
                    entry.decision, entry.reason ?? "-", entry.rule]
        })
    }

    private static func table(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.joined(separator: "\t") }.joined(separator: "\n")
    }
}
