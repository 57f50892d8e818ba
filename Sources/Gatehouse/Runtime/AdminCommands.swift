import Crypto
import Foundation
import HTTP
import JOSE
import Store

/// The operator commands (`users`, `identities`, `sessions`, `events`, `tokens`, `providers`,
/// `simulate-login`): each opens the configured database, calls one `Administration` service,
/// and prints its answer, as text or (`--json`) in the admin API's JSON shapes. Nothing here
/// decides anything; the services do. Each returns the exit code: 0 done, 1 refused or failed
/// (one line on standard error saying why), 2 a configuration or argument error.
public enum AdminCommands {
    /// How a command's answer is printed.
    public enum Output: Sendable {
        case text
        case json
    }

    /// Opens the configured, current database, runs `body`, prints what it returns.
    static func run(
        configPath: String, output: Output, argumentErrors: Bool = false,
        _ body: (Administration) throws -> (text: String, json: JSONValue)
    ) -> Int32 {
        guard let config = Runtime.loadOrReport(configPath) else { return 2 }
        let database: Database
        do { database = try Runtime.openCurrentDatabase(config) } catch { return refuse(error.message, status: 1) }
        defer { database.close() }
        do {
            let printed = try body(Administration(database: database, config: config))
            switch output {
            case .text: if !printed.text.isEmpty { print(printed.text) }
            case .json: print(String(decoding: AdminRepresentation.encoded(printed.json), as: UTF8.self))
            }
            return 0
        } catch let error as AdministrationError {
            let isArgumentError: Bool
            switch error {
            case .invalid, .notFound: isArgumentError = argumentErrors
            default: isArgumentError = false
            }
            return refuse(error.message, status: isArgumentError ? 2 : 1)
        } catch let error as CommandInputError {
            return refuse(error.message, status: 1)
        } catch {
            return refuse("\(error)", status: 1)
        }
    }

    static func refuse(_ message: String, status: Int32) -> Int32 {
        FileHandle.standardError.write(Data("gatehouse: \(message)\n".utf8))
        return status
    }

    /// Every page of a listing, for a terminal (the API pages; a command prints all).
    static func allPages<Item>(_ read: (PageRequest) throws -> Page<Item>) throws -> [Item] {
        var items: [Item] = []
        var request = PageRequest(limit: 200)
        while true {
            let page = try read(request)
            items += page.items
            guard let next = page.nextAfter else { return items }
            request.after = next
        }
    }
}

/// A command's own input could not be read (standard input, a claims file).
struct CommandInputError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

// MARK: - Users

