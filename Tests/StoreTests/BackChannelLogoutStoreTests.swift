import Testing
import Store

/// Migration 0012 and the two repositories a back-channel logout writes through: the replay
/// record (`LogoutTokenLedger`) and the sessions a logout token names.
@Suite("Back-channel logout in the store")
struct BackChannelLogoutStoreTests {
    private static let issuer = "https://issuer.example"

    private func withMigratedDatabase<T>(_ kind: DatabaseKind, _ body: (Database) throws -> T) throws -> T {
        try withDatabase(kind) { database in
            try Migrator().migrate(database, now: 0)
            return try body(database)
        }
    }

    // MARK: The replay record

    /// Migration 0017: what a recorded token named ends a session started after it arrived,
    /// when the ID token is no newer than the logout.
    @Test("a recorded logout names a session yet to start by its sid, its sub, or both", arguments: DatabaseKind.allCases)
    func endedSessions(_ kind: DatabaseKind) throws {
        let (sid, otherSID, sub, otherSub) = ("sid-1", "sid-2", "sub-3", "sub-4")
        try withMigratedDatabase(kind) { database in
            try database.write { connection in
                let ledger = LogoutTokenLedger(connection)
                _ = try ledger.record(issuer: Self.issuer, tokenID: "by-sid", expiresAt: 1_180, now: 1_000, sessionID: sid, issuedAt: 1_000)
                _ = try ledger.record(issuer: Self.issuer, tokenID: "by-sub", expiresAt: 1_180, now: 1_000, subject: sub, issuedAt: 1_000)
                _ = try ledger.record(
                    issuer: Self.issuer, tokenID: "by-both", expiresAt: 1_180, now: 1_000, sessionID: otherSID, subject: sub, issuedAt: 1_000
                )
                func ended(_ session: String?, _ subject: String, since: Int64 = 999, now: Int64 = 1_001, issuer: String = Self.issuer) throws -> Bool {
                    try ledger.endedSession(issuer: issuer, sessionID: session, subject: subject, since: since, now: now)
                }
                #expect(try ended(sid, otherSub), "its sid")
                #expect(try ended(nil, sub), "its sub")
                #expect(try ended(otherSID, sub), "its sid and sub")
                #expect(try !ended(otherSID, otherSub), "the sid with another sub was named together with sub")
                #expect(try ended(sid, otherSub, since: 1_000), "an ID token of the logout's second")
                #expect(try !ended(sid, otherSub, since: 1_001), "a newer ID token: a later provider session")
                #expect(try !ended(sid, otherSub, now: 1_180), "the record expired")
                #expect(try !ended(sid, otherSub, issuer: "https://other.example"))
            }
        }
    }

