import Foundation
import Testing
import TestSupport
@testable import Directory

/// The client against a real slapd: StartTLS and LDAPS with the test CA, binds, escaping,
/// failover, paged results and the pool's bound.
@Suite(.serialized) struct DirectoryClientTests {
    static let ldif = DirectoryFixture.units
        + DirectoryFixture.person("alice", mail: "alice@example.org", password: "alice-pw", name: "Alice Liddell")
        + DirectoryFixture.person("bob", mail: "bob@example.org", password: "bob-pw")
        + DirectoryFixture.group("staff", members: ["alice", "bob"])

    func settings(_ slapd: SlapdServer, uris: [String]? = nil, caFile: String? = nil, poolSize: Int = 4) -> DirectorySettings {
        DirectorySettings(
            uris: uris ?? [slapd.uri], caFile: caFile ?? slapd.caFile, bindDN: SlapdServer.serviceDN, bindPassword: SlapdServer.servicePassword,
            connectTimeoutSeconds: 2, operationTimeoutSeconds: 5, totalTimeoutSeconds: 10, poolSize: poolSize, pageSize: 200
        )
    }

    func lookup(_ client: DirectoryClient, _ typed: String) throws(DirectoryError) -> [DirectoryEntry] {
        try client.search(
            base: DirectoryFixture.people,
            filter: FilterEscaping.loginFilter(userFilter: "(objectClass=inetOrgPerson)", attributes: ["uid", "mail"], typed: typed),
            attributes: ["uid", "mail", "entryUUID"], paged: false, sizeLimit: 2
        )
    }

    @Test func signInByUidAndMailOverStartTLS() throws {
        let slapd = try SlapdServer(ldif: Self.ldif)
        defer { slapd.stop() }
        let client = try DirectoryClient(settings: settings(slapd))
        for typed in ["alice", "alice@example.org"] {
            let found = try lookup(client, typed)
            #expect(found.map(\.dn) == ["uid=alice,\(DirectoryFixture.people)"])
            #expect(found.first?.string("entryUUID")?.count == 36)
            #expect(try client.verifyPassword(dn: found[0].dn, password: "alice-pw"))
            #expect(try !client.verifyPassword(dn: found[0].dn, password: "wrong"))
        }
    }

    /// An empty password would be an unauthenticated bind, which slapd accepts.
    @Test func emptyPasswordIsRefusedBeforeAnyBind() throws {
        let slapd = try SlapdServer(ldif: Self.ldif)
        defer { slapd.stop() }
        let client = try DirectoryClient(settings: settings(slapd))
        #expect(throws: DirectoryError.self) { try client.verifyPassword(dn: "uid=alice,\(DirectoryFixture.people)", password: "") }
        do {
            _ = try client.verifyPassword(dn: "uid=alice,\(DirectoryFixture.people)", password: "")
        } catch {
            #expect(error.code == .emptyPassword)
        }
    }

    @Test func typedFilterSyntaxIsLiteralText() throws {
        let slapd = try SlapdServer(ldif: Self.ldif)
        defer { slapd.stop() }
        let client = try DirectoryClient(settings: settings(slapd))
        for typed in ["*", "*)(uid=*", "a*", "alice)(|(uid=*", "*)(objectClass=*"] {
            #expect(try lookup(client, typed).isEmpty, "\(typed) matched an entry")
        }
    }

    /// Review finding: a failed search's error, which the sign-in logs, named the filter, and
    /// with it the typed identifier (perhaps a password typed into the wrong field).
    @Test func aFailedSearchNeverNamesWhatWasTyped() throws {
        let slapd = try SlapdServer(ldif: Self.ldif)
        defer { slapd.stop() }
        let client = try DirectoryClient(settings: settings(slapd))
        let typed = "Tr0ub4dor-typed-here"
        do {
            _ = try client.search(
                base: "ou=nowhere,\(DirectoryFixture.people)",
                filter: FilterEscaping.loginFilter(userFilter: "(objectClass=inetOrgPerson)", attributes: ["uid"], typed: typed),
                attributes: ["uid"], paged: false, sizeLimit: 2
            )
            Issue.record("a search under a base that does not exist succeeded")
        } catch {
            #expect(!"\(error)".contains("Tr0ub4dor"), "\(error)")
            #expect("\(error)".contains("ou=nowhere"), "the base is still named: \(error)")
        }
    }

