import Accounts
import Crypto
import HTTP
import OIDC
import Store

/// The JSON shape of each administered thing: what the admin API answers and what the command
/// line prints with `--json`, from one place. Never a password hash, a token or its hash, an ID
/// token or a claim snapshot.
enum AdminRepresentation {
    static func user(_ user: UserRecord) -> JSONValue {
        .object([
            "id": .int(Int(user.id)), "username": .string(user.username), "username_verified": .bool(user.usernameVerified),
            "username_verified_by": optional(user.usernameVerifiedBy?.stored), "email": optional(user.email), "email_verified": .bool(user.emailVerified),
            "email_verified_by": optional(user.emailVerifiedBy?.stored), "display_name": optional(user.displayName),
            "active": .bool(user.isActive), "has_password": .bool(user.hasPassword),
            "created_at": .int(Int(user.createdAt)), "updated_at": .int(Int(user.updatedAt)),
        ])
    }

    /// A user as made, with its identities and the generated password (shown this once).
    static func createdUser(_ created: CreatedUser) -> JSONValue {
        .object([
            "user": user(created.user), "identities": .array(created.identities.map(identity)),
            "generated_password": optional(created.generatedPassword),
        ])
    }

    /// A token as made, with its secret (shown this once).
    static func createdToken(_ created: CreatedToken) -> JSONValue {
        guard case .object(var members) = token(created.token) else { return token(created.token) }
        members["token"] = .string(created.secret)
        return .object(members)
    }

    static func identity(_ identity: IdentityRecord) -> JSONValue {
        .object([
            "id": .int(Int(identity.id)), "user_id": .int(Int(identity.userID)), "provider": .string(identity.provider),
            "issuer": .string(identity.issuer), "subject": .string(identity.subject),
            "pending": .bool(identity.subject.isEmpty), "email": optional(identity.email),
            "email_verified": .bool(identity.emailVerified), "link_method": .string(identity.linkMethod.rawValue),
            "linked_at": .int(Int(identity.linkedAt)), "last_login_at": optional(identity.lastLoginAt),
        ])
    }

    static func session(_ session: SessionRecord) -> JSONValue {
        .object([
            "id": .int(Int(session.id)), "user_id": optional(session.userID), "provider": optional(session.provider),
            "created_at": .int(Int(session.createdAt)), "last_seen_at": .int(Int(session.lastSeenAt)),
            "authenticated_at": optional(session.authenticatedAt),
            "expires_at": .int(Int(min(session.idleExpiresAt, session.absoluteExpiresAt))),
            "absolute_expires_at": .int(Int(session.absoluteExpiresAt)),
            "user_agent": optional(session.userAgent), "client_address": optional(session.clientAddress),
        ])
    }

    static func token(_ token: APITokenRecord) -> JSONValue {
        .object([
            "id": .int(Int(token.id)), "name": .string(token.name), "scopes": .array(token.scopes.map(JSONValue.string)),
            "created_at": .int(Int(token.createdAt)), "created_by": .string(token.createdBy),
            "expires_at": optional(token.expiresAt), "last_used_at": optional(token.lastUsedAt),
            "revoked_at": optional(token.revokedAt),
        ])
    }

    static func auditEntry(_ entry: AuditEntry) -> JSONValue {
        .object([
            "id": .int(Int(entry.id)), "at": .int(Int(entry.at)), "type": .string(entry.event),
            "user_id": optional(entry.userID), "actor": optional(entry.actor), "provider": optional(entry.provider),
            "request_id": optional(entry.requestID), "detail": optional(entry.detail),
        ])
    }

    static func linkDecision(_ recorded: RecordedLinkDecision) -> JSONValue {
        let entry = recorded.entry
        return .object([
            "id": .int(Int(recorded.id)), "at": .int(Int(recorded.at)), "provider": .string(entry.provider),
            "issuer": .string(entry.issuer), "subject": .string(entry.subject), "user_id": optional(entry.userID),
            "decision": .string(entry.decision), "reason": optional(entry.reason), "rule": .string(entry.rule),
            "request_id": optional(entry.requestID),
        ])
    }

    /// A directory as the admin API lists it: what it is, never its password.
    static func directory(_ directory: DirectoryConfig, lastSync: DirectorySyncReport?) -> JSONValue {
        .object([
            "slug": .string(directory.slug), "name": .string(directory.name), "preset": .string(directory.preset.rawValue),
            "uris": .array(directory.settings.uris.map { .string($0) }), "base_dn": .string(directory.baseDN),
            "sync_interval_seconds": .int(directory.syncIntervalSeconds),
            "last_sync": lastSync.map(directorySync) ?? .null,
        ])
    }

    /// A directory synchronisation's report.
    static func directorySync(_ report: DirectorySyncReport) -> JSONValue {
        let counts: [String: JSONValue] = [
            "entries": .int(report.entries), "groups": .int(report.groups), "identities": .int(report.identities),
            "updated": .int(report.updated), "refreshed": .int(report.refreshed), "deactivated": .int(report.deactivated), "sessions_revoked": .int(report.sessionsRevoked),
            "sessions_regrouped": .int(report.sessionsRegrouped),
        ]
        let facts: [String: JSONValue] = [
            "directory": .string(report.directory), "dry_run": .bool(report.dryRun),
            // Milliseconds are all a sync's duration needs; the text is always a JSON number.
            "duration_seconds": .number(String(Double(Int((report.durationSeconds * 1000).rounded())) / 1000)),
            "stopped": report.stopped.map { .string($0) } ?? .null,
        ]
        return .object(counts.merging(facts) { first, _ in first })
    }