    @Test("a jti is recorded once; the same issuer's jti again is a replay (section 2.6 step 8)", arguments: DatabaseKind.allCases)
    func replayIsRefused(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            let first = try database.write { try LogoutTokenLedger($0).record(issuer: Self.issuer, tokenID: "jti-1", expiresAt: 1_180, now: 1_000) }
            #expect(first == .recorded)
            let again = try database.write { try LogoutTokenLedger($0).record(issuer: Self.issuer, tokenID: "jti-1", expiresAt: 1_180, now: 1_100) }
            #expect(again == .alreadySeen)
            let otherIssuer = try database.write {
                try LogoutTokenLedger($0).record(issuer: "https://other.example", tokenID: "jti-1", expiresAt: 1_180, now: 1_100)
            }
            #expect(otherIssuer == .recorded, "jti is unique per issuer only")
        }
    }

    @Test("a row lives while its token is accepted and is pruned at the second the token is refused", arguments: DatabaseKind.allCases)
    func rowsExpireWithTheirTokens(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            _ = try database.write { try LogoutTokenLedger($0).record(issuer: Self.issuer, tokenID: "jti-1", expiresAt: 1_180, now: 1_000) }
            #expect(try database.write { try LogoutTokenLedger($0).record(issuer: Self.issuer, tokenID: "jti-1", expiresAt: 1_180, now: 1_179) } == .alreadySeen)
            #expect(try database.write { try LogoutTokenLedger($0).deleteExpired(now: 1_179) } == 0)
            #expect(try database.write { try LogoutTokenLedger($0).deleteExpired(now: 1_180) } == 1)
        }
    }

    @Test("an issuer holds at most capacityPerIssuer live rows; past it a token is not recorded", arguments: DatabaseKind.allCases)
    func capacityPerIssuer(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            let capacity = LogoutTokenLedger.capacityPerIssuer
            try database.write { (connection) throws in
                let ledger = LogoutTokenLedger(connection)
                for index in 0..<capacity {
                    #expect(try ledger.record(issuer: Self.issuer, tokenID: "jti-\(index)", expiresAt: 5_000, now: 1_000) == .recorded)
                }
                #expect(try ledger.record(issuer: Self.issuer, tokenID: "one-more", expiresAt: 5_000, now: 1_000) == .full)
                #expect(try ledger.record(issuer: Self.issuer, tokenID: "jti-7", expiresAt: 5_000, now: 1_000) == .alreadySeen, "a replay is still a replay")
                #expect(try ledger.record(issuer: "https://other.example", tokenID: "one-more", expiresAt: 5_000, now: 1_000) == .recorded,
                        "one issuer's rows never stop another's")
                // Once they expire, there is room again.
                #expect(try ledger.record(issuer: Self.issuer, tokenID: "one-more", expiresAt: 9_000, now: 5_000) == .recorded)
            }
            #expect(try database.read { try $0.queryOne("SELECT count(*) FROM logout_tokens_seen")?.int64(at: 0) } == 2)
        }
    }

    /// Review finding: one person scripting sign-ins and provider sign-outs could fill the
    /// issuer's rows, and every logout from that provider was refused after. A subject keeps at
    /// most its share: its new token takes the place of its own first-expiring one.
    @Test("one subject keeps at most sharePerSubject rows; its new token replaces its own oldest, never another's", arguments: DatabaseKind.allCases)
    func sharePerSubject(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            let share = LogoutTokenLedger.sharePerSubject
            try database.write { (connection) throws in
                let ledger = LogoutTokenLedger(connection)
                #expect(try ledger.record(issuer: Self.issuer, tokenID: "other", expiresAt: 1_500, now: 1_000, subject: "someone-else") == .recorded)
                for index in 0...share {
                    let recorded = try ledger.record(
                        issuer: Self.issuer, tokenID: "jti-\(index)", expiresAt: 2_000 + Int64(index), now: 1_000, subject: "scripted"
                    )
                    #expect(recorded == .recorded)
                }
                #expect(try ledger.record(issuer: Self.issuer, tokenID: "jti-0", expiresAt: 2_000, now: 1_000, subject: "scripted") == .recorded,
                        "the first-expiring one went to make room")
                #expect(try ledger.record(issuer: Self.issuer, tokenID: "jti-\(share)", expiresAt: 3_000, now: 1_000) == .alreadySeen)
                #expect(try ledger.record(issuer: Self.issuer, tokenID: "other", expiresAt: 1_500, now: 1_000) == .alreadySeen,
                        "another subject's record is untouched")
            }
            let rows = try database.read {
                try $0.queryOne("SELECT count(*) FROM logout_tokens_seen WHERE jti LIKE 'jti-%'")?.int64(at: 0)
            }
            #expect(rows == Int64(share))
        }
    }

    @Test("the schema refuses a jti or sid outside 1 to 255 bytes", arguments: DatabaseKind.allCases)
    func schemaBounds(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            let longJTI = storeError {
                _ = try database.write { try LogoutTokenLedger($0).record(issuer: Self.issuer, tokenID: String(repeating: "é", count: 128), expiresAt: 2, now: 1) }
            }
            #expect(longJTI?.code == .checkViolation, "128 characters, 256 bytes")
            let user = try database.write { try UserRepository($0).create(username: "amy", email: nil, displayName: nil, now: 1) }
            let emptySID = storeError {
                _ = try database.write { connection in
                    try SessionRepository(connection).create(
                        tokenHash: [UInt8](repeating: 9, count: 32), userID: user.id, now: 1, idleLifetime: 60, absoluteLifetime: 60,
                        details: SessionDetails(provider: "dev", providerSessionID: "")
                    )
                }
            }
            #expect(emptySID?.code == .checkViolation)
        }
    }

    // MARK: The sessions a logout token names

    /// Alice signed in through `dev` twice (sids A1, A2), once with a password, once through
    /// `work` with a sid equal to A1, and once through `dev` before migration 0012 (no sid, no
    /// identity); Bob signed in through `dev` (sid B1).
    private struct Scene {
        var sessions: [String: Int64] = [:]
        var alice: Int64 = 0
        var bob: Int64 = 0

        init(_ connection: Connection) throws {
            let users = UserRepository(connection)
            let identities = IdentityRepository(connection)
            let snapshot = IdentitySnapshot(email: nil, emailVerified: false, claims: "{}")
            alice = try users.create(username: "alice", email: nil, displayName: nil, now: 1).id
            bob = try users.create(username: "bob", email: nil, displayName: nil, now: 1).id
            let aliceAtDev = try identities.create(userID: alice, provider: "dev", issuer: BackChannelLogoutStoreTests.issuer, subject: "alice-sub", snapshot: snapshot, method: .provisioned, now: 1)
            let aliceAtWork = try identities.create(userID: alice, provider: "work", issuer: "https://work.example", subject: "alice-sub", snapshot: snapshot, method: .accountPage, now: 1)
            let bobAtDev = try identities.create(userID: bob, provider: "dev", issuer: BackChannelLogoutStoreTests.issuer, subject: "bob-sub", snapshot: snapshot, method: .provisioned, now: 1)
            let rows: [(String, Int64, SessionDetails)] = [
                ("alice-dev-1", alice, SessionDetails(provider: "dev", idToken: "a.b.c", providerSessionID: "A1", identityID: aliceAtDev.id)),
                ("alice-dev-2", alice, SessionDetails(provider: "dev", providerSessionID: "A2", identityID: aliceAtDev.id)),
                ("alice-password", alice, SessionDetails()),
                ("alice-work", alice, SessionDetails(provider: "work", providerSessionID: "A1", identityID: aliceAtWork.id)),
                ("alice-dev-legacy", alice, SessionDetails(provider: "dev")),
                ("bob-dev", bob, SessionDetails(provider: "dev", providerSessionID: "B1", identityID: bobAtDev.id)),
            ]
            let repository = SessionRepository(connection)
            for (index, (name, userID, details)) in rows.enumerated() {
                sessions[name] = try repository.create(
                    tokenHash: [UInt8](repeating: UInt8(index + 1), count: 32), userID: userID, now: 10,
                    idleLifetime: 3_600, absoluteLifetime: 3_600, details: details
                ).id
            }
        }

        func names(_ revoked: [RevokedSession]) -> Set<String> {
            Set(revoked.compactMap { session in sessions.first { $0.value == session.id }?.key })
        }
    }

    private func revoke(_ scope: ProviderLogoutScope, provider: String = "dev", issuer: String = issuer, _ kind: DatabaseKind) throws -> Set<String> {
        try withMigratedDatabase(kind) { database in
            try database.write { connection in
                let scene = try Scene(connection)
                let revoked = try SessionRepository(connection).revokeNamedByProvider(provider: provider, issuer: issuer, scope: scope, now: 20)
                let live = try connection.query("SELECT id FROM sessions WHERE revoked_at IS NULL").map { try $0.int64(at: 0) }
                #expect(Set(live).isDisjoint(with: revoked.map(\.id)), "what is returned is what was revoked")
                #expect(Set(revoked.map(\.userID)).isSubset(of: [scene.alice, scene.bob]))
                return scene.names(revoked)
            }
        }
    }

    @Test("a sid names the sessions that recorded it, through that provider only", arguments: DatabaseKind.allCases)
    func bySessionID(_ kind: DatabaseKind) throws {
        #expect(try revoke(.session(sid: "A1"), kind) == ["alice-dev-1"])
        #expect(try revoke(.session(sid: "A1"), provider: "work", issuer: "https://work.example", kind) == ["alice-work"])
    }

    @Test("a sub names every session of that identity, and the user's sessions through the provider that recorded none", arguments: DatabaseKind.allCases)
    func bySubject(_ kind: DatabaseKind) throws {
        #expect(try revoke(.person(subject: "alice-sub"), kind) == ["alice-dev-1", "alice-dev-2", "alice-dev-legacy"])
        #expect(try revoke(.person(subject: "bob-sub"), kind) == ["bob-dev"])
    }

    @Test("sub and sid together name only the session that matches both", arguments: DatabaseKind.allCases)
    func bySubjectAndSessionID(_ kind: DatabaseKind) throws {
        #expect(try revoke(.personsSession(subject: "alice-sub", sid: "A2"), kind) == ["alice-dev-2"])
        #expect(try revoke(.personsSession(subject: "bob-sub", sid: "A1"), kind).isEmpty, "A1 is Alice's session, not Bob's")
    }

    @Test("an unknown sid, subject or issuer names nothing", arguments: DatabaseKind.allCases)
    func unknownNamesNothing(_ kind: DatabaseKind) throws {
        #expect(try revoke(.session(sid: "nobody"), kind).isEmpty)
        #expect(try revoke(.person(subject: "nobody"), kind).isEmpty)
        #expect(try revoke(.person(subject: "alice-sub"), issuer: "https://other.example", kind).isEmpty, "the subject is the issuer's")
        #expect(try revoke(.session(sid: "A1"), provider: "other", kind).isEmpty)
    }

    @Test("a revoked session loses its ID token and is not revoked twice", arguments: DatabaseKind.allCases)
    func revokedOnce(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            try database.write { connection in
                let scene = try Scene(connection)
                let sessions = SessionRepository(connection)
                let first = try sessions.revokeNamedByProvider(provider: "dev", issuer: Self.issuer, scope: .session(sid: "A1"), now: 20)
                #expect(first == [RevokedSession(id: try #require(scene.sessions["alice-dev-1"]), userID: scene.alice)])
                #expect(try connection.queryOne("SELECT id_token FROM sessions WHERE id = ?", [.integer(first[0].id)])?.optionalString(at: 0) == nil)
                #expect(try sessions.revokeNamedByProvider(provider: "dev", issuer: Self.issuer, scope: .session(sid: "A1"), now: 30).isEmpty)
            }
        }
    }

    @Test("a token that names nobody has no scope")
    func noScopeForNobody() {
        #expect(ProviderLogoutScope(subject: nil, sessionID: nil) == nil)
        #expect(ProviderLogoutScope(subject: "s", sessionID: nil) == .person(subject: "s"))
        #expect(ProviderLogoutScope(subject: nil, sessionID: "x") == .session(sid: "x"))
        #expect(ProviderLogoutScope(subject: "s", sessionID: "x") == .personsSession(subject: "s", sid: "x"))
    }

    @Test("unlinking an identity keeps the session that used it, which then names no identity", arguments: DatabaseKind.allCases)
    func unlinkingKeepsTheSession(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            try database.write { connection in
                let scene = try Scene(connection)
                let work = try #require(try IdentityRepository(connection).find(provider: "work", issuer: "https://work.example", subject: "alice-sub"))
                try IdentityRepository(connection).delete(id: work.id, userID: scene.alice)
                let row = try connection.queryOne(
                    "SELECT revoked_at, identity_id FROM sessions WHERE id = ?", [.integer(try #require(scene.sessions["alice-work"]))]
                )
                #expect(try row?.optionalInt64(at: 0) == nil)
                #expect(try row?.optionalInt64(at: 1) == nil)
            }
        }
    }
}
