import Store
import Testing

private func withUser<T>(_ kind: DatabaseKind, _ body: (Database, UserRecord) throws -> T) throws -> T {
    try withDatabase(kind) { (database) throws in
        try Migrator().migrate(database, now: 0)
        let user = try database.write { try UserRepository($0).create(username: "alice", email: "alice@example.com", displayName: nil, now: 1) }
        return try body(database, user)
    }
}

private let snapshot = IdentitySnapshot(email: "alice@example.com", emailVerified: true, claims: #"{"sub":"s-1"}"#)

@Suite("IdentityRepository")
struct IdentityRepositoryTests {
    @Test(arguments: DatabaseKind.allCases)
    func linkFindAndList(_ kind: DatabaseKind) throws {
        try withUser(kind) { (database, user) throws in
            let created = try database.write { connection in
                try IdentityRepository(connection).create(
                    userID: user.id, provider: "dev", issuer: "https://idp.example", subject: "s-1",
                    snapshot: snapshot, method: .provisioned, now: 10
                )
            }
            #expect(created.linkMethod == .provisioned && created.lastLoginAt == 10 && created.emailVerified)
            try database.read { (connection) throws in
                let identities = IdentityRepository(connection)
                #expect(try identities.find(provider: "dev", issuer: "https://idp.example", subject: "s-1") == created)
                #expect(try identities.find(provider: "dev", issuer: "https://other.example", subject: "s-1") == nil, "the subject is only unique within its issuer")
                #expect(try identities.find(provider: "other", issuer: "https://idp.example", subject: "s-1") == nil, "two providers of one issuer stay apart")
                #expect(try identities.list(userID: user.id) == [created])
            }
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func aSecondLinkOfOneKeyIsAUniqueViolationNotACrash(_ kind: DatabaseKind) throws {
        try withUser(kind) { (database, user) throws in
            let other = try database.write { try UserRepository($0).create(username: "mallory", email: nil, displayName: nil, now: 1) }
            _ = try database.write { try IdentityRepository($0).create(userID: user.id, provider: "dev", issuer: "i", subject: "s", snapshot: snapshot, method: .provisioned, now: 2) }
            let error = storeError {
                _ = try database.write { try IdentityRepository($0).create(userID: other.id, provider: "dev", issuer: "i", subject: "s", snapshot: snapshot, method: .email, now: 3) }
            }
            #expect(error?.code == .uniqueViolation)
            #expect(try database.read { try IdentityRepository($0).list(userID: other.id) }.isEmpty, "nothing half-written")
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func preProvisionedLinksWithEmptySubjectsDoNotCollideAndNeverMatch(_ kind: DatabaseKind) throws {
        try withUser(kind) { (database, user) throws in
            for _ in 0..<2 {
                _ = try database.write { try IdentityRepository($0).create(userID: user.id, provider: "dev", issuer: "i", subject: "", snapshot: snapshot, method: .admin, now: 2) }
            }
            #expect(try database.read { try IdentityRepository($0).find(provider: "dev", issuer: "i", subject: "") } == nil)
            #expect(try database.read { try IdentityRepository($0).list(userID: user.id) }.allSatisfy { $0.lastLoginAt == nil })
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func theSchemaRefusesBadRows(_ kind: DatabaseKind) throws {
        try withUser(kind) { (database, user) throws in
            let longSubject = String(repeating: "é", count: 128)  // 256 bytes, 128 characters
            let tooLong = storeError {
                _ = try database.write { try IdentityRepository($0).create(userID: user.id, provider: "dev", issuer: "i", subject: longSubject, snapshot: snapshot, method: .provisioned, now: 2) }
            }
            #expect(tooLong?.code == .checkViolation, "subjects are limited to 255 bytes, not characters")
            let badClaims = storeError {
                _ = try database.write { try IdentityRepository($0).create(userID: user.id, provider: "dev", issuer: "i", subject: "s", snapshot: IdentitySnapshot(email: nil, emailVerified: false, claims: "{"), method: .provisioned, now: 2) }
            }
            #expect(badClaims?.code == .checkViolation)
            let noUser = storeError {
                _ = try database.write { try IdentityRepository($0).create(userID: user.id + 99, provider: "dev", issuer: "i", subject: "s", snapshot: snapshot, method: .provisioned, now: 2) }
            }
            #expect(noUser?.code == .foreignKeyViolation)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func recordSignInRefreshesTheSnapshot(_ kind: DatabaseKind) throws {
        try withUser(kind) { (database, user) throws in
            let created = try database.write { try IdentityRepository($0).create(userID: user.id, provider: "dev", issuer: "i", subject: "s", snapshot: snapshot, method: .provisioned, now: 2) }
            let later = IdentitySnapshot(email: "new@example.com", emailVerified: false, claims: #"{"sub":"s","x":1}"#)
            try database.write { try IdentityRepository($0).recordSignIn(id: created.id, snapshot: later, now: 50) }
            let found = try #require(try database.read { try IdentityRepository($0).find(id: created.id) })
            #expect(found.lastLoginAt == 50 && found.email == "new@example.com" && !found.emailVerified && found.linkedAt == 2)
            #expect(storeError { try database.write { try IdentityRepository($0).recordSignIn(id: 999, snapshot: later, now: 51) } }?.code == .notFound)
        }
    }
}

@Suite("SignInFlowRepository")
struct SignInFlowRepositoryTests {
    private static let state = [UInt8](repeating: 1, count: 32)
    private static let browser = [UInt8](repeating: 2, count: 32)
    private static let flow = NewSignInFlow(
        stateHash: state, browserHash: browser, provider: "dev", nonce: "n", codeVerifier: "v",
        redirectURI: "http://127.0.0.1/oidc/dev/callback", nextPath: "/account"
    )

    private func withFlow(_ kind: DatabaseKind, _ body: (Database) throws -> Void) throws {
        try withDatabase(kind) { (database) throws in
            try Migrator().migrate(database, now: 0)
            _ = try database.write { try SignInFlowRepository($0).create(Self.flow, now: 100, lifetime: 600) }
            try body(database)
        }
    }

    private func claim(_ database: Database, state: [UInt8] = state, browser: [UInt8]? = browser, now: Int64) throws -> Result<SignInFlowRecord, SignInFlowRefusal> {
        try database.write { try SignInFlowRepository($0).claim(stateHash: state, browserHash: browser, now: now) }
    }

    @Test(arguments: DatabaseKind.allCases)
    func aFlowIsClaimedOnceThenReportedAsReplayed(_ kind: DatabaseKind) throws {
        try withFlow(kind) { (database) throws in
            let first = try claim(database, now: 200)
            #expect(try first.get().flow == Self.flow)
            #expect(try claim(database, now: 201) == .failure(.alreadyUsed))
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func refusalsSayWhyAndSpendNothing(_ kind: DatabaseKind) throws {
        try withFlow(kind) { (database) throws in
            #expect(try claim(database, state: [UInt8](repeating: 9, count: 32), now: 200) == .failure(.unknown))
            #expect(try claim(database, browser: [UInt8](repeating: 3, count: 32), now: 200) == .failure(.otherBrowser))
            #expect(try claim(database, browser: nil, now: 200) == .failure(.otherBrowser), "no binding cookie at all")
            #expect(try claim(database, now: 700) == .failure(.expired), "expires_at is exclusive: created 100 + 600")
            #expect(try claim(database, now: 699).get().flow.provider == "dev", "the refused attempts did not spend the flow")
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func linkIntentKeepsItsUserAndPurgeDropsOldRows(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { (database) throws in
            try Migrator().migrate(database, now: 0)
            let user = try database.write { try UserRepository($0).create(username: "u", email: nil, displayName: nil, now: 1) }
            var linking = Self.flow
            linking.intent = .link(userID: user.id)
            _ = try database.write { try SignInFlowRepository($0).create(linking, now: 100, lifetime: 600) }
            #expect(try claim(database, now: 101).get().flow.intent == .link(userID: user.id))
            #expect(try database.write { try SignInFlowRepository($0).deleteExpired(before: 700) } == 0)
            #expect(try database.write { try SignInFlowRepository($0).deleteExpired(before: 701) } == 1)
        }
    }

    /// Flows numbered 1, 2, 3...: each its own state, all from the same browser.
    private static func flow(_ number: UInt8) -> NewSignInFlow {
        var made = flow
        made.stateHash = [UInt8](repeating: number, count: 32)
        return made
    }

    /// Review findings: a full table refused every start, so a few clients within their shares
    /// kept everyone's sign-in at a 503; then, evicting the oldest flows of all, ten clients'
    /// bursts replaced the whole table. Expired flows make room first, then the oldest flow of
    /// the client block holding the most.
    @Test(arguments: DatabaseKind.allCases)
    func aFullTableMakesRoomFromItsExpiredThenFromTheFullestClient(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { (database) throws in
            try Migrator().migrate(database, now: 0)
            func create(_ number: UInt8, by client: String, now: Int64, capacity: Int64 = 4) throws -> FlowStorage {
                var flow = Self.flow(number)
                flow.clientBlock = client
                return try database.write { try SignInFlowRepository($0).create(flow, now: now, lifetime: 600, capacity: capacity) }
            }
            func stored() throws -> Set<UInt8> {
                Set(try database.read { try $0.query("SELECT state_hash FROM sign_in_flows").map { try $0.blob("state_hash")[0] } })
            }
            // A person's flow first, then a flood from one block.
            #expect(try create(1, by: "192.0.2.1", now: 100) == .stored)
            for number in UInt8(2)...4 { #expect(try create(number, by: "2001:db8:1::/64", now: 200) == .stored) }
            #expect(try create(5, by: "2001:db8:1::/64", now: 300) == .storedEvictingOldest(1))
            #expect(try stored() == [1, 3, 4, 5], "the flood's oldest went, not the person's older flow")
            #expect(try create(6, by: "198.51.100.7", now: 300) == .storedEvictingOldest(1))
            #expect(try stored() == [1, 4, 5, 6], "a newcomer's start also takes from the fullest block")
            #expect(try create(7, by: "192.0.2.1", now: 701) == .stored, "the person's first flow expired at 700 and made room")
            #expect(try stored() == [4, 5, 6, 7])

            // Every block holding one: the oldest of all goes.
            try database.write { try $0.execute("DELETE FROM sign_in_flows WHERE state_hash = ?", [.blob(Self.flow(4).stateHash)]) }
            #expect(try create(8, by: "203.0.113.9", now: 702) == .stored)
            #expect(try create(9, by: "203.0.113.10", now: 702) == .storedEvictingOldest(1))
            #expect(try stored() == [6, 7, 8, 9], "5, the oldest, went when every block held one")

            // A capacity lowered far below what is stored: nothing is deleted, nothing written.
            for number in UInt8(10)...UInt8(109) { _ = try create(number, by: "203.0.113.11", now: 702, capacity: .max) }
            #expect(try create(110, by: "203.0.113.12", now: 702, capacity: 1) == .full)
            #expect(try stored().count == 104)
        }
    }

    /// The capacity is checked against a count the triggers keep: every insert and every delete,
    /// a linking user's flows removed with the user (cascade) among them.
    @Test(arguments: DatabaseKind.allCases)
    func theStoredCountFollowsEveryInsertAndDelete(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { (database) throws in
            try Migrator().migrate(database, now: 0)
            func counted() throws -> (Int64, Int64) {
                try database.read { connection in
                    (try SignInFlowRepository(connection).storedCount(),
                     try connection.queryOne("SELECT count(*) FROM sign_in_flows")?.int64(at: 0) ?? -1)
                }
            }
            #expect(try counted() == (0, 0))
            let user = try database.write { try UserRepository($0).create(username: "linker", email: nil, emailVerifiedBy: nil, displayName: nil, now: 1) }
            for number in UInt8(1)...5 {
                var flow = Self.flow(number)
                if number >= 4 { flow.intent = .link(userID: user.id) }
                _ = try database.write { try SignInFlowRepository($0).create(flow, now: 100, lifetime: 600) }
            }
            #expect(try counted() == (5, 5))
            try database.write { try $0.execute("DELETE FROM sign_in_flows WHERE state_hash = ?", [.blob(Self.flow(2).stateHash)]) }
            #expect(try counted() == (4, 4))
            try database.write { try $0.execute("DELETE FROM users WHERE id = ?", [.integer(user.id)]) }
            #expect(try counted() == (2, 2), "the linking user's two flows went with the user")
            #expect(try database.write { try SignInFlowRepository($0).deleteExpired(before: 701) } == 2)
            #expect(try counted() == (0, 0))
            #expect(try database.read { try $0.queryOne("SELECT count(*) FROM sign_in_flow_clients")?.int64(at: 0) } == 0)
        }
    }
}

/// Users are matched on case-folded keys written through `Accounts.Normalization`, so a
/// non-ASCII address matches whatever its case (SQLite's lower() would miss it).
@Suite struct UserMatchKeyTests {
    @Test("keys are MatchingKey's: NFC and ASCII case only, never Unicode case folding", arguments: DatabaseKind.allCases)
    func emailsAndUsernamesMatchByTheirKeys(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { (database) throws in
            try Migrator().migrate(database, now: 0)
            try database.write { connection in
                let users = UserRepository(connection)
                let elodie = try users.create(
                    username: "Élodie", email: "  e\u{0301}lodie@EXEMPLE.fr ", emailVerifiedBy: .administrator, displayName: nil, now: 1
                )
                _ = try users.create(username: "bob", email: "bob@example.com", displayName: nil, now: 1)
                #expect(elodie.emailKey == "élodie@exemple.fr", "NFC local part, lower-cased ASCII domain")
                #expect(try users.matching(emailKey: "élodie@exemple.fr").map(\.username) == ["Élodie"])
                #expect(try users.matching(emailKey: "Élodie@exemple.fr").isEmpty, "no Unicode case folding")
                #expect(try users.matching(usernameKey: "Élodie").map(\.username) == ["Élodie"])
                #expect(try users.matching(usernameKey: "élodie").isEmpty)
                #expect(try users.find(id: elodie.id)?.emailVerifiedBy == .administrator)
            }
        }
    }

    @Test("a username that differs from another only by case, width or look-alikes is refused, by the repository and by the database", arguments: DatabaseKind.allCases)
    func confusableUsernamesAreRefused(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { (database) throws in
            try Migrator().migrate(database, now: 0)
            _ = try database.write { try UserRepository($0).create(username: "paypal", email: nil, displayName: nil, now: 1) }
            for lookalike in ["PayPal", "ｐａｙｐａｌ", "раураl"] {
                let refused = storeError {
                    _ = try database.write { try UserRepository($0).create(username: lookalike, email: nil, displayName: nil, now: 2) }
                }
                #expect(refused?.code == .confusableUsername, "\(lookalike)")
            }
            // Whatever writes the row: the trigger refuses a raw INSERT with a taken skeleton.
            let raw = storeError {
                try database.write { connection in
                    try connection.execute(
                        """
                        INSERT INTO users (username, username_key, username_skeleton, created_at, updated_at)
                        SELECT 'paypa1', 'paypa1', username_skeleton, 2, 2 FROM users WHERE username = 'paypal'
                        """
                    )
                }
            }
            #expect(raw?.code == .constraintViolation)
        }
    }
}
