import Crypto
import Foundation
import Gatehouse
import Logging
import Store
import Testing

/// Fast scrypt parameters: these tests are about decisions, not cost.
private let fastParameters = try! PasswordHashParameters(logN: 4, blockSize: 1, parallelism: 1)

/// A real SQLite file, migrated, with a `PasswordSignIn` over it.
private final class SignInFixture {
    let directory: URL
    let database: Database
    let throttle = LoginThrottle()
    let signIn: PasswordSignIn
    static let now: Int64 = 1_700_000_100

    init(settings: PasswordSignInSettings = PasswordSignInSettings(hashParameters: fastParameters)) throws {
        directory = try temporaryDirectory()
        database = try migratedDatabase(in: directory)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        signIn = PasswordSignIn(database: database, settings: settings, throttle: throttle, logger: logger)
    }

    deinit {
        database.close()
        try? FileManager.default.removeItem(at: directory)
    }

    @discardableResult
    func user(
        _ username: String, email: String? = nil, emailVerified: Bool = false, password: String? = nil,
        parameters: PasswordHashParameters = fastParameters
    ) throws -> Int64 {
        let hash = try password.map { try PasswordHash.make(password: $0, parameters: parameters) }
        return try database.write { (connection) throws in
            let users = UserRepository(connection)
            let user = try users.create(
                username: username, email: email, emailVerifiedBy: emailVerified ? .administrator : nil, displayName: nil, now: 1
            )
            if let hash { try users.setPasswordHash(userID: user.id, hash: hash, now: 1) }
            return user.id
        }
    }

    func attempt(_ identifier: String, _ password: String, from address: String = "192.0.2.10", now: Int64 = SignInFixture.now) -> PasswordSignInOutcome {
        signIn.authenticate(identifier: identifier, password: password, clientAddress: address, requestID: "req-1", now: now)
    }

    func audit() throws -> [(event: String, userID: Int64?, detail: String)] {
        try database.read { (connection) throws in
            try connection.query("SELECT event, user_id, detail FROM audit_log ORDER BY id").map { row throws in
                (try row.string("event"), try row.optionalInt64("user_id"), try row.optionalString("detail") ?? "")
            }
        }
    }

    func storedHash(_ userID: Int64) throws -> String? {
        try database.read { try UserRepository($0).passwordHash(userID: userID) }
    }
}

@Suite("PasswordSignIn")
struct PasswordSignInTests {
    @Test func correctPasswordSignsIn() throws {
        let fixture = try SignInFixture()
        let id = try fixture.user("alice", email: "alice@example.com", password: "s3cret-pass")
        #expect(fixture.attempt("alice", "s3cret-pass").verifiedUserID == id)
        // The success entry is the completion's, in the session's transaction (SignInCompletion).
        #expect(try fixture.audit().isEmpty)
    }

    @Test("every refusal is the same outcome, with its reason only in the audit log", arguments: [
        ("alice", "wrong", "wrong_password"),  // known user, wrong password
        ("nobody", "s3cret-pass", "unknown_user"),  // no such user
        ("carol", "s3cret-pass", "no_password"),  // signs in through a provider only
        ("dave", "s3cret-pass", "inactive_user"),  // right password, deactivated account
        ("shared@example.com", "s3cret-pass", "ambiguous_identifier"),  // two users share the address
        ("alice", "", "password_length"),  // empty password
        ("   ", "s3cret-pass", "identifier_length"),  // blank identifier
    ])
    func refusals(_ identifier: String, _ password: String, _ reason: String) throws {
        let fixture = try SignInFixture()
        try fixture.user("alice", email: "alice@example.com", password: "s3cret-pass")
        try fixture.user("carol", email: "carol@example.com")
        let dave = try fixture.user("dave", password: "s3cret-pass")
        try fixture.user("erin", email: "shared@example.com", password: "s3cret-pass")
        try fixture.user("frank", email: " Shared@Example.com", password: "s3cret-pass")
        try fixture.database.write { try $0.execute("UPDATE users SET active = 0 WHERE id = ?", [.integer(dave)]) }

        #expect(fixture.attempt(identifier, password) == .refused)
        let last = try #require(try fixture.audit().last)
        #expect(last.event == "login.failed")
        #expect(last.detail.contains("reason=\(reason)"), "\(last.detail)")
    }