extension AdminCommands {
    public static func listUsers(configPath: String, query: UserQuery, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let users = try allPages { try admin.listUsers(query, $0) }
            return (AdminText.users(users), .array(users.map(AdminRepresentation.user)))
        }
    }

    public static func showUser(configPath: String, id: Int64, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let user = try admin.user(id)
            let identities = try allPages { try admin.listIdentities(IdentityQuery(userID: id), $0) }
            return (AdminText.users([user]) + "\n\n" + AdminText.identities(identities), AdminRepresentation.user(user))
        }
    }

    /// Where a new user's password comes from on the command line.
    public enum PasswordSource: Sendable {
        /// One line read from standard input (a trailing newline is dropped).
        case standardInput
        /// 144 random bits, printed once.
        case generated
        case none
    }

    public static func createUser(configPath: String, user: NewUser, password: PasswordSource, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            var user = user
            switch password {
            case .standardInput: user.password = .given(try readPassword())
            case .generated: user.password = .generated
            case .none: user.password = .none
            }
            let created = try admin.createUser(user, by: .commandLine)
            var lines = ["created user \"\(created.user.username)\" (id \(created.user.id))"]
            for identity in created.identities {
                lines.append("linked identity \(identity.id) of \(identity.provider)\(identity.subject.isEmpty ? " (pending its first sign-in)" : "")")
            }
            if let generated = created.generatedPassword {
                lines += ["password: \(generated)", "(shown once; it is stored only as a hash)"]
            }
            return (lines.joined(separator: "\n"), AdminRepresentation.createdUser(created))
        }
    }

    public static func updateUser(configPath: String, id: Int64, changes: UserChanges, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let user = try admin.updateUser(id, changes, by: .commandLine)
            return ("updated user \"\(user.username)\" (id \(user.id))", AdminRepresentation.user(user))
        }
    }

    public static func deactivateUser(configPath: String, id: Int64, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let user = try admin.deactivateUser(id, by: .commandLine)
            return ("deactivated user \"\(user.username)\" (id \(user.id)); every session of theirs is revoked", AdminRepresentation.user(user))
        }
    }

    public static func deleteUser(configPath: String, id: Int64, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            try admin.deleteUser(id, by: .commandLine)
            return ("deleted user \(id) with its identities and sessions", .object(["deleted": .int(Int(id))]))
        }
    }

    /// Reads the new password from standard input; the user is named by username, as a person
    /// signing in names themselves.
    public static func setPassword(configPath: String, username: String) -> Int32 {
        run(configPath: configPath, output: .text) { admin in
            let password = try readPassword()
            let user = try admin.user(named: username)
            _ = try admin.setPassword(user.id, to: password, by: .commandLine)
            return ("password set for \"\(username)\"", .null)
        }
    }

    /// A password from standard input is one line: the trailing newline is dropped, a second
    /// line is an error (probably the wrong file), and the length bounds are PasswordHash's.
    static func readPassword() throws -> String {
        let limit = PasswordHash.passwordLengthRange.upperBound + 2
        let data = FileHandle.standardInput.readData(ofLength: limit + 1)
        guard data.count <= limit else {
            throw CommandInputError("the password on standard input is longer than \(PasswordHash.passwordLengthRange.upperBound) bytes")
        }
        guard var text = String(data: data, encoding: .utf8) else { throw CommandInputError("the password on standard input is not UTF-8") }
        if text.hasSuffix("\r\n") { text.removeLast(1) }  // "\r\n" is one Character
        else if text.hasSuffix("\n") { text.removeLast() }
        guard !text.contains(where: \.isNewline) else { throw CommandInputError("the password on standard input must be a single line") }
        guard !text.isEmpty else { throw CommandInputError("no password on standard input") }
        return text
    }
}

// MARK: - Identities, sessions, providers, the trail