    static func provider(_ overview: ProviderOverview) -> JSONValue {
        let policy = overview.provider.policy
        let violations = policy.guardViolations()
        return .object([
            "slug": .string(overview.provider.slug), "name": .string(overview.provider.settings.name),
            "issuer": .string(overview.provider.settings.issuer),
            "policy": .object([
                "user_matching_mode": .string(policy.userMatchingMode.rawValue),
                "multiple_identities": .string(policy.multipleIdentities.rawValue),
                "require_email_verified": .bool(policy.requireEmailVerified), "email_claim": .string(policy.emailClaim),
                "email_claim_trusted": .bool(policy.emailClaimTrusted), "email_verified_strings": .bool(policy.emailVerifiedStrings),
                "username_claim": .string(policy.usernameClaim), "username_claim_trusted": .bool(policy.usernameClaimTrusted),
                "signups": .bool(policy.signups), "allowed_email_domains": .array(policy.allowedEmailDomains.map(JSONValue.string)),
                "accept_email_verified_by": .array(policy.acceptEmailVerifiedBy.map(JSONValue.string)),
                "accept_username_verified_by": .array(policy.acceptUsernameVerifiedBy.map(JSONValue.string)),
            ]),
            "linking_guard": .object([
                "safe": .bool(violations.isEmpty),
                "violations": .array(violations.map { violation in
                    .object(["key": .string(violation.key), "code": .string(violation.code.rawValue), "reason": .string(violation.reason)])
                }),
            ]),
            "status": overview.status.map(connectionStatus) ?? .null,
            "identities": .object(["linked": .int(overview.linkedIdentities), "pending": .int(overview.pendingIdentities)]),
        ])
    }

    private static func connectionStatus(_ status: ProviderConnectionStatus) -> JSONValue {
        .object([
            "discovery": .object([
                "last_success_at": optional(status.discovery.lastSuccessAt), "last_failure_at": optional(status.discovery.lastFailureAt),
                "last_error": optional(status.discovery.lastError), "next_refresh_at": optional(status.discoveryNextRefreshAt),
            ]),
            "jwks": .object([
                "last_success_at": optional(status.jwks.lastSuccessAt), "last_failure_at": optional(status.jwks.lastFailureAt),
                "last_error": optional(status.jwks.lastError), "expires_at": optional(status.jwksExpiresAt),
                "key_ids": .array(status.keyIDs.map(JSONValue.string)),
            ]),
        ])
    }

    static func simulation(_ report: SimulationReport) -> JSONValue {
        let attributes = report.attributes
        var members: [String: JSONValue] = [
            "provider": .string(report.identity.provider), "issuer": .string(report.identity.issuer),
            "subject": .string(report.identity.subject),
            "email": optional(attributes.email), "email_verified": .bool(attributes.emailVerified),
            "email_key": optional(attributes.emailKey),
            "username": optional(attributes.username), "username_trusted": .bool(attributes.usernameVerified),
            "decision": .string(report.decision.name), "rule": .string(report.decision.rule.name),
            "user_id": optional(report.userID),
            "matching_user_ids": .array(report.view.candidates.map { .int(Int($0.user.id)) }),
            "existing_identity_id": optional(report.view.existing?.identity.id),
            "reason": optional(report.decision.denyReason?.code.rawValue),
            "message": optional(report.decision.denyReason?.message),
            "explanation": .string(report.text()),
        ]
        members["written"] = .bool(false)
        return .object(members)
    }

    static func rekey(_ report: RekeyReport) -> JSONValue {
        .object([
            "provider": .string(report.provider), "from": .string(report.from), "to": .string(report.to),
            "dry_run": .bool(report.dryRun), "identities": .int(report.identityIDs.count),
            // The first thousand of each, so an answer stays small whatever moves.
            "identity_ids": .array(report.identityIDs.prefix(1000).map { .int(Int($0)) }),
            "collisions": .array(report.collisions.prefix(1000).map { .int(Int($0)) }),
            "moved": .bool(!report.dryRun && report.collisions.isEmpty),
        ])
    }

    static func optional(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }

    static func optional(_ number: Int64?) -> JSONValue {
        number.map { .int(Int($0)) } ?? .null
    }

    /// The bytes the API sends for `value`: compact, with sorted keys, so the same state
    /// always gives the same bytes and the same `ETag`.
    static func encoded(_ value: JSONValue) -> [UInt8] {
        (try? value.serialized()) ?? []
    }

    /// A strong entity tag for `value`: a digest of its bytes, so it changes exactly when what
    /// a reader sees changes.
    static func entityTag(_ value: JSONValue) -> String {
        "\"" + Digest.hex(Digest.sha256(encoded(value)).prefix(16)) + "\""
    }
}

