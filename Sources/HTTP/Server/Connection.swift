import CSocket
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One accepted TCP connection: reads bytes, feeds the parser, runs the responder for each
/// complete request in order, and writes the responses back.
///
/// It lives on one `EventLoop`, whose thread alone touches its state: the loop calls `handle`
/// when the socket is readable or writable, and everything else reaches it through
/// `loop.execute`. The class is `@unchecked Sendable` because of that confinement.
final class Connection: @unchecked Sendable {
    let id: UInt64
    let fd: Int32
    let peerAddress: String
    let loop: EventLoop
    /// When the connection must be looked at next, for its loop's sweep. `UInt64.max` means never.
    let nextDeadline = Atomic<UInt64>(UInt64.max)

    private let context: ServerContext
    /// True while reads are held back (a response waits for the client to read, a request is on
    /// an executor, or the peer has closed its side).
    private var readingPaused = false
    /// True while a response waits for the socket to take more bytes.
    private var writeBlocked = false
    /// The interest the loop was last given, so it is changed only when it changes.
    private var interest = (readable: true, writable: false)
    private var parser: RequestParser
    private var deadlines: ConnectionDeadlines
    private var outbound: [UInt8] = []
    private var outboundSent = 0
    /// Set when the last response queued says `Connection: close`, or the peer closed its side
    /// and every request it sent has been answered.
    private var closeAfterFlush = false
    /// Set when the peer closed its side: nothing more is read, and what it sent is answered
    /// (requests held back at the outbound share too: review finding, they were dropped).
    private var peerHalfClosed = false
    private var closed = false
    /// Set when the last response refused a body the client may still be sending (413): the
    /// connection then lingers after it (`closeLingering`) instead of closing at once.
    private var lingerAfterLastResponse = false
    /// Set while the connection lingers after its last response (`closeLingering`).
    private var lingering = false
    /// What the client sent while the connection lingered, dropped unread.
    private var lingerDiscarded = 0
    private var servedRequests = 0
    /// True while a request's deferred work runs on its executor: nothing else is processed (the
    /// responses must go out in order) and nothing is read, until its response is queued.
    private var awaitingDeferredResponse = false
    /// True when `processBufferedRequests` stopped at the high-water mark with bytes still
    /// buffered: once the client has read the responses, those requests are served. Nothing
    /// else ever schedules another pass, so a partial request waits for its bytes at no cost.
    private var heldBack = false

    /// A connection's share of `maxBufferedBytes` (`ServerContext.bufferShares`), of each of:
    /// - unsent response bytes: above its share the connection stops running handlers until the
    ///   client reads, so a client that pipelines without reading cannot make the server buffer
    ///   without bound;
    /// - received bytes waiting unparsed (pipelined requests not answered yet): reading stops
    ///   there until they are served (a request's body is taken out of the buffer as it is
    ///   parsed, so one large request is not held to it).
    /// The share is at most this, and the floors above may pass it.
    static let largestShare = 256 * 1024
    static let readChunkBytes = 16 * 1024
    /// How long, and for how many bytes, a connection lingers after its last response: enough
    /// for a client to finish sending an upload that was refused (over `max_body_bytes`).
    static let lingerNanoseconds: UInt64 = 2_000_000_000
    static let lingerByteLimit = 16 * 1024 * 1024

    init(id: UInt64, fd: Int32, peerAddress: String, context: ServerContext, loop: EventLoop, now: UInt64) {
        self.id = id
        self.fd = fd
        self.peerAddress = peerAddress
        self.context = context
        self.loop = loop
        self.parser = RequestParser(limits: context.configuration.limits, budget: context.bodyBudget)
        self.deadlines = ConnectionDeadlines(timeouts: context.configuration.timeouts, now: now)
        publishDeadline()
    }

    /// On the loop's thread: registers the socket for reading and reads at once, since a client
    /// sends its request right after connecting and it is usually here already.
    func start() {
        loop.register(self)
        readAvailableBytes()
    }

    /// What the loop saw on the socket: readable (or half-closed), writable, hung up or failed.
    func handle(events: Int32) {
        if lingering {
            discardWhileLingering()
            return
        }
        guard !closed else { return }
        if events & 4 != 0 && events & 1 == 0 {
            // Both directions are gone (or the socket failed): nothing can be read or sent.
            close(reason: "peer_closed")
            return
        }
        if events & 2 != 0 && writeBlocked { flush() }
        if events & 1 != 0 && !readingPaused && !closed { readAvailableBytes() }
    }

