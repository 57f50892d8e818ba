import Foundation
#if canImport(Glibc)
import Glibc
#endif
import JSON
import Testing
@testable import Gatehouse

/// A value no message may ever contain.
private let secret = "s3cr3t-Value-9f8e7d"

/// A synthetic path where a later version reads a provider's client secret.
private let secretPath = ConfigPath.root.appending("providers").appending(index: 0).appending("client_secret")

private func decode(_ json: String, environment: [String: String] = [:]) throws -> (SecretValue?, [ConfigProblem]) {
    let value = try JSONValue.parse(Array(json.utf8), options: .configuration)
    let decoder = ConfigDecoder(environment: environment)
    let result = SecretValue.decode(value, at: secretPath, in: decoder)
    return (result, decoder.errors)
}

/// A fresh temporary file holding `contents`, removed by the caller.
private func temporaryFile(_ contents: String) throws -> String {
    let path = NSTemporaryDirectory() + "gatehouse-secret-\(UUID().uuidString)"
    try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@Suite struct SecretValueTests {
    @Test func inline() throws {
        let (value, problems) = try decode("\"\(secret)\"")
        #expect(problems.isEmpty)
        #expect(value == SecretValue(source: .inline, value: secret))
    }

    @Test func fromEnvironment() throws {
        let (value, problems) = try decode(#"{"env": "GITHUB_SECRET"}"#, environment: ["GITHUB_SECRET": secret])
        #expect(problems.isEmpty)
        #expect(value == SecretValue(source: .environment(variable: "GITHUB_SECRET"), value: secret))
    }

    struct FileCase: Sendable, CustomTestStringConvertible {
        let contents: String
        let expected: String
        let reason: String
        var testDescription: String { reason }
    }

    static let fileCases: [FileCase] = [
        .init(contents: secret, expected: secret, reason: "no trailing newline"),
        .init(contents: secret + "\n", expected: secret, reason: "the newline editors and echo add is not part of the secret"),
        .init(contents: secret + "\r\n", expected: secret, reason: "a CRLF line end is trimmed too"),
        .init(contents: secret + "\n\n", expected: secret + "\n", reason: "only one newline is trimmed"),
        .init(contents: " \(secret) ", expected: " \(secret) ", reason: "spaces are kept: they may be part of the secret"),
    ]

    @Test(arguments: fileCases)
    func fromFile(_ row: FileCase) throws {
        let path = try temporaryFile(row.contents)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (value, problems) = try decode(#"{"file": "\#(path)"}"#)
        #expect(problems.isEmpty, "\(row.reason)")
        #expect(value == SecretValue(source: .file(path: path), value: row.expected), "\(row.reason)")
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let json: String
        var environment: [String: String] = [:]
        let path: String
        let message: String
        let reason: String
        var testDescription: String { reason }
    }

    static let errorCases: [ErrorCase] = [
        .init(json: #"{"env": "GITHUB_SECRET"}"#,
              path: "$.providers[0].client_secret.env", message: "environment variable GITHUB_SECRET is not set",
              reason: "unset variable is named"),
        .init(json: #"{"env": "GITHUB_SECRET"}"#, environment: ["GITHUB_SECRET": ""],
              path: "$.providers[0].client_secret.env", message: "environment variable GITHUB_SECRET is empty",
              reason: "an empty secret is never meant"),
        .init(json: #"{"env": "\#(secret)"}"#, environment: [secret: "x"],
              path: "$.providers[0].client_secret.env",
              message: "not an environment variable name (letters, digits and _, not starting with a digit)",
              reason: "a secret pasted where the name goes is not echoed"),
        .init(json: #"{"env": "1ABC"}"#,
              path: "$.providers[0].client_secret.env",
              message: "not an environment variable name (letters, digits and _, not starting with a digit)",
              reason: "names do not start with a digit"),
        .init(json: #"{"env": 5}"#,
              path: "$.providers[0].client_secret.env", message: "expected a string, found a number",
              reason: "the name must be a string"),
        .init(json: #"{"file": "/nonexistent/secret"}"#,
              path: "$.providers[0].client_secret.file",
              message: "cannot read secret file /nonexistent/secret: No such file or directory",
              reason: "missing file"),
        .init(json: #"{"file": "/"}"#,
              path: "$.providers[0].client_secret.file", message: "cannot read secret file /: not a regular file",
              reason: "a directory is not a secret"),
        .init(json: #"{"file": ""}"#,
              path: "$.providers[0].client_secret.file", message: "expected a file path",
              reason: "empty path"),
        .init(json: #"{"env": "A", "file": "/b"}"#,
              path: "$.providers[0].client_secret",
              message: #"expected a string, {"env": "NAME"} or {"file": "/path"}, found an object with keys ["env", "file"]"#,
              reason: "one source only, so which one wins is never a question"),
        .init(json: #"{"value": "\#(secret)"}"#,
              path: "$.providers[0].client_secret",
              message: #"expected a string, {"env": "NAME"} or {"file": "/path"}, found an object with keys ["value"]"#,
              reason: "unknown key; its value is not echoed"),
        .init(json: "{}",
              path: "$.providers[0].client_secret",
              message: #"expected a string, {"env": "NAME"} or {"file": "/path"}, found an object with keys []"#,
              reason: "empty object"),
        .init(json: "12345",
              path: "$.providers[0].client_secret",
              message: #"expected a string, {"env": "NAME"} or {"file": "/path"}, found a number"#,
              reason: "a numeric secret must be quoted; the number is not echoed"),
        .init(json: #""""#,
              path: "$.providers[0].client_secret", message: "the secret must not be empty",
              reason: "empty inline secret"),
    ]

    @Test(arguments: errorCases)
    func reportsProblemsWithoutTheValue(_ row: ErrorCase) throws {
        let (value, problems) = try decode(row.json, environment: row.environment)
        #expect(value == nil, "\(row.reason)")
        #expect(problems == [ConfigProblem(path: row.path, message: row.message)], "\(row.reason)")
        #expect(!problems.contains { $0.description.contains(secret) }, "\(row.reason)")
    }

    @Test(arguments: ["", "\n", "\r\n"])
    func emptyFileIsAnError(_ contents: String) throws {
        let path = try temporaryFile(contents)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (value, problems) = try decode(#"{"file": "\#(path)"}"#)
        #expect(value == nil)
        #expect(problems.map(\.message) == ["secret file \(path) is empty"])
    }

    @Test func fifoIsRefusedWithoutWaitingForAWriter() throws {
        let path = NSTemporaryDirectory() + "gatehouse-fifo-\(UUID().uuidString)"
        try #require(mkfifo(path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (value, problems) = try decode(#"{"file": "\#(path)"}"#)
        #expect(value == nil)
        #expect(problems.map(\.message) == ["cannot read secret file \(path): not a regular file"])
    }

    @Test func oversizedFileIsRefusedUnread() throws {
        let path = try temporaryFile(String(repeating: "x", count: SecretValue.maximumFileBytes + 1))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (value, problems) = try decode(#"{"file": "\#(path)"}"#)
        #expect(value == nil)
        #expect(problems.map(\.message) == ["cannot read secret file \(path): larger than 65536 bytes"])
    }

    @Test func descriptionsNeverShowTheValue() {
        let values = [
            SecretValue(source: .inline, value: secret),
            SecretValue(source: .environment(variable: "X"), value: secret),
            SecretValue(source: .file(path: "/run/secrets/x"), value: secret),
        ]
        for value in values {
            #expect(!"\(value)".contains(secret))
            #expect(!String(reflecting: value).contains(secret))
        }
        #expect("\(values[1])" == "secret from $X")
    }

    /// A secret kept in a `GATEHOUSE_*` variable is expected, not an unknown override.
    @Test func referencedVariableIsNotAnUnknownOverride() throws {
        let value = try JSONValue.parse(Array(#"{"env": "GATEHOUSE_GITHUB_SECRET"}"#.utf8), options: .configuration)
        let decoder = ConfigDecoder(environment: ["GATEHOUSE_GITHUB_SECRET": secret, "GATEHOUSE_OTHER": "x"])
        _ = SecretValue.decode(value, at: secretPath, in: decoder)
        decoder.reportUnknownOverrides(reserved: [])
        #expect(decoder.warnings.map(\.path) == ["GATEHOUSE_OTHER"], "the referenced one is not warned about")
    }

    @Test func readerAccessorReportsMissingRequiredSecret() throws {
        let decoder = ConfigDecoder(environment: [:])
        let reader = decoder.object(try JSONValue.parse(Array("{}".utf8), options: .configuration), at: secretPath.appending("x"), keys: ["client_secret"])
        #expect(reader.secret("client_secret", required: true) == nil)
        #expect(decoder.errors == [ConfigProblem(path: "$.providers[0].client_secret.x.client_secret", message: "required key is missing")])
    }
}