    @Test func failsOverWhenTheFirstServerIsDown() throws {
        let slapd = try SlapdServer(ldif: Self.ldif)
        defer { slapd.stop() }
        let down = try ExternalServer.freePort()  // reserved, never listening: refused at once
        let client = try DirectoryClient(settings: settings(slapd, uris: ["ldap://127.0.0.1:\(down)", slapd.uri]))
        #expect(try lookup(client, "bob").count == 1)
        #expect(try client.verifyPassword(dn: "uid=bob,\(DirectoryFixture.people)", password: "bob-pw"))
    }

    @Test func allServersDownIsUnavailable() throws {
        let down = try ExternalServer.freePort()
        let client = try DirectoryClient(settings: DirectorySettings(uris: ["ldap://127.0.0.1:\(down)"], connectTimeoutSeconds: 2))
        do {
            _ = try client.search(base: "dc=example,dc=org", filter: "(uid=x)", attributes: ["uid"])
            Issue.record("a search with no server answered")
        } catch {
            #expect(error.code == .unavailable)
        }
    }

    @Test func tlsWithTheRightCAAndRefusedWithAnUnknownOne() throws {
        let slapd = try SlapdServer(ldif: Self.ldif)
        defer { slapd.stop() }
        for uri in [slapd.uri, slapd.ldapsURI] {
            let good = try DirectoryClient(settings: settings(slapd, uris: [uri]))
            #expect(try lookup(good, "alice").count == 1)
            let bad = try DirectoryClient(settings: settings(slapd, uris: [uri], caFile: slapd.unknownCAFile))
            do {
                _ = try lookup(bad, "alice")
                Issue.record("\(uri) was trusted with an unknown CA")
            } catch {
                #expect(error.code == .tlsFailed, "\(uri): \(error)")
                #expect(error.message.contains("TLS"), "\(uri): \(error)")
            }
        }
    }

    @Test func wrongServiceAccountPasswordIsTheOperatorsError() throws {
        let slapd = try SlapdServer(ldif: Self.ldif)
        defer { slapd.stop() }
        var wrong = settings(slapd)
        wrong.bindPassword = "not-it"
        let client = try DirectoryClient(settings: wrong)
        do {
            _ = try lookup(client, "alice")
            Issue.record("searched with a wrong service password")
        } catch {
            #expect(error.code == .serviceBindFailed)
            #expect(!error.message.contains("not-it"))
        }
    }

    /// 5,000 people with a size limit of 500: paged results read them all; one unpaged search
    /// is refused at the limit.
    @Test func pagedResultsReadPastTheSizeLimit() throws {
        var ldif = DirectoryFixture.units
        for index in 0..<5000 { ldif += DirectoryFixture.person("user\(index)", password: "pw-\(index)") }
        let slapd = try SlapdServer(ldif: ldif, sizeLimit: 500)
        defer { slapd.stop() }
        let client = try DirectoryClient(settings: settings(slapd))
        let all = try client.search(base: DirectoryFixture.people, filter: "(objectClass=inetOrgPerson)", attributes: ["uid", "entryUUID"])
        #expect(all.count == 5000)
        #expect(Set(all.compactMap { $0.string("entryUUID") }).count == 5000)
        do {
            _ = try client.search(base: DirectoryFixture.people, filter: "(objectClass=inetOrgPerson)", attributes: ["uid"], paged: false)
            Issue.record("an unpaged search returned past the size limit")
        } catch {
            #expect(error.code == .searchFailed)
        }
    }

    /// Sixteen lookups at once through a pool of two: never more than two connections a pool.
    @Test func poolStaysBounded() throws {
        let slapd = try SlapdServer(ldif: Self.ldif)
        defer { slapd.stop() }
        let client = try DirectoryClient(settings: settings(slapd, poolSize: 2))
        let failures = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            let ok = (try? client.verifyPassword(dn: "uid=alice,\(DirectoryFixture.people)", password: "alice-pw")) == true
                && (try? lookup(client, index % 2 == 0 ? "alice" : "bob").count) == 1
            if !ok { failures.add(1) }
            #expect(client.openConnections <= 4)
        }
        #expect(failures.load() == 0)
        #expect(client.openConnections <= 4)
    }
}

/// A counter for `concurrentPerform`.
final class Atomic: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int
    init(_ value: Int) { self.value = value }
    func add(_ amount: Int) { lock.lock(); value += amount; lock.unlock() }
    func load() -> Int { lock.lock(); defer { lock.unlock() }; return value }
}