    // MARK: Reading

    private func readAvailableBytes() {
        guard !closed else { return }
        var peerClosed = false
        let share = context.bufferShares.inbound
        do {
            try withUnsafeTemporaryAllocation(byteCount: Self.readChunkBytes, alignment: 1) { buffer throws(SocketError) in
                let base = buffer.baseAddress!
                readLoop: while true {
                    switch try SystemCall.perform("read", { Glibc.read(fd, base, buffer.count) }) {
                    case .processed(0):
                        peerClosed = true
                        break readLoop
                    case .processed(let count):
                        parser.append(UnsafeRawBufferPointer(start: base, count: count))
                        if count < buffer.count || parser.bufferedByteCount >= share { break readLoop }
                    case .wouldBlock:
                        break readLoop
                    }
                }
            }
        } catch {
            close(reason: "read_error")
            return
        }
        if context.isShuttingDown && parser.phase == .idle && outbound.isEmpty {
            close(reason: "shutdown")
            return
        }
        context.metrics.bufferedBytes(parser.bufferedByteCount)
        deadlines.bytesReceived(parserPhase: parser.phase, now: Self.now())
        publishDeadline()
        processBufferedRequests()
        if peerClosed && !closed {
            // The client will send nothing more: answer what it sent, then close.
            peerHalfClosed = true
            stopReading()
            closeOnceAllAnswered()
        }
    }

    /// Runs the handler for every complete request in the buffer, in order, queueing responses.
    private func processBufferedRequests() {
        context.metrics.connectionPass()
        heldBack = false
        let share = context.bufferShares.outbound
        while !closed && !closeAfterFlush && !awaitingDeferredResponse {
            guard outbound.count - outboundSent < share else {
                heldBack = parser.bufferedByteCount > 0
                break
            }
            let request: Request?
            do {
                request = try parser.next()
            } catch {
                queueErrorResponse(error)
                break
            }
            guard let request else { break }
            deadlines.requestStarted(now: Self.now())
            handle(request)
        }
        // While a request is on its executor, its response resumes this connection
        // (`deferredResponse`); what was answered before it goes out now.
        if parser.shouldSendContinue && !closeAfterFlush && !awaitingDeferredResponse {
            outbound.append(contentsOf: Self.continueLine)
            parser.continueSent()
        }
        flush()
        closeOnceAllAnswered()
    }

    /// After the peer closed its side, once no request it sent waits (none held back, none on
    /// an executor): closes when the last response has gone out.
    private func closeOnceAllAnswered() {
        guard peerHalfClosed, !closed, !heldBack, !awaitingDeferredResponse else { return }
        closeAfterFlush = true
        if outboundSent == outbound.count { close(reason: "peer_closed") }
    }

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private func handle(_ parsed: Request) {
        var request = parsed
        let started = Self.now()
        servedRequests += 1
        context.prepare(&request, peerAddress: peerAddress)
        switch context.responder.answer(request) {
        case .now(let response):
            enqueue(response, for: request, started: started)
        case .deferred(let executor, let work, let overloaded):
            awaitingDeferredResponse = true
            stopReading()
            let accepted = executor.submit { [self, request] (expired: Bool) in
                // Too long in the queue: the person has waited enough; say so instead of starting.
                let response = expired ? overloaded() : work()
                loop.execute { self.deferredResponse(response, for: request, started: started) }
            }
            if !accepted {
                awaitingDeferredResponse = false
                enqueue(overloaded(), for: request, started: started)
            }
        }
    }

    /// The response of a request that ran on an executor: queued in its turn, then the
    /// connection goes on with what is buffered and reads again.
    private func deferredResponse(_ response: Response, for request: Request, started: UInt64) {
        awaitingDeferredResponse = false
        guard !closed else { return }
        enqueue(response, for: request, started: started)
        processBufferedRequests()
    }

