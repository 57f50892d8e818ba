import Foundation
import HTTP
import Store
import Testing
import TestSupport
@testable import Gatehouse

/// The real app on a real socket with a real SQLite file.
@Suite struct AppIntegrationTests {
    @Test func healthReadinessAndMetrics() throws {
        let gatehouse = try RunningGatehouse(serverExtra: #", "metrics_require_token": false"#)
        defer { gatehouse.stop() }
        let client = try TestClient(port: gatehouse.port)
        try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        let health = try client.readResponse()
        #expect(health.status == 200)
        #expect(health.text == "ok\n")
        try client.send("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n")
        let ready = try client.readResponse()
        #expect(ready.status == 200)
        #expect(ready.text.contains("\"schema_version\":\(EmbeddedMigrationsVersion.latest)"))
        try client.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        let metrics = try client.readResponse()
        #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(metrics.text.contains("gatehouse_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"))
        #expect(metrics.text.contains("gatehouse_http_open_connections 1"))
        #expect(metrics.text.contains("gatehouse_http_request_duration_seconds_count 2"))
    }

    @Test func readinessFailsWhenTheSchemaIsBehind() throws {
        let gatehouse = try RunningGatehouse()
        defer { gatehouse.stop() }
        _ = try gatehouse.database.write { try $0.execute("DELETE FROM schema_migrations") }
        let client = try TestClient(port: gatehouse.port)
        try client.send("GET /readyz HTTP/1.1\r\nHost: t\r\nAccept: application/json\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 503)
        #expect(response.header("Content-Type") == "application/problem+json")
    }

    @Test func pagesCarryTheSecurityHeaders() throws {
        let gatehouse = try RunningGatehouse(publicURL: "https://login.example.com")
        defer { gatehouse.stop() }
        let client = try TestClient(port: gatehouse.port)
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        let page = try client.readResponse()
        #expect(page.status == 200)
        #expect(page.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        #expect(page.header("Content-Security-Policy")?.contains("unsafe-inline") == false)
        #expect(page.header("X-Content-Type-Options") == "nosniff")
        #expect(page.header("Referrer-Policy") == "same-origin")
        #expect(page.header("Strict-Transport-Security") == "max-age=63072000")
        try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        let probe = try client.readResponse()
        #expect(probe.header("X-Content-Type-Options") == "nosniff")
        #expect(probe.header("Content-Security-Policy") == nil)
    }

    @Test func plainHTTPPublicURLSendsNoHSTS() throws {
        let gatehouse = try RunningGatehouse()
        defer { gatehouse.stop() }
        let client = try TestClient(port: gatehouse.port)
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().header("Strict-Transport-Security") == nil)
    }

    @Test func staticFilesWithETagAndGzip() throws {
        let gatehouse = try RunningGatehouse()
        defer { gatehouse.stop() }
        let client = try TestClient(port: gatehouse.port)
        try client.send("GET /static/app.css HTTP/1.1\r\nHost: t\r\n\r\n")
        let css = try client.readResponse()
        #expect(css.status == 200)
        #expect(css.header("Content-Type")?.hasPrefix("text/css") == true)
        let etag = try #require(css.header("ETag"))
        try client.send("GET /static/app.css HTTP/1.1\r\nHost: t\r\nIf-None-Match: \(etag)\r\n\r\n")
        #expect(try client.readResponse().status == 304)
        try client.send("GET /static/app.css HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")
        let compressed = try client.readResponse()
        #expect(compressed.header("Content-Encoding") == "gzip")
        #expect(try Gzip.decompress(compressed.body, maxOutputBytes: 1 << 20) == css.body)
    }

    @Test(arguments: [
        ("/static/../Package.swift", "dot-dot segment"),
        ("/static/%2e%2e/Package.swift", "encoded dot-dot"),
        ("/static/..%2FPackage.swift", "encoded slash"),
        ("/static/..%5CPackage.swift", "encoded backslash"),
        ("/static/%00app.css", "NUL byte"),
    ])
    func staticFilesNeverLeaveTheirFolder(path: String, reason: String) throws {
        let gatehouse = try RunningGatehouse()
        defer { gatehouse.stop() }
        let client = try TestClient(port: gatehouse.port)
        try client.send("GET \(path) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let response = try client.readResponse()
        #expect([400, 404].contains(response.status), "\(reason)")
        #expect(!response.text.contains("PackageDescription"), "\(reason)")
    }

    @Test func unknownRoutesGetHTMLForBrowsersAndProblemJSONForTheAPI() throws {
        let gatehouse = try RunningGatehouse()
        defer { gatehouse.stop() }
        let client = try TestClient(port: gatehouse.port)
        try client.send("GET /nowhere HTTP/1.1\r\nHost: t\r\nAccept: text/html\r\n\r\n")
        let page = try client.readResponse()
        #expect(page.status == 404)
        #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
        try client.send("GET /api/v1/nowhere HTTP/1.1\r\nHost: t\r\n\r\n")
        let problem = try client.readResponse()
        #expect(problem.status == 404)
        #expect(problem.header("Content-Type") == "application/problem+json")
        #expect(problem.text.contains("\"status\":404"))
        try client.send("POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        let wrongMethod = try client.readResponse()
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "GET, HEAD")
    }
}

enum EmbeddedMigrationsVersion {
    static var latest: Int { Store.EmbeddedMigrations.all.map(\.version).max() ?? 0 }
}
