import Testing
@testable import Templates

/// What a rendered template says, given a context: escaping, sections, lists, inverted
/// sections, partials, and the refusal to insert anything but trusted HTML raw.
@Suite struct RenderingTests {
    private func render(_ source: String, _ context: [String: TemplateValue], partials: [String: String] = [:]) throws -> String {
        var sources = partials
        sources["page"] = source
        return try TemplateSet(sources: sources).render("page", context).text
    }

    @Test(arguments: [
        ("<", "&lt;", "would open a tag"),
        (">", "&gt;", "would close a tag"),
        ("&", "&amp;", "would start an entity"),
        ("\"", "&quot;", "would end a double-quoted attribute"),
        ("'", "&#39;", "would end a single-quoted attribute"),
        ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "a script injection"),
        ("\" autofocus onfocus=\"x", "&quot; autofocus onfocus=&quot;x", "an attribute injection"),
        ("plain text", "plain text", "nothing to escape passes through"),
    ])
    func everyInterpolatedValueIsEscaped(value: String, expected: String, reason: String) throws {
        #expect(try render("<p title=\"{{v}}\">{{v}}</p>", ["v": .string(value)]) == "<p title=\"\(expected)\">\(expected)</p>", "\(reason)")
        #expect(try render("{{o.v}}", ["o": ["v": .string(value)]]) == expected, "dotted names are escaped too: \(reason)")
        #expect(try render("{{#l}}{{.}}{{/l}}", ["l": [.string(value)]]) == expected, "list elements are escaped too: \(reason)")
    }

    @Test func spacesInsideTagsAreAllowed() throws {
        #expect(try render("{{ a }}{{# b }}!{{/ b }}{{> p }}", ["a": "A", "b": true], partials: ["p": "P"]) == "A!P")
    }

    @Test func sectionsFollowTheValue() throws {
        let source = "{{#s}}[{{x}}]{{/s}}"
        #expect(try render(source, ["s": true, "x": "outer"]) == "[outer]", "true renders the block once in the same context")
        #expect(try render(source, ["s": false, "x": "outer"]) == "", "false hides the block")
        #expect(try render(source, ["x": "outer"]) == "", "a missing name hides the block")
        #expect(try render(source, ["s": ["x": "inner"], "x": "outer"]) == "[inner]", "an object becomes the innermost context")
        #expect(try render(source, ["s": [["x": "1"], ["x": "2"]], "x": "outer"]) == "[1][2]", "a list renders once per element")
        #expect(try render(source, ["s": [["y": "1"]], "x": "outer"]) == "[outer]", "names missing in the element come from outer contexts")
        #expect(try render(source, ["s": [], "x": "outer"]) == "", "an empty list renders nothing")
    }

    @Test func invertedSectionsRenderForFalseMissingAndEmpty() throws {
        let source = "{{^s}}none{{/s}}"
        #expect(try render(source, ["s": false]) == "none")
        #expect(try render(source, [:]) == "none")
        #expect(try render(source, ["s": []]) == "none")
        #expect(try render(source, ["s": ""]) == "none")
        #expect(try render(source, ["s": true]) == "")
        #expect(try render(source, ["s": ["x"]]) == "")
        #expect(try render(source, ["s": ["k": "v"]]) == "")
    }

    @Test func dottedNamesResolveInsideWhatTheFirstPartFound() throws {
        let context: [String: TemplateValue] = ["user": ["name": "Alice", "email": "a@example.com"], "name": "outer"]
        #expect(try render("{{user.name}} ({{user.email}}) {{name}}", context) == "Alice (a@example.com) outer")
        #expect(throws: TemplateError.self) { try render("{{user.missing}}", context) }
    }

    @Test func partialsRenderWithTheCurrentContext() throws {
        let output = try render("{{#items}}{{> item}}{{/items}}", ["items": [["n": "1"], ["n": "2"]]], partials: ["item": "<li>{{n}}</li>"])
        #expect(output == "<li>1</li><li>2</li>")
    }

    @Test func commentsProduceNothing() throws {
        #expect(try render("a{{! a comment\nacross lines }}b", [:]) == "ab")
    }

    @Test func rawInsertsTrustedHTMLFromAnotherRender() throws {
        let set = try TemplateSet(sources: ["inner": "<b>{{x}}</b>", "outer": "<div>{{{content}}}</div>"])
        let inner = try set.render("inner", ["x": "<i>"])
        let outer = try set.render("outer", ["content": .html(inner)])
        #expect(outer.text == "<div><b>&lt;i&gt;</b></div>")
    }

    @Test func rawRefusesAPlainString() throws {
        let error = try #require(throws: TemplateError.self) {
            try render("line one\n{{{content}}}", ["content": "<script>alert(1)</script>"])
        }
        #expect(error.code == .wrongType)
        #expect(error.file == "page.html")
        #expect(error.line == 2)
    }

    @Test(arguments: [
        ("{{x}}", [String: TemplateValue](), TemplateError.Code.unknownName, "a missing value is an error, never an empty string"),
        ("{{x}}", ["x": true], .wrongType, "a boolean has no text"),
        ("{{x}}", ["x": TemplateValue.list(["a"])], .wrongType, "a list has no text"),
        ("{{x}}", ["x": TemplateValue.object(["k": "v"])], .wrongType, "an object has no text"),
        ("{{{x}}}", [:], .unknownName, "a missing raw value"),
        ("{{{x}}}", ["x": true], .wrongType, "only trusted HTML is inserted raw"),
    ])
    func renderErrorsNameTheProblem(source: String, context: [String: TemplateValue], code: TemplateError.Code, reason: String) throws {
        let error = try #require(throws: TemplateError.self, "\(reason)") { try render(source, context) }
        #expect(error.code == code, "\(reason)")
        #expect(error.description.hasPrefix("page.html:1: "), "\(reason)")
    }

    @Test func anUnknownTemplateIsAnError() throws {
        let set = try TemplateSet(sources: ["a": "x"])
        let error = try #require(throws: TemplateError.self) { try set.render("b", [:]) }
        #expect(error.code == .unknownTemplate)
    }
}
