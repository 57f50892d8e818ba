import Foundation
import Testing
@testable import Templates

/// Every way a template can be broken is found when the set loads, with the file and line.
@Suite struct ParsingTests {
    struct BrokenCase: Sendable, CustomTestStringConvertible {
        let sources: [String: String]
        let code: TemplateError.Code
        let file: String
        let line: Int
        let reason: String
        var testDescription: String { reason }
    }

    static let broken: [BrokenCase] = [
        BrokenCase(sources: ["page": "a\n{{name"], code: .unclosedTag, file: "page.html", line: 2, reason: "a tag without }}"),
        BrokenCase(sources: ["page": "{{{name}}"], code: .unclosedTag, file: "page.html", line: 1, reason: "a triple tag closed with only }}"),
        BrokenCase(sources: ["page": "\n\n{{#a}}x"], code: .unclosedSection, file: "page.html", line: 3, reason: "a section never closed, reported where it opened"),
        BrokenCase(sources: ["page": "{{#a}}\n{{^b}}\n{{/a}}"], code: .mismatchedClose, file: "page.html", line: 3, reason: "closing the outer section inside the inner one"),
        BrokenCase(sources: ["page": "x\n{{/a}}"], code: .unexpectedClose, file: "page.html", line: 2, reason: "a close with nothing open"),
        BrokenCase(sources: ["page": "{{a b}}"], code: .invalidName, file: "page.html", line: 1, reason: "a space inside a name"),
        BrokenCase(sources: ["page": "{{a..b}}"], code: .invalidName, file: "page.html", line: 1, reason: "an empty part of a dotted name"),
        BrokenCase(sources: ["page": "{{1a}}"], code: .invalidName, file: "page.html", line: 1, reason: "a name starting with a digit"),
        BrokenCase(sources: ["page": "{{}}"], code: .invalidName, file: "page.html", line: 1, reason: "an empty tag"),
        BrokenCase(sources: ["page": "{{#}}{{/}}"], code: .invalidName, file: "page.html", line: 1, reason: "a section without a name"),
        BrokenCase(sources: ["page": "{{> ../etc/passwd}}"], code: .invalidName, file: "page.html", line: 1, reason: "a partial name that is a path"),
        BrokenCase(sources: ["page": "{{&name}}"], code: .unsupportedTag, file: "page.html", line: 1, reason: "Mustache's other unescaped form is refused: only {{{ }}} with trusted HTML"),
        BrokenCase(sources: ["page": "{{=<% %>=}}"], code: .unsupportedTag, file: "page.html", line: 1, reason: "delimiter changes are not supported"),
        BrokenCase(sources: ["page": "{{<parent}}{{/parent}}"], code: .unsupportedTag, file: "page.html", line: 1, reason: "inheritance is not supported"),
        BrokenCase(sources: ["page": "ok\n\n{{> footer}}"], code: .missingPartial, file: "page.html", line: 3, reason: "a partial with no file"),
        BrokenCase(sources: ["page": "{{> page}}"], code: .partialCycle, file: "page.html", line: 1, reason: "a template including itself"),
        BrokenCase(sources: ["a": "{{> b}}", "b": "x\n{{#s}}{{> c}}{{/s}}", "c": "{{> a}}"], code: .partialCycle, file: "c.html", line: 1,
                   reason: "a cycle through three templates, inside a section"),
        BrokenCase(sources: ["bad name": "x"], code: .invalidFileName, file: "bad name.html", line: 0, reason: "a template name with a space"),
    ]

    @Test(arguments: broken)
    func brokenTemplatesAreRefusedWithFileAndLine(_ testCase: BrokenCase) {
        do {
            _ = try TemplateSet(sources: testCase.sources)
            Issue.record("loaded, but should fail: \(testCase.reason)")
        } catch {
            #expect(error.code == testCase.code, "\(testCase.reason): \(error)")
            #expect(error.file == testCase.file, "\(testCase.reason): \(error)")
            #expect(error.line == testCase.line, "\(testCase.reason): \(error)")
        }
    }

    @Test func theCycleMessageShowsTheChain() throws {
        let error = try #require(throws: TemplateError.self) {
            try TemplateSet(sources: ["a": "{{> b}}", "b": "{{> a}}"])
        }
        #expect(error.description == "b.html:1: {{> a}} makes partials include each other forever: a → b → a")
    }

    @Test func aPartialUsedTwiceWithoutACycleIsFine() throws {
        let set = try TemplateSet(sources: ["page": "{{> x}}{{> y}}", "x": "{{> z}}", "y": "{{> z}}", "z": "z"])
        #expect(try set.render("page", [:]).text == "zz")
    }

    @Test func aDirectoryLoadsItsHTMLFilesOnly() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "<p>{{> part}}</p>".write(toFile: directory + "/page.html", atomically: true, encoding: .utf8)
        try "part".write(toFile: directory + "/part.html", atomically: true, encoding: .utf8)
        try "{{ not a template".write(toFile: directory + "/notes.txt", atomically: true, encoding: .utf8)
        let set = try TemplateSet(directory: directory)
        #expect(set.names == ["page", "part"])
        #expect(try set.render("page", [:]).text == "<p>part</p>")
    }

    @Test func aMissingDirectoryIsRefused() throws {
        let error = try #require(throws: TemplateError.self) { try TemplateSet(directory: "/nonexistent/gatehouse-templates") }
        #expect(error.code == .unreadableDirectory)
    }

    @Test func aFileThatIsNotUTF8IsRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data([0x3C, 0x70, 0x3E, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: directory + "/page.html"))
        let error = try #require(throws: TemplateError.self) { try TemplateSet(directory: directory) }
        #expect(error.code == .notUTF8)
        #expect(error.file == "page.html")
    }

    @Test func anOversizedFileIsRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try String(repeating: "a", count: TemplateSet.maximumFileBytes + 1).write(toFile: directory + "/big.html", atomically: true, encoding: .utf8)
        let error = try #require(throws: TemplateError.self) { try TemplateSet(directory: directory) }
        #expect(error.code == .fileTooLarge)
        #expect(error.file == "big.html")
    }

    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("templates-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
