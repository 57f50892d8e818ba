import JOSE
import Testing
@testable import Gatehouse

/// `SessionGroups.read`: which claim values become a session's groups.
@Suite("Session groups from claims")
struct SessionGroupsTests {
    struct Row: CustomTestStringConvertible, Sendable {
        let claim: JSONValue?
        let expected: [String]
        let reason: String
        var testDescription: String { reason }
    }

    static let rows: [Row] = [
        .init(claim: .array([.string("staff"), .string("ops")]), expected: ["staff", "ops"], reason: "an array of strings, in order"),
        .init(claim: .string("staff"), expected: ["staff"], reason: "a single string is one group"),
        .init(claim: nil, expected: [], reason: "no claim"),
        .init(claim: .object(["staff": .bool(true)]), expected: [], reason: "an object is not a list of groups"),
        .init(claim: .number("1"), expected: [], reason: "a number is not a group"),
        .init(claim: .array([.string("a"), .number("2"), .null, .array([.string("b")])]), expected: ["a"], reason: "non-strings inside the array are skipped"),
        .init(claim: .array([.string("x,admins"), .string("ok")]), expected: ["ok"], reason: "a comma would forge a second group in the comma-joined header"),
        .init(claim: .array([.string("x\r\nX-Injected: 1"), .string("ok")]), expected: ["ok"], reason: "CR/LF is dropped, never passed to a header"),
        .init(claim: .array([.string("x\nadmins")]), expected: [], reason: "a newline would split into two stored groups"),
        .init(claim: .array([.string(""), .string("ok")]), expected: ["ok"], reason: "empty values are dropped"),
        .init(claim: .array([.string(String(repeating: "g", count: 256)), .string("ok")]), expected: ["ok"], reason: "too long: dropped, not truncated into another name"),
        .init(claim: .array([.string(String(repeating: "g", count: 255))]), expected: [String(repeating: "g", count: 255)], reason: "255 bytes is the limit"),
        .init(claim: .array([.string("a"), .string("a")]), expected: ["a"], reason: "duplicates kept once"),
        .init(claim: .array((0..<100).map { .string("g\($0)") }), expected: (0..<64).map { "g\($0)" }, reason: "at most 64, the first ones"),
        .init(claim: .string("Équipe"), expected: ["Équipe"], reason: "non-ASCII is kept as UTF-8"),
    ]

    @Test(arguments: rows)
    func reads(_ row: Row) {
        var claims: [String: JSONValue] = ["sub": .string("s")]
        if let claim = row.claim { claims["groups"] = claim }
        #expect(SessionGroups.read(from: claims, claim: "groups") == row.expected, "\(row.reason)")
    }

    /// Finding: a person in more than 64 groups kept the first 64 (for a directory, the first
    /// alphabetically), so one who was also in the group an application requires lost it, and
    /// with it their access. The groups forward-auth requires are kept first.
    @Test func theGroupsForwardAuthRequiresAreKeptFirst() {
        let many = (0..<100).map { "g\($0)" } + ["staff", "g5"]
        let kept = SessionGroups.kept(many, preferring: ["staff", "g5", "absent"])
        #expect(kept.count == SessionGroups.maximumCount)
        #expect(Array(kept.prefix(2)) == ["g5", "staff"], "in the candidates' order, each once")
        #expect(Array(kept.dropFirst(2)) == (0..<63).map { "g\($0)" }.filter { $0 != "g5" })
        #expect(SessionGroups.kept(["a,b", "staff"], preferring: ["a,b"]) == ["staff"], "a required name that cannot be stored still is not")
    }

    @Test func theConfiguredClaimNameIsUsed() {
        let claims: [String: JSONValue] = ["groups": .string("no"), "roles": .array([.string("yes")])]
        #expect(SessionGroups.read(from: claims, claim: "roles") == ["yes"])
    }
}
