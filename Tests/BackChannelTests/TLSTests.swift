import Foundation
import Testing
@testable import BackChannel

/// TLS to the provider is always verified; a private CA is trusted only when named, and then in
/// addition to the system store.
@Suite(.serialized) struct TLSTests {
    let fixtures: TLSFixtures

    init() throws {
        fixtures = try TLSFixtures()
    }

    @Test func unknownCAIsRefusedWithoutTheExtraBundle() throws {
        let server = try fixtures.startServer(certificate: "good")
        let error = #expect(throws: BackChannelError.self) {
            try BackChannelClient().send(BackChannelRequest(url: "https://127.0.0.1:\(server.port)/"))
        }
        #expect(error?.code == .tlsFailure)
    }

    @Test func extraBundleMakesThePrivateCATrusted() throws {
        let server = try fixtures.startServer(certificate: "good")
        let client = try BackChannelClient(settings: BackChannelSettings(extraCABundlePath: fixtures.path("caA.pem")))
        for host in ["127.0.0.1", "localhost"] {
            let response = try client.send(BackChannelRequest(url: "https://\(host):\(server.port)/"))
            #expect(response.status == 200)
        }
    }

    @Test func nameMismatchIsRefusedEvenFromATrustedCA() throws {
        let server = try fixtures.startServer(certificate: "wrongName")
        let client = try BackChannelClient(settings: BackChannelSettings(extraCABundlePath: fixtures.path("caA.pem")))
        let error = #expect(throws: BackChannelError.self) {
            try client.send(BackChannelRequest(url: "https://127.0.0.1:\(server.port)/"))
        }
        #expect(error?.code == .tlsFailure)
    }

    @Test func anotherPrivateCAIsStillRefused() throws {
        let server = try fixtures.startServer(certificate: "fromB")
        let client = try BackChannelClient(settings: BackChannelSettings(extraCABundlePath: fixtures.path("caA.pem")))
        let error = #expect(throws: BackChannelError.self) {
            try client.send(BackChannelRequest(url: "https://127.0.0.1:\(server.port)/"))
        }
        #expect(error?.code == .tlsFailure)
    }

    /// CA A stands in for the system store, CA B is the provider's extra bundle: both must be
    /// trusted. Had the extra bundle replaced the store, the server signed by A would fail.
    @Test func extraBundleIsAddedToTheSystemStoreNotPutInItsPlace() throws {
        let fromSystem = try fixtures.startServer(certificate: "good")
        let fromExtra = try fixtures.startServer(certificate: "fromB")
        let client = try BackChannelClient(
            settings: BackChannelSettings(extraCABundlePath: fixtures.path("caB.pem")),
            systemCABundlePath: fixtures.path("caA.pem"))
        #expect(try client.send(BackChannelRequest(url: "https://127.0.0.1:\(fromSystem.port)/")).status == 200)
        #expect(try client.send(BackChannelRequest(url: "https://127.0.0.1:\(fromExtra.port)/")).status == 200)
    }

    @Test func combinedBundleHoldsTheSystemStoreThenTheExtraFile() throws {
        let systemPath = CABundle.systemBundlePath()
        let system = try #require(CABundle.readFile(systemPath, limit: CABundle.maxFileBytes), "system bundle at \(systemPath)")
        let extra = try #require(CABundle.readFile(fixtures.path("caA.pem"), limit: CABundle.maxFileBytes))
        let bundle = try CABundle(extraPath: fixtures.path("caA.pem"), systemPath: systemPath)
        let combined = Array(bundle.bytes)
        #expect(combined.starts(with: system))
        #expect(combined.suffix(extra.count).elementsEqual(extra))
    }
}
