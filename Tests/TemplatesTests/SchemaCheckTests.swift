import Testing
@testable import Templates

/// The start-time check of a template against the context its caller describes: every branch
/// is walked, shown or not, so a typo in a rarely shown branch is found at start.
@Suite struct SchemaCheckTests {
    let schema: [String: TemplateValue] = [
        "title": "t", "flag": false, "user": ["name": "n"], "items": [["label": "l"]], "content": .html(TrustedHTML(text: "")),
    ]

    @Test func aTemplateUsingOnlyDescribedNamesPasses() throws {
        let set = try TemplateSet(sources: [
            "page": "{{title}}{{#flag}}{{user.name}}{{/flag}}{{^flag}}{{#items}}{{label}}{{title}}{{/items}}{{/flag}}{{{content}}}{{> part}}",
            "part": "{{#user}}{{name}}{{/user}}",
        ])
        try set.check("page", schema: schema)
    }

    @Test(arguments: [
        ("x\n{{#flag}}{{titel}}{{/flag}}", TemplateError.Code.unknownName, 2, "a typo inside a hidden branch"),
        ("{{^flag}}\n\n{{user.nmae}}{{/flag}}", .unknownName, 3, "a typo in a dotted name inside an inverted section"),
        ("{{#items}}{{lable}}{{/items}}", .unknownName, 1, "a typo in a list element's name"),
        ("{{#missing}}x{{/missing}}", .unknownName, 1, "a section over a name the caller never gives"),
        ("{{flag}}", .wrongType, 1, "interpolating a boolean"),
        ("{{{title}}}", .wrongType, 1, "inserting a plain string raw"),
        ("{{content}}", .wrongType, 1, "escaping trusted HTML (it would show as markup)"),
    ])
    func namesTheCallerDoesNotGiveAreFound(source: String, code: TemplateError.Code, line: Int, reason: String) throws {
        let set = try TemplateSet(sources: ["page": source])
        let error = try #require(throws: TemplateError.self, "\(reason)") { try set.check("page", schema: schema) }
        #expect(error.code == code, "\(reason)")
        #expect(error.line == line, "\(reason)")
    }

    @Test func aTypoInAPartialIsReportedInThePartialsFile() throws {
        let set = try TemplateSet(sources: ["page": "{{> part}}", "part": "\n{{usr.name}}"])
        let error = try #require(throws: TemplateError.self) { try set.check("page", schema: schema) }
        #expect(error.file == "part.html")
        #expect(error.line == 2)
    }
}
