import Foundation
import Testing
@testable import Templates

/// The templates Gatehouse ships in Public/templates load as a set, so the server starts.
/// (Their contexts are checked by the Gatehouse tests, which own those contexts.)
@Suite struct PublicTemplatesTests {
    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Public/templates").path
    }()

    @Test func theShippedTemplatesAllParse() throws {
        let set = try TemplateSet(directory: Self.directory)
        for name in ["layout", "login", "landing", "error", "provider_buttons"] {
            #expect(set.names.contains(name), "\(name).html is shipped")
        }
    }

    @Test func noShippedTemplateHasInlineScriptOrStyle() throws {
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.directory) where file.hasSuffix(".html") {
            let text = try String(contentsOfFile: Self.directory + "/" + file, encoding: .utf8).lowercased()
            #expect(!text.contains("<script"), "\(file): the CSP forbids inline script")
            #expect(!text.contains("<style"), "\(file): the CSP forbids inline style")
            #expect(!text.contains("style="), "\(file): the CSP forbids style attributes")
            #expect(text.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "\(file): no event-handler attributes")
        }
    }
}
