import Dispatch
import Foundation
import HTTP
import Store
import Testing
import TestSupport
@testable import Gatehouse

/// Issue 12 section 2: no handler can starve the server. Work that blocks (scrypt, a provider
/// that hangs) runs on bounded executors of its own, and forward-auth and `/healthz`, which run
/// inline, answer while those executors are full. Real server, real sockets, real SQLite.
@Suite(.serialized) struct StarvationTests {
    /// A raw HTTP/1.1 request on a connection of its own; the answer is read later.
    private func send(_ port: UInt16, _ head: String, body: String = "") throws -> TestClient {
        let client = try TestClient(port: port, timeoutSeconds: 60)
        let length = body.isEmpty ? "" : "Content-Length: \(body.utf8.count)\r\n"
        try client.send(head + length + "\r\n" + body)
        return client
    }

    private func waitUntil(_ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(20)
        while !condition() && Date() < deadline { usleep(2_000) }
    }

    /// A sign-in taken as far as the provider's answer: the raw callback request its browser
    /// would send next, with the browser's flow cookie.
    private func callbackRequest(_ rig: SignInRig, subject: String) throws -> String {
        let browser = BrowserClient()
        var person = SignInRig.Person()
        person.subject = subject
        let callback = try SignInRig.authorizeAtProvider(person, next: "/", gatehouseOrigin: rig.origin, browser: browser)
        let flow = try #require(browser.cookie(named: "gatehouse_flow"))
        let target = String(callback.dropFirst(rig.origin.count))
        return "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: gatehouse_flow=\(flow.value)\r\nConnection: close\r\n"
    }

    /// Measured before the fix: 32 concurrent wrong passwords, each from its own address
    /// through a trusted proxy, raised `/healthz` latency from 7 ms to 4.3 s.
    @Test func wrongPasswordsFromManyAddressesDoNotStallForwardAuth() throws {
        let gatehouse = try RunningGatehouse(serverExtra: #", "trusted_proxies": ["127.0.0.1"]"#)
        defer { gatehouse.stop() }
        let browser = BrowserClient()
        let page = try browser.get("\(gatehouse.origin)/login")
        let form = try #require(HTMLForm.all(in: page.text).first { $0.action == "/login" })
        let token = try #require(form.fields.first { $0.0 == "csrf_token" }?.1)
        let cookie = try #require(browser.cookie(named: "gatehouse_session"))
        // A signed-in session for the forward-auth checks.
        let user = try gatehouse.database.write {
            try UserRepository($0).create(username: "fran", email: nil, usernameVerifiedBy: .administrator, displayName: nil, now: 1)
        }
        let started = try gatehouse.app.sessions.start(userID: user.id, provider: nil, request: Request(method: "GET", target: "/"), now: Int64(Date().timeIntervalSince1970))
        let sessionCookie = "gatehouse_session=\(started.session.token.cookieValue)"

        let passwords = gatehouse.app.executors.passwords
        let attempts = passwords.threadCount + Executors.passwordQueue + 8
        var posts: [TestClient] = []
        for index in 0..<attempts {
            let body = "csrf_token=\(token)&identifier=nobody\(index)%40example.com&password=wrong-\(index)"
            posts.append(try send(gatehouse.port, """
                POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: \(gatehouse.origin)\r\nCookie: gatehouse_session=\(cookie.value)\r\n\
                X-Forwarded-For: 198.51.100.\(index)\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n
                """, body: body))
        }
        waitUntil { passwords.load.running == passwords.threadCount }
        #expect(passwords.load.running == passwords.threadCount, "the hashing threads are all busy")

        let health = try send(gatehouse.port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
        #expect(try health.readResponse().status == 200)
        let verify = try send(gatehouse.port, "GET /auth/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(sessionCookie)\r\nConnection: close\r\n")
        #expect(try verify.readResponse().status == 200)
        let load = passwords.load
        #expect(load.running + load.waiting > 0, "both answered while password checks were still in flight")

        var statuses: [Int: Int] = [:]
        for post in posts { statuses[try post.readResponse().status, default: 0] += 1 }
        #expect(statuses[503, default: 0] >= 8, "beyond the queue, told to come back at once: \(statuses)")
        #expect(statuses[401, default: 0] + statuses[503, default: 0] == attempts, "\(statuses)")
    }

    /// The same for a provider whose token endpoint hangs: the callbacks wait on that
    /// provider's own executor, and forward-auth answers meanwhile.
    @Test func callbacksToAHangingProviderDoNotStallForwardAuth() throws {
        let hang = DispatchSemaphore(value: 0)
        let rig = try SignInRig(gatehouseExtra: "") { options in
            options.beforeTokenResponse = {
                hang.wait()
                hang.signal()  // once opened, every later answer goes through too
            }
        }
        defer { rig.stop() }
        let user = try rig.gatehouse.database.write {
            try UserRepository($0).create(username: "gil", email: nil, usernameVerifiedBy: .administrator, displayName: nil, now: 1)
        }
        let started = try rig.gatehouse.app.sessions.start(userID: user.id, provider: nil, request: Request(method: "GET", target: "/"), now: rig.clock.now)
        let sessionCookie = "gatehouse_session=\(started.session.token.cookieValue)"

        // Eight sign-ins reach the provider; then their callbacks are sent together.
        let requests = try (0..<8).map { try callbackRequest(rig, subject: "hang-\($0)") }
        let callbacks = try requests.map { try send(rig.gatehouse.port, $0) }
        let executor = try #require(rig.gatehouse.app.executors.provider("dev"))
        waitUntil { executor.load.running == executor.threadCount }
        #expect(executor.load.running == executor.threadCount, "the provider's threads all wait on its token endpoint")
        let verify = try send(rig.gatehouse.port, "GET /auth/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(sessionCookie)\r\nConnection: close\r\n")
        #expect(try verify.readResponse().status == 200)
        #expect(executor.load.running + executor.load.waiting > 0, "answered while the callbacks still hung")
        hang.signal()
        for callback in callbacks {
            let answer = try callback.readResponse()
            #expect(answer.status == 303, "\(answer.status): \(answer.text.prefix(300))")
        }
    }

    /// A sign-in's start needs no wait when the provider's metadata is at hand and the writer is
    /// free, and is then answered on the loop: it never queues behind callbacks waiting on the
    /// provider. Here every thread of the provider's executor hangs on its token endpoint, and a
    /// new sign-in still reaches the provider (on the executor it would wait for them).
    @Test func signInStartsDoNotQueueBehindHangingCallbacks() throws {
        let hang = DispatchSemaphore(value: 0)
        let rig = try SignInRig(gatehouseExtra: "") { options in
            options.beforeTokenResponse = {
                hang.wait()
                hang.signal()
            }
        }
        defer { rig.stop() }
        let executor = try #require(rig.gatehouse.app.executors.provider("dev"))
        var callbacks: [TestClient] = []
        for index in 0..<executor.threadCount {
            callbacks.append(try send(rig.gatehouse.port, try callbackRequest(rig, subject: "waiting-\(index)")))
            waitUntil { executor.load.running == index + 1 }
        }
        #expect(executor.load.running == executor.threadCount, "every thread of the provider's executor waits on its token endpoint")
        let start = try send(rig.gatehouse.port, "GET /oidc/dev/authorize?next=/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
        let answer = try start.readResponse()
        #expect(answer.status == 302, "\(answer.status): \(answer.text.prefix(300))")
        #expect(executor.load.running == executor.threadCount, "answered while every callback still waited")
        hang.signal()
        for callback in callbacks {
            #expect(try callback.readResponse().status == 303)
        }
    }
}
