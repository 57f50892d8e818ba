import Crypto
import JOSE
import Store

/// A token an operator makes: a name people recognise, its scopes, and how long it lives.
public struct NewToken: Sendable, Equatable {
    public var name: String
    public var scopes: [String]
    /// Seconds from now; nil for a token that does not expire.
    public var expiresIn: Int64?

    public init(name: String, scopes: [String], expiresIn: Int64? = nil) {
        self.name = name
        self.scopes = scopes
        self.expiresIn = expiresIn
    }

    /// Ten years: a longer life is a mistake, not a plan.
    static let longestLife: Int64 = 10 * 366 * 86_400
}

/// A token as made, with its secret: shown once, never stored.
public struct CreatedToken: Sendable {
    public let token: APITokenRecord
    /// `gha_<id>_<secret>`, what a client sends as `Authorization: Bearer`.
    public let secret: String
}

/// A verified token: its record and the scopes it grants.
public struct AuthenticatedToken: Sendable, Equatable {
    public let token: APITokenRecord
    public let scopes: Set<APIScope>
}

extension Administration {
    public func createToken(_ new: NewToken, by actor: AdministrationActor) throws -> CreatedToken {
        var problems: [AdministrationError.FieldProblem] = []
        let nameCharacters = new.name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
        if new.name.isEmpty || new.name.utf8.count > 64 || !nameCharacters {
            problems.append(.init("name", "1 to 64 letters, digits, '.', '_' or '-'"))
        }
        var scopes: [APIScope] = []
        for (index, text) in new.scopes.enumerated() {
            guard let scope = APIScope(rawValue: text) else {
                problems.append(.init("scopes/\(index)", "not a scope; the scopes are \(APIScope.allCases.map(\.rawValue).joined(separator: ", "))"))
                continue
            }
            if scopes.contains(scope) { problems.append(.init("scopes/\(index)", "named twice")) }
            scopes.append(scope)
        }
        if new.scopes.isEmpty { problems.append(.init("scopes", "name at least one scope")) }
        if let life = new.expiresIn, !(1...NewToken.longestLife).contains(life) {
            problems.append(.init("expires_in", "1 second to 10 years, in seconds"))
        }
        guard problems.isEmpty else { throw AdministrationError.invalid(problems) }
        let secret: [UInt8]
        do { secret = try SecureRandom.bytes(32) } catch { throw AdministrationError.unavailable("the random source failed") }
        let secretText = Base64URL.encode(secret)
        let now = clock()
        let record = try write { connection in
            let tokens = APITokenRepository(connection)
            let record: APITokenRecord
            do {
                record = try tokens.create(
                    name: new.name, secretHash: Digest.sha256(Array(secretText.utf8)), scopes: scopes.sorted().map(\.rawValue),
                    createdBy: actor.name, expiresAt: new.expiresIn.map { now + $0 }, now: now
                )
            } catch let error as StoreError where error.code == .uniqueViolation {
                throw AdministrationError.conflict(.init("token_name_taken", "a live token named \"\(new.name)\" exists; revoke it or choose another name"))
            }
            try AuditRecorder.record(
                .tokenCreated, requestID: actor.requestID, now: now,
                detail: "token=\(record.id); name=\(record.name); scopes=\(record.scopes.joined(separator: ","))", actor: actor.name, in: connection
            )
            return record
        }
        return CreatedToken(token: record, secret: APITokenSecret(id: record.id, secret: secretText).text)
    }

    public func listTokens(includingRevoked: Bool, _ page: PageRequest) throws -> Page<APITokenRecord> {
        try read { try APITokenRepository($0).page(includingRevoked: includingRevoked, page) }
    }

    public func token(_ id: Int64) throws -> APITokenRecord {
        guard let token = try read({ try APITokenRepository($0).find(id: id) }) else { throw AdministrationError.notFound("token \(id)") }
        return token
    }

    /// The live token named `name`, for the command line's `tokens revoke --name`.
    public func token(named name: String) throws -> APITokenRecord {
        guard let token = try read({ try APITokenRepository($0).find(name: name) }) else {
            throw AdministrationError.notFound("live token named \"\(name.prefix(64))\"")
        }
        return token
    }

    /// Revokes a token at once: its next request is refused.
    public func revokeToken(_ id: Int64, by actor: AdministrationActor) throws -> APITokenRecord {
        let now = clock()
        return try write { connection in
            let tokens = APITokenRepository(connection)
            guard try tokens.find(id: id) != nil else { throw AdministrationError.notFound("token \(id)") }
            if try tokens.revoke(id: id, now: now) {
                try AuditRecorder.record(.tokenRevoked, requestID: actor.requestID, now: now, detail: "token=\(id)", actor: actor.name, in: connection)
            }
            guard let token = try tokens.find(id: id) else { throw AdministrationError.notFound("token \(id)") }
            return token
        }
    }

    /// The live token `presented` is, or nil: unknown id, wrong secret, revoked or expired all
    /// look the same to the caller. The secret's digest is compared in constant time. A use is
    /// noted at most once a minute, and only when the writer is idle: a busy script costs reads.
    public func authenticate(_ presented: String) throws -> AuthenticatedToken? {
        guard let parsed = APITokenSecret(parsing: presented) else { return nil }
        let now = clock()
        guard let found = try read({ try APITokenRepository($0).credential(id: parsed.id) }),
              Digest.constantTimeEqual(Digest.sha256(Array(parsed.secret.utf8)), found.secretHash),
              found.record.isLive(at: now) else { return nil }
        if found.record.lastUsedAt.map({ now - $0 >= 60 }) ?? true {
            _ = try? database.writeIfIdle { try APITokenRepository($0).recordUse(id: parsed.id, now: now, minimumInterval: 60) }
        }
        return AuthenticatedToken(token: found.record, scopes: Set(found.record.scopes.compactMap(APIScope.init(rawValue:))))
    }
}

/// A token as a client holds it: `gha_<id>_<secret>`. The id finds the row; the secret (32
/// random bytes, base64url) is what proves it, and only its SHA-256 is stored. The prefix lets
/// secret scanners recognise a leaked token.
struct APITokenSecret: Equatable {
    static let prefix = "gha_"
    let id: Int64
    let secret: String

    init(id: Int64, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// Nil for anything that is not shaped like a token (which then matches no row).
    init?(parsing text: String) {
        guard text.utf8.count <= 128, text.hasPrefix(Self.prefix) else { return nil }
        let rest = text.dropFirst(Self.prefix.count)
        guard let separator = rest.firstIndex(of: "_"), let id = Int64(rest[..<separator]), id > 0,
              String(id) == rest[..<separator] else { return nil }
        let secret = rest[rest.index(after: separator)...]
        guard secret.utf8.count == 43 else { return nil }
        self.id = id
        self.secret = String(secret)
    }

    var text: String { Self.prefix + String(id) + "_" + secret }
}