    /// Serializes the response into the outbound buffer and records the request.
    private func enqueue(_ handled: Response, for request: Request, started: UInt64) {
        // The request is answered: its body no longer counts against the shared budget.
        parser.releaseBody()
        var response = handled
        context.finish(&response, for: request)
        // Decided after the handler ran, so a shutdown that began meanwhile closes this connection.
        let keepAlive = request.wantsKeepAlive && !context.isShuttingDown
            && servedRequests < context.configuration.maxRequestsPerConnection
        if !keepAlive { closeAfterFlush = true }
        let bodyBytes = ResponseSerializer.write(
            response, for: request, keepAlive: keepAlive, date: context.dateCache.current(), into: &outbound
        )
        context.recordCompletion(of: request, response: response, bodyBytes: bodyBytes, started: started)
    }

    private func queueErrorResponse(_ error: HTTPParseError) {
        lingerAfterLastResponse = error.status == .payloadTooLarge
        let request = queueFinalResponse(status: error.status, detail: error.reason, target: parser.failedRequestTarget)
        context.recordParseError(error, request: request)
    }

    /// Queues a short plain-text response that ends the connection (a request we could not parse,
    /// a body that came too slowly) and returns the stand-in request it was written for, which
    /// carries the request id and client address for the log.
    @discardableResult
    private func queueFinalResponse(status: HTTPStatus, detail: String?, target: String?) -> Request {
        closeAfterFlush = true
        // A stand-in for the request, with its target as far as it was read.
        var request = Request(method: "GET", target: target ?? "/")
        context.prepare(&request, peerAddress: peerAddress)
        _ = ResponseSerializer.write(
            context.finalResponse(status: status, detail: detail, for: request), for: request, keepAlive: false,
            date: context.dateCache.current(), into: &outbound
        )
        return request
    }

    // MARK: Writing

    private func flush() {
        guard !closed else { return }
        let wroteResponses = !outbound.isEmpty
        while outboundSent < outbound.count {
            let result: IOResult<Int>
            do {
                result = try outbound.withUnsafeBytes { bytes throws(SocketError) in
                    let start = bytes.baseAddress! + outboundSent
                    let remaining = bytes.count - outboundSent
                    return try SystemCall.perform("send") { gatehouse_send(fd, start, remaining) }
                }
            } catch {
                close(reason: "write_error")
                return
            }
            switch result {
            case .processed(let count):
                outboundSent += count
            case .wouldBlock:
                waitUntilWritable()
                return
            }
        }
        outboundSent = 0
        if outbound.capacity > 4 * Self.largestShare {
            outbound = []
        } else {
            outbound.removeAll(keepingCapacity: true)
        }
        pauseWriteSource()
        if closeAfterFlush && !awaitingDeferredResponse {
            if lingerAfterLastResponse { closeLingering(reason: "done") } else { close(reason: "done") }
            return
        }
        // Read on unless a request is still being answered on an executor, or the bytes already
        // buffered are at the bound (they are read again once served).
        if awaitingDeferredResponse || parser.bufferedByteCount >= context.bufferShares.inbound {
            stopReading()
        } else {
            resumeReading()
        }
        if awaitingDeferredResponse { return }
        let now = Self.now()
        if wroteResponses { deadlines.responsesFlushed(now: now) }
        deadlines.bytesReceived(parserPhase: parser.phase, now: now)
        publishDeadline()
        if context.isShuttingDown && parser.phase == .idle {
            close(reason: "shutdown")
        } else if heldBack {
            // Pipelined requests held back by the high-water mark: serve them now that the
            // client reads again. Only then: bytes of a request still arriving (a header line
            // without its CRLF) wait for a readable event, or this pass would repeat forever and
            // spin a core per connection (issue 12: 100 slow clients took two cores).
            loop.execute { [self] in self.processBufferedRequests() }
        }
    }

    private func waitUntilWritable() {
        deadlines.writeBlocked(now: Self.now())
        publishDeadline()
        readingPaused = true
        writeBlocked = true
        updateInterest()
    }

    private func pauseWriteSource() {
        guard writeBlocked else { return }
        writeBlocked = false
        updateInterest()
    }

    private func stopReading() {
        guard !readingPaused else { return }
        readingPaused = true
        updateInterest()
    }

    private func resumeReading() {
        guard readingPaused, !peerHalfClosed else { return }
        readingPaused = false
        updateInterest()
    }

