import Crypto
import Foundation
import JOSE
import MatchingKeys
import Store

/// `gatehouse users create` and `gatehouse users set-password`: local accounts made by an
/// operator. Each returns the exit code: 0 done, 1 refused or failed (one line on stderr
/// saying why), 2 a configuration error. Passwords are never logged, never echoed back;
/// a generated one is printed once on stdout and nowhere else.
public enum UserAdministration {
    /// Where the new password comes from.
    public enum PasswordSource: Sendable {
        /// One line read from standard input (a trailing newline is dropped).
        case standardInput
        /// 144 random bits, printed once.
        case generated
    }

    public static func createUser(
        configPath: String, username: String, email: String, displayName: String?, emailVerified: Bool, password source: PasswordSource
    ) -> Int32 {
        guard let config = Runtime.loadOrReport(configPath) else { return 2 }
        do throws(AdministrationError) {
            let username = try validUsername(username)
            let email = try validEmail(email)
            let displayName = try displayName.map { name throws(AdministrationError) in try validDisplayName(name) }
            let password = try password(from: source)
            let hash = try hash(password)
            let now = Int64(Date().timeIntervalSince1970)
            let userID = try withCurrentDatabase(config) { database throws(AdministrationError) in
                do {
                    return try database.write { (connection) throws in
                        let users = UserRepository(connection)
                        // The operator chose the username and vouches for the address when told to.
                        let user = try users.create(
                            username: username, email: email, emailVerifiedBy: emailVerified ? .administrator : nil,
                            usernameVerified: true, displayName: displayName, now: now
                        )
                        try users.setPasswordHash(userID: user.id, hash: hash, now: now)
                        try AuditRecorder.record(
                            .userCreated, userID: user.id, requestID: nil, now: now,
                            detail: "source=cli; password=\(source == .generated ? "generated" : "stdin")", in: connection
                        )
                        return user.id
                    }
                } catch let error as StoreError where error.code == .uniqueViolation {
                    throw AdministrationError("a user named \"\(username)\" already exists")
                } catch let error as StoreError where error.code == .confusableUsername {
                    throw AdministrationError(
                        "a user whose name differs from \"\(username)\" only by case, width or look-alike characters already exists"
                    )
                } catch {
                    throw AdministrationError("cannot create the user: \(error)")
                }
            }
            print("created user \"\(username)\" (id \(userID))")
            if source == .generated {
                print("password: \(password)")
                print("(shown once; it is stored only as a hash)")
            }
            return 0
        } catch {
            return fail(error)
        }
    }

    public static func setPassword(configPath: String, username: String) -> Int32 {
        guard let config = Runtime.loadOrReport(configPath) else { return 2 }
        do throws(AdministrationError) {
            let password = try password(from: .standardInput)
            let hash = try hash(password)
            let now = Int64(Date().timeIntervalSince1970)
            try withCurrentDatabase(config) { database throws(AdministrationError) in
                do {
                    let found = try database.write { (connection) throws -> Bool in
                        let users = UserRepository(connection)
                        // By the username's matching key, as a sign-in finds it; a key two users
                        // share (recorded when the keys were recomputed) names nobody.
                        let named = try MatchingKey.username(username).map { key throws in try users.matching(usernameKey: key) } ?? []
                        guard named.count == 1, let user = named.first else { return false }
                        try users.setPasswordHash(userID: user.id, hash: hash, now: now)
                        try AuditRecorder.record(.passwordSet, userID: user.id, requestID: nil, now: now, detail: "source=cli", in: connection)
                        return true
                    }
                    guard found else { throw AdministrationError("no user named \"\(username)\"") }
                } catch let error as AdministrationError {
                    throw error
                } catch {
                    throw AdministrationError("cannot set the password: \(error)")
                }
            }
            print("password set for \"\(username)\"")
            return 0
        } catch {
            return fail(error)
        }
    }

    // MARK: - Input

    struct AdministrationError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    private static func validUsername(_ username: String) throws(AdministrationError) -> String {
        if let problem = UsernameRules.problem(with: username) { throw AdministrationError(problem) }
        return username.precomposedStringWithCanonicalMapping
    }

    private static func validEmail(_ email: String) throws(AdministrationError) -> String {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              email.unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && $0.properties.generalCategory != .control })
        else {
            throw AdministrationError("\"\(email)\" is not an e-mail address (one @, no spaces, at most 254 bytes)")
        }
        return email
    }

    private static func validDisplayName(_ name: String) throws(AdministrationError) -> String {
        guard !name.isEmpty, name.utf8.count <= 255, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw AdministrationError("a display name is 1 to 255 bytes without control characters")
        }
        return name
    }

    /// A password from stdin is one line: the trailing newline is dropped, a second line is an
    /// error (probably the wrong file), and the length bounds are PasswordHash's.
    private static func password(from source: PasswordSource) throws(AdministrationError) -> String {
        switch source {
        case .generated:
            do {
                // 18 bytes → 24 base64url characters (144 bits): nothing a shell or a form mangles.
                return Base64URL.encode(try SecureRandom.bytes(18))
            } catch {
                throw AdministrationError("the random source failed")
            }
        case .standardInput:
            let limit = PasswordHash.passwordLengthRange.upperBound + 2
            let data = FileHandle.standardInput.readData(ofLength: limit + 1)
            guard data.count <= limit else {
                throw AdministrationError("the password on standard input is longer than \(PasswordHash.passwordLengthRange.upperBound) bytes")
            }
            guard var text = String(data: data, encoding: .utf8) else {
                throw AdministrationError("the password on standard input is not UTF-8")
            }
            if text.hasSuffix("\r\n") { text.removeLast(1) }  // "\r\n" is one Character
            else if text.hasSuffix("\n") { text.removeLast() }
            guard !text.contains(where: \.isNewline) else {
                throw AdministrationError("the password on standard input must be a single line")
            }
            guard !text.isEmpty else { throw AdministrationError("no password on standard input") }
            return text
        }
    }

    private static func hash(_ password: String) throws(AdministrationError) -> String {
        do {
            return try PasswordHash.make(password: LocalPassword.bytes(password))
        } catch {
            throw AdministrationError("cannot hash the password: \(error.message)")
        }
    }

    /// Runs `body` on the configured database when it exists and is current (see
    /// `Runtime.openCurrentDatabase`): the columns this command writes may not exist yet.
    private static func withCurrentDatabase<T>(
        _ config: GatehouseConfig, _ body: (Database) throws(AdministrationError) -> T
    ) throws(AdministrationError) -> T {
        let database: Database
        do { database = try Runtime.openCurrentDatabase(config) } catch { throw AdministrationError(error.message) }
        defer { database.close() }
        return try body(database)
    }

    private static func fail(_ error: AdministrationError) -> Int32 {
        FileHandle.standardError.write(Data("gatehouse: \(error.message)\n".utf8))
        return 1
    }
}