    @Test func identifierMatchesUsernameOrEmailIgnoringCase() throws {
        let fixture = try SignInFixture()
        let id = try fixture.user("Alice", email: "Alice.Smith@Example.com", password: "pw-one")
        #expect(fixture.attempt("alice", "pw-one").verifiedUserID == id)
        #expect(fixture.attempt("ALICE", "pw-one").verifiedUserID == id)
        #expect(fixture.attempt("  alice.smith@example.COM ", "pw-one").verifiedUserID == id)
        // The password is never case-folded.
        #expect(fixture.attempt("alice", "PW-ONE") == .refused)
    }

    @Test func caseSensitiveSettingRequiresTheExactSpelling() throws {
        let fixture = try SignInFixture(settings: PasswordSignInSettings(caseSensitive: true, hashParameters: fastParameters))
        let id = try fixture.user("Alice", email: "Alice@Example.com", password: "pw-one")
        #expect(fixture.attempt("alice", "pw-one") == .refused)
        #expect(fixture.attempt("alice@example.com", "pw-one") == .refused)
        #expect(fixture.attempt("Alice", "pw-one").verifiedUserID == id)
        #expect(fixture.attempt("Alice@Example.com", "pw-one").verifiedUserID == id)
    }

    @Test func onlyTheConfiguredFieldsAreMatched() throws {
        let fixture = try SignInFixture(settings: PasswordSignInSettings(identifierFields: [.username], hashParameters: fastParameters))
        let id = try fixture.user("alice", email: "alice@example.com", password: "pw-one")
        #expect(fixture.attempt("alice@example.com", "pw-one") == .refused)
        #expect(fixture.attempt("alice", "pw-one").verifiedUserID == id)
    }

    @Test func aUsernameThatIsAnotherUsersVerifiedAddressIsAmbiguous() throws {
        let fixture = try SignInFixture()
        try fixture.user("bob@example.com", password: "pw-one")
        try fixture.user("robert", email: "bob@example.com", emailVerified: true, password: "pw-one")
        #expect(fixture.attempt("bob@example.com", "pw-one") == .refused)
        #expect(try fixture.audit().last?.detail.contains("reason=ambiguous_identifier") == true)
    }

    /// Issue 11 section 2: a provider sign-in that carries a local user's address, even
    /// unverified, made a second user with it, and the local user's sign-in by email was then
    /// refused as ambiguous: anyone could lock a person out of their own account.
    @Test func anotherUsersUnverifiedCopyOfTheAddressDoesNotLockTheOwnerOut() throws {
        let fixture = try SignInFixture()
        let owner = try fixture.user("carol", email: "carol@corp.example", password: "pw-one")
        try fixture.user("carol-2", email: "Carol@corp.example")  // a provider's user: no password, unverified
        #expect(fixture.attempt("carol@corp.example", "pw-one").verifiedUserID == owner)
        try fixture.user("carol-3", email: "carol@corp.example", password: "pw-two")  // a second password user, unverified
        #expect(fixture.attempt("carol@corp.example", "pw-one") == .refused, "two unverified password holders: never guess")
    }

