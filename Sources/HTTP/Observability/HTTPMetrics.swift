import Foundation
import Synchronization

/// Request counts by route and status, a latency histogram, and open connections, rendered in
/// Prometheus' text format for `GET /metrics`.
///
/// Routes are the matched pattern (`/users/:id`), never the raw path, so a scanner cannot blow up
/// the number of series.
public final class HTTPMetrics: Sendable {
    struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    struct State {
        var requests: [RequestKey: UInt64] = [:]
        var bucketCounts: [UInt64]
        var durationSum: Double = 0
        var durationCount: UInt64 = 0
        /// By the limit that refused them.
        var connectionsRejected: [ConnectionLimit: UInt64] = [:]
        var connectionsTimedOut: [String: UInt64] = [:]
    }

    /// Upper bounds of the latency histogram in seconds.
    public static let bucketBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private let state = Mutex(State(bucketCounts: Array(repeating: 0, count: HTTPMetrics.bucketBounds.count)))
    private let openConnectionCount = Atomic<Int>(0)
    private let connectionPasses = Atomic<UInt64>(0)
    private let mostBufferedBytes = Atomic<Int>(0)

    public init() {}

    public func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        let method = Self.knownMethods.contains(method) ? method : "OTHER"
        state.withLock { state in
            state.requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            state.durationSum += seconds
            state.durationCount += 1
            if let bucket = Self.bucketBounds.firstIndex(where: { seconds <= $0 }) {
                state.bucketCounts[bucket] += 1
            }
        }
    }

    public func connectionOpened() { openConnectionCount.add(1, ordering: .relaxed) }
    /// One pass of a connection over its buffered bytes (after a read, or after the client
    /// drained held-back responses); a pass that repeats without new bytes is a busy loop.
    public func connectionPass() { connectionPasses.add(1, ordering: .relaxed) }
    /// Passes so far, for `/metrics` and the slow-client regression tests.
    public var connectionPassCount: UInt64 { connectionPasses.load(ordering: .relaxed) }
    /// Notes how many received bytes one connection holds unparsed; the largest is kept.
    public func bufferedBytes(_ count: Int) {
        var seen = mostBufferedBytes.load(ordering: .relaxed)
        while count > seen {
            let (exchanged, original) = mostBufferedBytes.compareExchange(expected: seen, desired: count, ordering: .relaxed)
            if exchanged { return }
            seen = original
        }
    }
    /// The most received bytes any connection has held unparsed at once.
    public var mostBufferedByteCount: Int { mostBufferedBytes.load(ordering: .relaxed) }
    public func connectionClosed() { openConnectionCount.subtract(1, ordering: .relaxed) }
    func connectionRejected(by limit: ConnectionLimit) { state.withLock { $0.connectionsRejected[limit, default: 0] += 1 } }
    public func connectionTimedOut(reason: String) { state.withLock { $0.connectionsTimedOut[reason, default: 0] += 1 } }

    public var openConnections: Int { openConnectionCount.load(ordering: .relaxed) }

    /// The Prometheus text exposition (version 0.0.4).
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        out += "# HELP gatehouse_http_requests_total HTTP requests served, by route pattern, method and status.\n"
        out += "# TYPE gatehouse_http_requests_total counter\n"
        let keys = snapshot.requests.keys.sorted { ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status) }
        for key in keys {
            out += "gatehouse_http_requests_total{route=\"\(Self.escape(key.route))\",method=\"\(key.method)\",status=\"\(key.status)\"} \(snapshot.requests[key]!)\n"
        }
        out += "# HELP gatehouse_http_request_duration_seconds Time from a complete request to its queued response.\n"
        out += "# TYPE gatehouse_http_request_duration_seconds histogram\n"
        var cumulative: UInt64 = 0
        for (index, bound) in Self.bucketBounds.enumerated() {
            cumulative += snapshot.bucketCounts[index]
            out += "gatehouse_http_request_duration_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        out += "gatehouse_http_request_duration_seconds_bucket{le=\"+Inf\"} \(snapshot.durationCount)\n"
        out += "gatehouse_http_request_duration_seconds_sum \(snapshot.durationSum)\n"
        out += "gatehouse_http_request_duration_seconds_count \(snapshot.durationCount)\n"
        out += "# HELP gatehouse_http_open_connections Connections currently open.\n"
        out += "# TYPE gatehouse_http_open_connections gauge\n"
        out += "gatehouse_http_open_connections \(openConnections)\n"
        out += "# HELP gatehouse_http_connection_passes_total Passes of connections over their buffered bytes.\n"
        out += "# TYPE gatehouse_http_connection_passes_total counter\n"
        out += "gatehouse_http_connection_passes_total \(connectionPassCount)\n"
        out += "# HELP gatehouse_http_connection_buffered_bytes_max The most received bytes one connection held unparsed.\n"
        out += "# TYPE gatehouse_http_connection_buffered_bytes_max gauge\n"
        out += "gatehouse_http_connection_buffered_bytes_max \(mostBufferedByteCount)\n"
        out += "# HELP gatehouse_http_connections_rejected_total Connections refused with 503, by the limit reached (the server's, or one client's share).\n"
        out += "# TYPE gatehouse_http_connections_rejected_total counter\n"
        for limit in ConnectionLimit.allCases {
            out += "gatehouse_http_connections_rejected_total{limit=\"\(limit.rawValue)\"} \(snapshot.connectionsRejected[limit, default: 0])\n"
        }
        out += "# HELP gatehouse_http_connections_timed_out_total Connections closed by a deadline, by reason.\n"
        out += "# TYPE gatehouse_http_connections_timed_out_total counter\n"
        for reason in snapshot.connectionsTimedOut.keys.sorted() {
            out += "gatehouse_http_connections_timed_out_total{reason=\"\(reason)\"} \(snapshot.connectionsTimedOut[reason]!)\n"
        }
        return out
    }

    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    private static func escape(_ label: String) -> String {
        label.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
