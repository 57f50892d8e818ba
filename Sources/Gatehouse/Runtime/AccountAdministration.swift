import Accounts
import Foundation
import JOSE
import Store

/// The operator commands about accounts: list users and identities, explain what a sign-in
/// would do (`simulate-login`), and move identities to a provider's new issuer. Each returns the
/// process exit code: 0 success, 1 a runtime failure, 2 bad configuration or arguments.
extension Runtime {
    /// Prints the decision the linking engine would take for these claims against the current
    /// database, and writes nothing (the store is only read, in a read transaction).
    public static func simulateLogin(configPath: String, provider slug: String, claimsPath: String, json: Bool) -> Int32 {
        guard let config = loadOrReport(configPath) else { return 2 }
        guard let provider = config.providers.first(where: { $0.slug == slug }) else {
            return refuse("no provider with the slug \"\(slug)\" in \(configPath)", status: 2)
        }
        let claims: [String: JOSE.JSONValue]
        do {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: claimsPath)))
            guard case .object(let members) = try JOSE.JSONValue.parse(bytes) else {
                return refuse("\(claimsPath): expected a JSON object of claims", status: 2)
            }
            claims = members
        } catch {
            return refuse("\(claimsPath): cannot read the claims: \(error)", status: 2)
        }
        guard let subject = claims["sub"]?.stringValue, !subject.isEmpty else {
            return refuse("\(claimsPath): the claims need a non-empty \"sub\" string", status: 2)
        }
        // Without `iss` the provider's configured issuer is assumed, which is what a verified
        // ID token from it would carry.
        let issuer = claims["iss"]?.stringValue ?? provider.settings.issuer
        return withCurrentDatabase(config) { database in
            let identity = try IncomingIdentity(
                provider: slug, issuer: issuer, subject: subject, claims: ClaimMapping.claimValues(claims)
            )
            let linking = AccountLinking(database: database, policies: [slug: provider.policy])
            let result = try linking.simulate(identity)
            let explanation = SimulationReport(identity: identity, result: result)
            print(json ? try explanation.json() : explanation.text())
            return 0
        }
    }

    public static func listUsers(configPath: String, json: Bool) -> Int32 {
        guard let config = loadOrReport(configPath) else { return 2 }
        return withCurrentDatabase(config) { database in
            let users = try database.read { try UserRepository($0).all() }
            if json {
                print(try jsonText(.array(users.map(AccountJSON.user))))
            } else {
                print("id\tusername\temail\temail_verified\tactive")
                for user in users {
                    print("\(user.id)\t\(user.username)\t\(user.email ?? "-")\t\(user.emailVerified)\t\(user.isActive)")
                }
            }
            return 0
        }
    }

    public static func listIdentities(configPath: String, userID: Int64?, json: Bool) -> Int32 {
        guard let config = loadOrReport(configPath) else { return 2 }
        return withCurrentDatabase(config) { database in
            let identities = try database.read { connection in
                let repository = IdentityRepository(connection)
                return try userID.map { try repository.list(userID: $0) } ?? repository.all()
            }
            if json {
                print(try jsonText(.array(identities.map(AccountJSON.identity))))
            } else {
                print("id\tuser_id\tprovider\tissuer\tsubject\tlink_method")
                for identity in identities {
                    let subject = identity.subject.isEmpty ? "(empty)" : identity.subject
                    print("\(identity.id)\t\(identity.userID)\t\(identity.provider)\t\(identity.issuer)\t\(subject)\t\(identity.linkMethod.rawValue)")
                }
            }
            return 0
        }
    }

    /// Moves a provider's identities from an old issuer to a new one, in one transaction with its
    /// audit entry: after an issuer change, the deliberate fix for rule 5's `identity_conflict`.
    /// Refused when an identity under the new issuer would collide (nothing is changed then).
    public static func rekeyIssuer(configPath: String, provider slug: String, from oldIssuer: String, to newIssuer: String) -> Int32 {
        guard let config = loadOrReport(configPath) else { return 2 }
        guard config.providers.contains(where: { $0.slug == slug }) else {
            return refuse("no provider with the slug \"\(slug)\" in \(configPath)", status: 2)
        }
        guard !oldIssuer.isEmpty, !newIssuer.isEmpty, oldIssuer != newIssuer else {
            return refuse("--from and --to must be two different, non-empty issuers", status: 2)
        }
        return withCurrentDatabase(config) { database in
            let now = Int64(Date().timeIntervalSince1970)
            let moved: Int
            do {
                moved = try database.write { connection in
                    let count = try IdentityRepository(connection).rekeyIssuer(provider: slug, from: oldIssuer, to: newIssuer)
                    try AuditRecorder.record(
                        .issuerRekeyed, requestID: nil, now: now,
                        detail: "provider=\(slug); from=\(oldIssuer); to=\(newIssuer); identities=\(count)", in: connection
                    )
                    return count
                }
            } catch let error as StoreError where error.code == .uniqueViolation {
                return refuse("some identities already exist under \(newIssuer) with the same subject; nothing was changed", status: 1)
            }
            print("moved \(moved) identit\(moved == 1 ? "y" : "ies") of provider \(slug) from \(oldIssuer) to \(newIssuer)")
            return 0
        }
    }

    // MARK: Helpers

    /// Runs `body` on the configured database when it exists and is current (see
    /// `openCurrentDatabase`); any failure is one line on standard error and exit code 1.
    private static func withCurrentDatabase(_ config: GatehouseConfig, _ body: (Database) throws -> Int32) -> Int32 {
        let database: Database
        do { database = try openCurrentDatabase(config) } catch { return refuse(error.message, status: 1) }
        defer { database.close() }
        do {
            return try body(database)
        } catch {
            return refuse("\(error)", status: 1)
        }
    }

    private static func refuse(_ message: String, status: Int32) -> Int32 {
        FileHandle.standardError.write(Data("gatehouse: \(message)\n".utf8))
        return status
    }

    static func jsonText(_ value: JOSE.JSONValue) throws -> String {
        String(decoding: try value.serialized(), as: UTF8.self)
    }
}

/// Operator-facing JSON shapes of users and identities. Never a password hash, token or claim
/// snapshot: these lists are for reading at a terminal and pasting into tickets.
enum AccountJSON {
    static func user(_ user: UserRecord) -> JOSE.JSONValue {
        .object([
            "id": .integer(user.id), "username": .string(user.username), "email": optional(user.email),
            "email_verified": .bool(user.emailVerified), "username_verified": .bool(user.usernameVerified),
            "display_name": optional(user.displayName), "active": .bool(user.isActive),
            "created_at": .integer(user.createdAt), "updated_at": .integer(user.updatedAt),
        ])
    }

    static func identity(_ identity: IdentityRecord) -> JOSE.JSONValue {
        .object([
            "id": .integer(identity.id), "user_id": .integer(identity.userID), "provider": .string(identity.provider),
            "issuer": .string(identity.issuer), "subject": .string(identity.subject), "email": optional(identity.email),
            "email_verified": .bool(identity.emailVerified), "link_method": .string(identity.linkMethod.rawValue),
            "linked_at": .integer(identity.linkedAt), "last_login_at": identity.lastLoginAt.map { .integer($0) } ?? .null,
        ])
    }

    static func optional(_ text: String?) -> JOSE.JSONValue {
        text.map { .string($0) } ?? .null
    }
}