    /// Issue 11 section 4: after the per-identifier throttle answered 429 for an address, the
    /// right password under a look-alike spelling (dotless ı) signed in; and while an account is
    /// locked out through its email, its username must not open it either.
    @Test func theThrottleCountsMatchingKeysAndAccounts() throws {
        let fixture = try SignInFixture()
        let id = try fixture.user("christina", email: "christina@corp.example", password: "right")
        for index in 0..<6 {
            #expect(fixture.attempt("christina@corp.example", "wrong", from: "198.51.100.\(index)") == .refused)
        }
        #expect(fixture.attempt("CHRISTINA@corp.example", "right", from: "203.0.113.1") == .rateLimited(retryAfterSeconds: 1))
        #expect(fixture.attempt("chrıstina@corp.example", "right", from: "203.0.113.2") == .refused,
                "the dotless spelling is another identifier, and it names nobody")
        #expect(fixture.attempt("christina", "right", from: "203.0.113.3") == .rateLimited(retryAfterSeconds: 1),
                "the account is locked, whichever identifier names it")
        #expect(fixture.attempt("christina", "right", from: "203.0.113.3", now: SignInFixture.now + 1).verifiedUserID == id)
    }

    @Test func composedAndDecomposedPasswordsAreTheSame() throws {
        let fixture = try SignInFixture()
        let composed = "caf\u{E9}-horse"
        let decomposed = "cafe\u{301}-horse"
        let id = try fixture.user("alice", password: nil)
        let hash = try PasswordHash.make(password: Array(composed.utf8), parameters: fastParameters)
        try fixture.database.write { try UserRepository($0).setPasswordHash(userID: id, hash: hash, now: 2) }
        #expect(fixture.attempt("alice", decomposed).verifiedUserID == id)
    }

    @Test func throttleGrowsWithRetryAfterAndIsAudited() throws {
        let fixture = try SignInFixture()
        let id = try fixture.user("alice", password: "right")
        var now = SignInFixture.now
        for _ in 0..<6 { #expect(fixture.attempt("alice", "wrong", now: now) == .refused) }
        // The correct password does not get through while limited: it is not even checked.
        #expect(fixture.attempt("alice", "right", now: now) == .rateLimited(retryAfterSeconds: 1))
        now += 1
        #expect(fixture.attempt("alice", "wrong", now: now) == .refused)
        #expect(fixture.attempt("alice", "right", now: now) == .rateLimited(retryAfterSeconds: 2))
        #expect(fixture.attempt("alice", "right", now: now + 1) == .rateLimited(retryAfterSeconds: 1))
        now += 2
        #expect(fixture.attempt("alice", "right", from: "192.0.2.99", now: now).verifiedUserID == id)

        let events = try fixture.audit().map(\.event)
        #expect(events.filter { $0 == "login.failed" }.count == 7)
        #expect(events.filter { $0 == "login.rate_limited" }.count == 2, "one per escalation: the third refusal followed no new failure")
        #expect(events.last == "login.rate_limited", "the success entry is the completion's")
    }

    /// Review finding: every refused attempt wrote an audit entry, so a flood of attempts that
    /// the throttle refused still took the database writer once each. One entry per escalation.
    @Test func aFloodOfRefusedAttemptsIsOneAuditEntryPerEscalation() throws {
        let fixture = try SignInFixture()
        _ = try fixture.user("alice", password: "right")
        let now = SignInFixture.now
        for _ in 0..<6 { _ = fixture.attempt("alice", "wrong", now: now) }
        for _ in 0..<50 { #expect(fixture.attempt("alice", "right", now: now) == .rateLimited(retryAfterSeconds: 1)) }
        #expect(try fixture.audit().filter { $0.event == "login.rate_limited" }.count == 1)
        _ = fixture.attempt("alice", "wrong", now: now + 1)
        for _ in 0..<50 { _ = fixture.attempt("alice", "right", now: now + 1) }
        #expect(try fixture.audit().filter { $0.event == "login.rate_limited" }.count == 2, "a new failure is a new escalation")
    }

    @Test func successResetsTheIdentifierCounter() throws {
        let fixture = try SignInFixture()
        let id = try fixture.user("alice", password: "right")
        for index in 0..<5 { _ = fixture.attempt("alice", "wrong", from: "198.51.100.\(index + 1)") }
        #expect(fixture.attempt("alice", "right", from: "203.0.113.5").verifiedUserID == id)
        // Five more failures are free again: the count restarted at the success.
        for _ in 0..<5 { #expect(fixture.attempt("alice", "wrong", from: "203.0.113.6") == .refused) }
        #expect(fixture.attempt("alice", "right", from: "203.0.113.7").verifiedUserID == id)
    }

    @Test func unknownUsersAreThrottledToo() throws {
        let fixture = try SignInFixture()
        for _ in 0..<6 { #expect(fixture.attempt("ghost", "x") == .refused) }
        #expect(fixture.attempt("ghost", "x", from: "192.0.2.77") == .rateLimited(retryAfterSeconds: 1))
    }

    @Test func oldParametersAreUpgradedAtSignIn() throws {
        let fixture = try SignInFixture()
        let weak = try PasswordHashParameters(logN: 2, blockSize: 1, parallelism: 1)
        let id = try fixture.user("alice", password: "right", parameters: weak)
        let before = try #require(try fixture.storedHash(id))
        #expect(before.hasPrefix("$scrypt$ln=2,r=1,p=1$"))

        #expect(fixture.attempt("alice", "wrong") == .refused)
        #expect(try fixture.storedHash(id) == before, "a failed attempt never rewrites the hash")

        #expect(fixture.attempt("alice", "right").verifiedUserID == id)
        let after = try #require(try fixture.storedHash(id))
        #expect(after != before)
        #expect(after.hasPrefix("$scrypt$\(fastParameters)$"))
        #expect(try PasswordHash.verify(password: "right", against: after, current: fastParameters) == .match(needsRehash: false))
        #expect(fixture.attempt("alice", "right").verifiedUserID == id)
        #expect(try fixture.storedHash(id) == after, "a current hash is left alone")
    }

    @Test func aCorruptStoredHashRefusesWithoutDeriving() throws {
        let fixture = try SignInFixture()
        let id = try fixture.user("alice")
        // Within the schema's CHECK, beyond the parser's caps: refused before any allocation.
        try fixture.database.write { try UserRepository($0).setPasswordHash(userID: id, hash: "$scrypt$ln=40,r=8,p=1$AAAA$AAAA", now: 2) }
        #expect(fixture.attempt("alice", "anything") == .refused)
        #expect(try fixture.audit().last?.detail.contains("reason=stored_hash_invalid") == true)
    }

    @Test func thePasswordNeverReachesTheAuditLog() throws {
        let fixture = try SignInFixture()
        try fixture.user("alice", email: "shared@example.com", password: "Tr0ub4dor&3-correct")
        try fixture.user("bob", email: "shared@example.com", password: "Tr0ub4dor&3-correct")
        try fixture.user("carol")
        let secret = "Tr0ub4dor&3-wrong-guess"
        for identifier in ["alice", "nobody", "carol", "shared@example.com"] { _ = fixture.attempt(identifier, secret) }
        for _ in 0..<4 { _ = fixture.attempt("alice", secret) }
        _ = fixture.attempt("alice", "Tr0ub4dor&3-correct")
        let audit = try fixture.audit()
        #expect(audit.contains { $0.event == "login.rate_limited" })
        for entry in audit {
            #expect(!entry.detail.contains("Tr0ub4dor"), "\(entry.event): \(entry.detail)")
        }
        #expect(audit.allSatisfy { $0.detail.contains("identifier=") || $0.detail.contains("identifier_fingerprint=") })
    }

    /// Review finding: the typed identifier was kept whatever it was, so a password typed into
    /// the identifier field stayed in the audit log for 400 days, readable with `audit:read`.
    /// Text that names no account is kept as a fingerprint only, the same for the same text.
    @Test func aPasswordTypedAsTheIdentifierNeverReachesTheAuditLog() throws {
        let fixture = try SignInFixture()
        try fixture.user("alice", password: "Tr0ub4dor&3-correct")
        _ = fixture.attempt("Tr0ub4dor&3-correct", "one guess", from: "192.0.2.20")
        _ = fixture.attempt("Tr0ub4dor&3-correct", "another", from: "192.0.2.21")
        _ = fixture.attempt("alice", "wrong")
        let audit = try fixture.audit()
        #expect(audit.count == 3, "\(audit.map(\.detail))")
        for entry in audit { #expect(!entry.detail.contains("Tr0ub4dor"), "\(entry.event): \(entry.detail)") }
        let fingerprints = Set(audit.compactMap { $0.detail.firstMatch(of: /identifier_fingerprint=([0-9a-f]{16})/).map { String($0.1) } })
        #expect(fingerprints.count == 1, "the same text, the same fingerprint: \(audit.map(\.detail))")
        #expect(audit.last?.detail.contains("identifier=alice") == true, "an identifier that names an account is kept as typed")
    }

    @Test func identifiersInTheAuditLogAreCleanedAndShort() throws {
        let fixture = try SignInFixture()
        _ = fixture.attempt("evil\nevent=login.success " + String(repeating: "x", count: 300), "pw")
        let detail = try #require(try fixture.audit().last?.detail)
        #expect(!detail.contains("\n"))
        #expect(detail.count < 400)
    }

    /// Finding: `;` and `=` in a typed identifier passed into the detail, so `alice; client=10.9.9.9;
    /// reason=ok` added fields ahead of the real client address. They are encoded (and text
    /// that names no account is kept as its fingerprint alone), and the client comes first.
    @Test func aTypedIdentifierCannotAddAuditFields() throws {
        let fixture = try SignInFixture()
        _ = fixture.attempt("alice; client=10.9.9.9; reason=ok", "pw", from: "192.0.2.8")
        let detail = try #require(try fixture.audit().last?.detail)
        let fields = detail.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(fields.filter { $0.hasPrefix("client=") } == ["client=192.0.2.8"], "\(detail)")
        #expect(fields.filter { $0.hasPrefix("reason=") }.count == 1, "\(detail)")
        #expect(fields.filter { $0.hasPrefix("identifier") }.count == 1, "it names no account: its fingerprint alone, \(detail)")
    }
}