    /// Tells the loop what to wait for, when that changed.
    private func updateInterest() {
        guard !closed else { return }
        let wanted = (readable: !readingPaused, writable: writeBlocked)
        guard wanted != interest else { return }
        interest = wanted
        loop.setInterest(self, readable: wanted.readable, writable: wanted.writable)
    }

    // MARK: Deadlines and shutdown

    /// Called by the loop's sweep when `nextDeadline` has passed.
    func checkDeadline(now: UInt64) {
        if lingering {
            endLingering()
            return
        }
        guard !closed else { return }
        switch deadlines.tick(now: now) {
        case .none:
            publishDeadline()
        case .close(let reason, let status):
            if let status, outbound.isEmpty {
                queueFinalResponse(status: HTTPStatus(code: status), detail: nil, target: parser.targetInProgress)
                flush()
                if !closed { close(reason: reason.rawValue) }
            } else {
                close(reason: reason.rawValue)
            }
        }
    }

    /// Graceful shutdown: an idle connection closes now; one mid-request finishes it and then closes.
    func beginShutdown() {
        guard !closed else { return }
        if deadlines.phase == .idle && outbound.isEmpty && parser.bufferedByteCount == 0 {
            close(reason: "shutdown")
        }
    }

    func forceClose() {
        close(reason: "shutdown_grace_expired")
    }

    private func publishDeadline() {
        nextDeadline.store(deadlines.deadline ?? UInt64.max, ordering: .relaxed)
    }

    // MARK: Closing

    private func close(reason: String) {
        guard !closed else { return }
        closed = true
        parser.releaseBody()
        nextDeadline.store(UInt64.max, ordering: .relaxed)
        // Counted before the peer can see the close: whoever watches the end of the connection
        // (a test, an operator's probe) then finds it in the metrics already.
        context.connectionClosed(self, reason: reason)
        // Tell the client we are done writing, then let the kernel discard what it still sends,
        // so a response to a bad request is not lost to a reset.
        Glibc.shutdown(fd, Int32(SHUT_WR))
        loop.deregister(self)
        SystemCall.close(fd)
    }

    /// Ends the connection after a response that refused a body (413): the sending side is shut
    /// at once (the client reads the end of the response), and the connection counts as closed,
    /// but the socket stays open, reading and dropping whatever the client still sends, until
    /// the client closes, for at most `lingerNanoseconds` and `lingerByteLimit` bytes.
    ///
    /// Closing a socket with bytes unread makes the kernel answer with a reset, and a client
    /// still sending a body that was refused before it was read (a 413 on its `Content-Length`)
    /// gets the reset in the middle of its write and never reads the response (review finding).
    /// At most `ServerContext.maximumLingering` connections linger at once; past that, and when
    /// the client has closed its side already, the socket is closed at once.
    private func closeLingering(reason: String) {
        guard !closed else { return }
        guard !peerHalfClosed, context.startLingering() else {
            close(reason: reason)
            return
        }
        closed = true
        lingering = true
        parser.releaseBody()
        context.connectionClosed(self, reason: reason)
        Glibc.shutdown(fd, Int32(SHUT_WR))
        nextDeadline.store(Self.now() &+ Self.lingerNanoseconds, ordering: .relaxed)
        if interest != (readable: true, writable: false) {
            interest = (readable: true, writable: false)
            loop.setInterest(self, readable: true, writable: false)
        }
        discardWhileLingering()
    }

    /// Reads what the client sent since, and drops it; ends the lingering when the client has
    /// closed (or failed), or past `lingerByteLimit`.
    private func discardWhileLingering() {
        let finished = withUnsafeTemporaryAllocation(byteCount: Self.readChunkBytes, alignment: 1) { buffer -> Bool in
            while true {
                switch try? SystemCall.perform("read", { Glibc.read(fd, buffer.baseAddress!, buffer.count) }) {
                case .processed(let count)? where count > 0:
                    lingerDiscarded += count
                    if lingerDiscarded > Self.lingerByteLimit { return true }
                case .wouldBlock?:
                    return false
                default:
                    return true
                }
            }
        }
        if finished { endLingering() }
    }

    /// Closes the lingering socket; also when its loop ends, so no descriptor outlives it.
    func endLingering() {
        guard lingering else { return }
        lingering = false
        nextDeadline.store(UInt64.max, ordering: .relaxed)
        loop.deregister(self)
        SystemCall.close(fd)
        context.stopLingering()
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
