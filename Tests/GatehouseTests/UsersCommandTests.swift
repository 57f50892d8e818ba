import Crypto
import Foundation
import Store
import Testing
import TestSupport

/// `gatehouse users create` and `set-password`, run from the built binary as an operator would.
@Suite(.serialized) struct UsersCommandTests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil) throws -> Run {
        let finished = try ChildProcess.run(CommandLineTests.binary, arguments, stdin: stdin, separateErrors: true)
        return Run(status: finished.status, stdout: finished.output, stderr: finished.errors)
    }

    /// A config and a migrated database in a fresh directory.
    func setUp(migrate: Bool = true) throws -> (directory: URL, config: String, database: String) {
        let directory = try temporaryDirectory()
        let database = directory.appendingPathComponent("gatehouse.sqlite3").path
        let config = directory.appendingPathComponent("config.json").path
        try Data(#"{"server": {"listen": "127.0.0.1:1", "public_url": "http://127.0.0.1:1"}, "database": {"path": "\#(database)"}}"#.utf8)
            .write(to: URL(fileURLWithPath: config))
        if migrate { #expect(try run(["migrate", "--config", config]).status == 0) }
        return (directory, config, database)
    }

    func storedHash(_ databasePath: String, username: String) throws -> String? {
        let database = try Database(path: databasePath)
        defer { database.close() }
        return try database.read { (connection) throws in
            guard let user = try UserRepository(connection).matching(usernameKey: username).first else { return nil }
            return try UserRepository(connection).passwordHash(userID: user.id)
        }
    }

    @Test func createWithAPasswordFromStdin() throws {
        let env = try setUp()
        defer { try? FileManager.default.removeItem(at: env.directory) }
        let result = try run(["users", "create", "--config", env.config, "--username", "alice", "--email", "alice@example.com",
                              "--display-name", "Alice A", "--email-verified", "--password-stdin"], stdin: "correct horse\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("correct horse") && !result.stderr.contains("correct horse"), "never echoed")
        let hash = try #require(try storedHash(env.database, username: "alice"))
        #expect(try PasswordHash.verify(password: "correct horse", against: hash) == .match(needsRehash: false), "trailing newline dropped")

        let database = try Database(path: env.database)
        defer { database.close() }
        let user = try #require(try database.read { try UserRepository($0).matching(usernameKey: "alice").first })
        #expect(user.email == "alice@example.com" && user.emailVerified && user.displayName == "Alice A")
    }

    @Test func createWithAGeneratedPasswordPrintsItOnce() throws {
        let env = try setUp()
        defer { try? FileManager.default.removeItem(at: env.directory) }
        let result = try run(["users", "create", "--config", env.config, "--username", "bob", "--email", "bob@example.com"])
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("password: ") })
        let password = String(line.dropFirst("password: ".count))
        #expect(password.count == 24)
        let hash = try #require(try storedHash(env.database, username: "bob"))
        #expect(try PasswordHash.verify(password: password, against: hash) == .match(needsRehash: false))
    }

    @Test func duplicateUsernameIsRefusedCleanly() throws {
        let env = try setUp()
        defer { try? FileManager.default.removeItem(at: env.directory) }
        #expect(try run(["users", "create", "--config", env.config, "--username", "carol", "--email", "c@example.com"]).status == 0)
        let again = try run(["users", "create", "--config", env.config, "--username", "CAROL", "--email", "c2@example.com"])
        #expect(again.status == 1)
        #expect(again.stderr == "gatehouse: a user whose name differs from \"CAROL\" only by case, width or look-alike characters already exists\n")
    }

    /// Issue 11 section 1: a new username that differs from an existing one only by case, width
    /// or a confusable character is refused at creation.
    @Test("look-alike usernames are refused", arguments: ["ＣＡＲＯＬ", "саrol", "caro\u{217C}"])
    func lookAlikeUsernamesAreRefused(_ lookalike: String) throws {
        let env = try setUp()
        defer { try? FileManager.default.removeItem(at: env.directory) }
        #expect(try run(["users", "create", "--config", env.config, "--username", "carol", "--email", "c@example.com"]).status == 0)
        let again = try run(["users", "create", "--config", env.config, "--username", lookalike, "--email", "c2@example.com"])
        #expect(again.status == 1, "\(lookalike)")
        #expect(again.stderr.contains("look-alike"))
    }

    @Test func aUsernameWithAColonIsRefused() throws {
        let env = try setUp()
        defer { try? FileManager.default.removeItem(at: env.directory) }
        let result = try run(["users", "create", "--config", env.config, "--username", "user:1", "--email", "u@example.com"])
        #expect(result.status == 1)
        #expect(result.stderr.contains(":"))
    }

    @Test("bad input is refused with one line", arguments: [
        (["--username", "al ice", "--email", "a@example.com"], "username", nil),  // space in the username
        (["--username", "alice", "--email", "not-an-address"], "e-mail", nil),  // no @
        (["--username", "alice", "--email", "a@example.com", "--password-stdin"], "no password", ""),  // empty stdin
        (["--username", "alice", "--email", "a@example.com", "--password-stdin"], "single line", "one\ntwo\n"),  // two lines
        (["--username", "alice", "--email", "a@example.com", "--password-stdin"], "longer than", String(repeating: "x", count: 2000)),  // too long
    ] as [([String], String, String?)])
    func badInput(_ arguments: [String], _ message: String, _ stdin: String?) throws {
        let env = try setUp()
        defer { try? FileManager.default.removeItem(at: env.directory) }
        let result = try run(["users", "create", "--config", env.config] + arguments, stdin: stdin)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("gatehouse: ") && result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try storedHash(env.database, username: "alice") == nil)
    }

    @Test func setPasswordReplacesTheHash() throws {
        let env = try setUp()
        defer { try? FileManager.default.removeItem(at: env.directory) }
        #expect(try run(["users", "create", "--config", env.config, "--username", "dave", "--email", "d@example.com"]).status == 0)
        let before = try #require(try storedHash(env.database, username: "dave"))
        let result = try run(["users", "set-password", "--config", env.config, "--username", "Dave"], stdin: "new pass phrase\r\n")
        #expect(result.status == 0, "\(result.stderr)")
        let after = try #require(try storedHash(env.database, username: "dave"))
        #expect(after != before)
        #expect(try PasswordHash.verify(password: "new pass phrase", against: after) == .match(needsRehash: false))
    }

    @Test func setPasswordForAnUnknownUserFails() throws {
        let env = try setUp()
        defer { try? FileManager.default.removeItem(at: env.directory) }
        let result = try run(["users", "set-password", "--config", env.config, "--username", "ghost"], stdin: "whatever\n")
        #expect(result.status == 1)
        #expect(result.stderr == "gatehouse: no user named \"ghost\"\n")
    }

    @Test func anUnmigratedDatabaseIsRefused() throws {
        let env = try setUp(migrate: false)
        defer { try? FileManager.default.removeItem(at: env.directory) }
        let result = try run(["users", "create", "--config", env.config, "--username", "erin", "--email", "e@example.com"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("gatehouse migrate"))
    }
}
