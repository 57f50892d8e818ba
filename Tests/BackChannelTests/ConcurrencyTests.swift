import Dispatch
import Foundation
import HTTP
import Synchronization
import Testing
@testable import BackChannel

/// One client serves every request thread of the login server at once.
@Suite struct ConcurrencyTests {
    @Test func manyThreadsSendAtOnce() throws {
        let (server, port) = try startHTTPServer(responder: ClosureResponder { request in
            usleep(5_000)  // long enough that requests overlap
            return echoResponder.respond(to: request)
        })
        defer { server.shutdown() }
        let client = try BackChannelClient()
        let threads = 12
        let perThread = 15
        let correct = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                let target = "/t\(thread)/r\(index)"
                let body = "thread=\(thread)&index=\(index)"
                guard let response = try? client.send(BackChannelRequest(
                    method: .post, url: "http://127.0.0.1:\(port)\(target)", body: Array(body.utf8)))
                else { continue }
                let echoed = String(decoding: response.body, as: UTF8.self)
                if response.status == 200, echoed.hasPrefix("POST \(target)\n"), echoed.hasSuffix("\n\n" + body) {
                    correct.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(correct.load(ordering: .relaxed) == threads * perThread)
    }
}
