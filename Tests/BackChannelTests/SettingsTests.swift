import Foundation
import Testing
@testable import BackChannel

/// Bad settings fail when the client is made, at start-up, not at someone's first sign-in.
@Suite struct SettingsTests {
    @Test func defaults() {
        let settings = BackChannelSettings()
        #expect(settings.connectTimeoutMilliseconds == 5_000)
        #expect(settings.totalTimeoutMilliseconds == 10_000)
        #expect(settings.maxResponseBytes == 1_048_576)
        #expect(settings.extraCABundlePath == nil)
        #expect(settings.plainHTTP == .loopbackOnly)
        #expect(settings.userAgent == "Gatehouse")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let settings: BackChannelSettings
        let reason: String
        var testDescription: String { reason }
    }

    @Test(arguments: [
        Case(settings: BackChannelSettings(connectTimeoutMilliseconds: 0), reason: "curl reads a zero connect timeout as its 300 s default"),
        Case(settings: BackChannelSettings(totalTimeoutMilliseconds: 0), reason: "curl reads a zero total timeout as none at all"),
        Case(settings: BackChannelSettings(totalTimeoutMilliseconds: -1), reason: "negative time"),
        Case(settings: BackChannelSettings(maxResponseBytes: -1), reason: "a negative cap"),
        Case(settings: BackChannelSettings(userAgent: "Gatehouse\r\nX-Injected: 1"), reason: "the user agent is a header value"),
    ])
    func invalidSettingsAreRefused(_ row: Case) {
        let error = #expect(throws: BackChannelError.self) { try BackChannelClient(settings: row.settings) }
        #expect(error?.code == .invalidSettings)
    }

    @Test func missingExtraBundleIsUnreadable() {
        let error = #expect(throws: BackChannelError.self) {
            try BackChannelClient(settings: BackChannelSettings(extraCABundlePath: "/nonexistent/gatehouse-ca.pem"))
        }
        #expect(error?.code == .caBundleUnreadable)
    }

    @Test func extraBundleWithoutCertificatesIsUnreadable() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-bundle-\(UUID().uuidString).pem").path
        try "just some text\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: BackChannelError.self) {
            try BackChannelClient(settings: BackChannelSettings(extraCABundlePath: path))
        }
        #expect(error?.code == .caBundleUnreadable)
    }

    @Test func directoryAsExtraBundleIsUnreadable() {
        let error = #expect(throws: BackChannelError.self) {
            try BackChannelClient(settings: BackChannelSettings(extraCABundlePath: "/etc"))
        }
        #expect(error?.code == .caBundleUnreadable)
    }
}