extension AdminCommands {
    public static func listIdentities(configPath: String, query: IdentityQuery, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let identities = try allPages { try admin.listIdentities(query, $0) }
            return (AdminText.identities(identities), .array(identities.map(AdminRepresentation.identity)))
        }
    }

    public static func addIdentity(configPath: String, userID: Int64, identity: NewIdentity, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let linked = try admin.linkIdentity(identity, to: userID, by: .commandLine)
            let pending = linked.subject.isEmpty ? ", pending its first sign-in" : ""
            return ("linked identity \(linked.id) of \(linked.provider) to user \(userID)\(pending)", AdminRepresentation.identity(linked))
        }
    }

    public static func removeIdentity(configPath: String, id: Int64, force: Bool, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            try admin.unlinkIdentity(id, force: force, by: .commandLine)
            return ("unlinked identity \(id)", .object(["unlinked": .int(Int(id))]))
        }
    }

    public static func rekeyIssuer(configPath: String, provider: String, from: String, to: String, dryRun: Bool, output: Output) -> Int32 {
        run(configPath: configPath, output: output, argumentErrors: true) { admin in
            let report = try admin.rekeyIssuer(provider: provider, from: from, to: to, dryRun: dryRun, by: .commandLine)
            let count = report.identityIDs.count
            let noun = "identit\(count == 1 ? "y" : "ies")"
            let text = dryRun
                ? "would move \(count) \(noun) of provider \(provider) from \(from) to \(to)"
                    + (report.collisions.isEmpty ? "" : "; \(report.collisions.count) collide with identities under \(to), so the move would be refused")
                : "moved \(count) \(noun) of provider \(provider) from \(from) to \(to)"
            return (text, AdminRepresentation.rekey(report))
        }
    }

    public static func listSessions(configPath: String, userID: Int64, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let sessions = try allPages { try admin.listSessions(ofUser: userID, $0) }
            return (AdminText.sessions(sessions), .array(sessions.map(AdminRepresentation.session)))
        }
    }

    public static func revokeSession(configPath: String, id: Int64, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            try admin.revokeSession(id, by: .commandLine)
            return ("revoked session \(id)", .object(["revoked": .int(Int(id))]))
        }
    }

    public static func revokeSessions(configPath: String, userID: Int64, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let count = try admin.revokeSessions(ofUser: userID, by: .commandLine)
            return ("revoked \(count) session\(count == 1 ? "" : "s") of user \(userID)", .object(["revoked": .int(count)]))
        }
    }

    /// `gatehouse directories sync`: exit 0 when it ran through, 1 when a brake stopped it.
    public static func syncDirectory(configPath: String, slug: String, dryRun: Bool, output: Output) -> Int32 {
        var stopped = false
        let status = run(configPath: configPath, output: output, argumentErrors: true) { admin in
            let report = try admin.syncDirectory(slug, dryRun: dryRun, by: .commandLine)
            stopped = report.stopped != nil
            return (report.summary, AdminRepresentation.directorySync(report))
        }
        return status == 0 && stopped ? 1 : status
    }

    public static func listProviders(configPath: String, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let providers = try admin.providers()
            return (AdminText.providers(providers), .array(providers.map(AdminRepresentation.provider)))
        }
    }

    public static func listEvents(configPath: String, query: TrailQuery, decisions: Bool, limit: Int, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let request = PageRequest(limit: limit)
            if decisions {
                let page = try admin.linkDecisions(query, request)
                return (AdminText.decisions(page.items), .array(page.items.map(AdminRepresentation.linkDecision)))
            }
            let page = try admin.auditEvents(query, request)
            return (AdminText.events(page.items), .array(page.items.map(AdminRepresentation.auditEntry)))
        }
    }

    /// The decision a sign-in with the claims in `claimsPath` would get; writes nothing.
    public static func simulateLogin(configPath: String, provider: String, claimsPath: String, output: Output) -> Int32 {
        run(configPath: configPath, output: output, argumentErrors: true) { admin in
            let claims: [String: JSONValue]
            do {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: claimsPath)))
                guard case .object(let members) = try JSONValue.parse(bytes) else {
                    throw AdministrationError.invalid("claims", "\(claimsPath): expected a JSON object of claims")
                }
                claims = members
            } catch let error as AdministrationError {
                throw error
            } catch {
                throw AdministrationError.invalid("claims", "\(claimsPath): cannot read the claims: \(error)")
            }
            let report = try admin.simulateLogin(provider: provider, claims: claims)
            return (report.text(), AdminRepresentation.simulation(report))
        }
    }
}

// MARK: - Tokens

extension AdminCommands {
    public static func createToken(configPath: String, token: NewToken, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let created = try admin.createToken(token, by: .commandLine)
            let text = [
                "created token \"\(created.token.name)\" (id \(created.token.id)) with \(created.token.scopes.joined(separator: " "))",
                "token: \(created.secret)",
                "(shown once; it is stored only as a hash. Send it as: Authorization: Bearer <token>)",
            ].joined(separator: "\n")
            return (text, AdminRepresentation.createdToken(created))
        }
    }

    public static func listTokens(configPath: String, includingRevoked: Bool, output: Output) -> Int32 {
        run(configPath: configPath, output: output) { admin in
            let tokens = try allPages { try admin.listTokens(includingRevoked: includingRevoked, $0) }
            return (AdminText.tokens(tokens), .array(tokens.map(AdminRepresentation.token)))
        }
    }

    /// Revokes the token with this id, or else the live token with this name.
    public static func revokeToken(configPath: String, id: Int64?, name: String?, output: Output) -> Int32 {
        run(configPath: configPath, output: output, argumentErrors: true) { admin in
            guard let id = try id ?? name.map({ try admin.token(named: $0).id }) else {
                throw AdministrationError.invalid("token", "name the token by id or by --name")
            }
            let token = try admin.revokeToken(id, by: .commandLine)
            return ("revoked token \"\(token.name)\" (id \(token.id))", AdminRepresentation.token(token))
        }
    }

    /// `--expires-in`: whole seconds, or a number with `s`, `m`, `h` or `d`.
    public static func parseDuration(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let last = text.last else { return nil }
        let (digits, unit) = units[last].map { (text.dropLast(), $0) } ?? (text[...], 1)
        guard let count = Int64(digits), count > 0 else { return nil }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: unit)
        return overflow ? nil : seconds
    }
}
