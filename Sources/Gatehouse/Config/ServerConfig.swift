import HTTP

/// `server`: where Gatehouse listens, the URL users reach it at, whom to believe about
/// forwarded requests, and the limits and deadlines that keep one client from exhausting it.
public struct ServerConfig: Sendable, Equatable {
    /// `server.listen`: one or more IP literal `host:port` addresses.
    public var listenAddresses: [ListenAddress]
    /// `server.public_url`: scheme, host and port users reach Gatehouse at.
    public var publicURL: PublicURL
    /// `server.trusted_proxies`: peers whose `X-Forwarded-*` headers are believed.
    public var trustedProxies: [CIDR]
    /// `server.public_dir`: a folder of page templates (`templates/`) and static files
    /// (`static/`) that replaces the ones built into the binary; nil (the default) serves the
    /// built-in ones, so the binary runs from any working directory.
    public var publicDirectory: String?
    /// `server.max_connections`: beyond this, new connections get 503 and are closed.
    public var maxConnections: Int
    /// `server.max_connections_per_client`: of those, at most this many from one client (an IPv4
    /// address, an IPv6 /64; a trusted proxy's are not counted), so that one client cannot hold
    /// every connection and lock everyone else out.
    public var maxConnectionsPerClient: Int = 256
    public var limits: Limits
    public var timeouts: Timeouts
    /// `server.management_listen`: addresses of a listener of its own for the admin API and
    /// `/metrics` (as Keycloak serves its management interface apart); when set, the public
    /// listener answers 404 for them. Empty: they stay on the public listener.
    public var managementListenAddresses: [ListenAddress] = []
    /// `server.metrics_require_token`: on the public listener, `/metrics` needs a token with the
    /// `metrics:read` scope unless this is false. The management listener never asks for one.
    public var metricsRequireToken = true

    public init(
        listenAddresses: [ListenAddress],
        publicURL: PublicURL,
        trustedProxies: [CIDR] = [],
        publicDirectory: String? = nil,
        maxConnections: Int = 1024,
        limits: Limits = Limits(),
        timeouts: Timeouts = Timeouts()
    ) {
        self.listenAddresses = listenAddresses
        self.publicURL = publicURL
        self.trustedProxies = trustedProxies
        self.publicDirectory = publicDirectory
        self.maxConnections = maxConnections
        self.limits = limits
        self.timeouts = timeouts
    }

    /// `https://example.com` or `http://127.0.0.1:8080`: what a browser sends as `Origin`.
    public var publicOrigin: String { publicURL.origin }

    /// Whether users reach Gatehouse over https: cookies are then `Secure` with the
    /// `__Host-` prefix, and responses carry `Strict-Transport-Security`.
    public var isHTTPS: Bool { publicURL.isHTTPS }

    /// Whether the TCP peer `address` is a trusted proxy (false for anything unparsable).
    public func isTrustedProxy(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// `server.limits`: request size caps, each refused with its own status.
    public struct Limits: Sendable, Equatable {
        /// `request_line_bytes`; longer gets 414.
        public var requestLineBytes: Int
        /// `header_bytes`: the whole header section; larger gets 431.
        public var headerBytes: Int
        /// `header_count`; more fields get 431.
        public var headerCount: Int
        /// `body_bytes`; a larger body gets 413.
        public var bodyBytes: Int
        /// `bodies_in_flight_bytes`: the bodies being received across all connections; a body
        /// that does not fit gets 503 (`BodyBudget`).
        public var bodiesInFlightBytes: Int
        /// `buffered_bytes`: requests received and not yet answered, and responses not yet sent,
        /// across all connections; each connection's share shrinks as more are open.
        public var bufferedBytes: Int

        public init(
            requestLineBytes: Int = 8192, headerBytes: Int = 32768, headerCount: Int = 100, bodyBytes: Int = 1_048_576,
            bodiesInFlightBytes: Int = 33_554_432, bufferedBytes: Int = 67_108_864
        ) {
            self.requestLineBytes = requestLineBytes
            self.headerBytes = headerBytes
            self.headerCount = headerCount
            self.bodyBytes = bodyBytes
            self.bodiesInFlightBytes = bodiesInFlightBytes
            self.bufferedBytes = bufferedBytes
        }

        /// The limits in the form the HTTP parser takes; the chunk-line cap keeps its default.
        public var httpLimits: HTTPLimits {
            HTTPLimits(
                maxRequestLineBytes: requestLineBytes,
                maxHeaderBytes: headerBytes,
                maxHeaderCount: headerCount,
                maxBodyBytes: bodyBytes,
                maxBodyBytesInFlight: bodiesInFlightBytes,
                maxBufferedBytes: bufferedBytes
            )
        }
    }

    /// `server.timeouts`, in whole seconds.
    public struct Timeouts: Sendable, Equatable {
        /// `header_seconds`: to receive the whole header section (cuts off slowloris clients).
        public var headerSeconds: Int
        /// `body_seconds`: to receive the body once the headers are in.
        public var bodySeconds: Int
        /// `idle_seconds`: a kept-alive connection may wait this long for its next request.
        public var idleSeconds: Int
        /// `write_seconds`: to send a response to a client that reads slowly.
        public var writeSeconds: Int
        /// `shutdown_grace_seconds`: requests in flight get this long to finish on SIGTERM.
        public var shutdownGraceSeconds: Int

        public init(headerSeconds: Int = 10, bodySeconds: Int = 30, idleSeconds: Int = 60, writeSeconds: Int = 30, shutdownGraceSeconds: Int = 10) {
            self.headerSeconds = headerSeconds
            self.bodySeconds = bodySeconds
            self.idleSeconds = idleSeconds
            self.writeSeconds = writeSeconds
            self.shutdownGraceSeconds = shutdownGraceSeconds
        }

        /// The same deadlines in the HTTP server's terms.
        public var connectionTimeouts: ConnectionTimeouts {
            ConnectionTimeouts(
                headerSeconds: Double(headerSeconds), bodySeconds: Double(bodySeconds), idleSeconds: Double(idleSeconds),
                writeSeconds: Double(writeSeconds), shutdownGraceSeconds: Double(shutdownGraceSeconds)
            )
        }
    }
}

// MARK: Reading

extension ServerConfig {
    static let keys = [
        "listen", "public_url", "trusted_proxies", "public_dir", "max_connections", "max_connections_per_client", "limits", "timeouts",
        "management_listen", "metrics_require_token",
    ]
    static let limitKeys = ["request_line_bytes", "header_bytes", "header_count", "body_bytes", "bodies_in_flight_bytes", "buffered_bytes"]
    static let timeoutKeys = ["header_seconds", "body_seconds", "idle_seconds", "write_seconds", "shutdown_grace_seconds"]

    /// Allowed timeout range. An hour is far beyond any sensible deadline, so a larger value
    /// is most likely milliseconds written as seconds.
    static let timeoutRange = 1...3600

    /// Reads `server`; `nil` when a required key is missing or invalid (already reported).
    static func decode(_ reader: ObjectReader) -> ServerConfig? {
        let listen = reader.value("listen", .list(of: .listenAddress, allowSingle: true, allowEmpty: false), required: true)
        if let listen {
            reportDuplicates(listen, at: reader.path.appending("listen"), in: reader.decoder)
        }
        let publicURL = reader.value("public_url", .publicURL, required: true)
        let trustedProxies = reader.value("trusted_proxies", .list(of: .cidr)) ?? []
        for (index, range) in trustedProxies.enumerated() where range.prefixLength == 0 {
            reader.decoder.warning(
                at: reader.path.appending("trusted_proxies").appending(index: index),
                "\(range) trusts every client's X-Forwarded-For: anyone can then choose the address the login and API throttles count; list your proxies' addresses"
            )
        }
        let publicDirectory = reader.value("public_dir", .nullable(.nonEmptyString)) ?? nil
        let maxConnections = reader.value("max_connections", .integer(1...1_000_000)) ?? 1024
        let maxConnectionsPerClient = reader.value("max_connections_per_client", .integer(1...1_000_000)) ?? 256
        let management = reader.value("management_listen", .list(of: .listenAddress, allowSingle: true, allowEmpty: true)) ?? []
        reportDuplicates(management, at: reader.path.appending("management_listen"), in: reader.decoder)
        for address in management {
            guard let taken = listen?.first(where: { $0.clashes(with: address) }) else { continue }
            let why = taken == address ? "is also in server.listen" : "takes the same port as \(taken) in server.listen"
            reader.decoder.error(at: reader.path.appending("management_listen"), "\(address) \(why); the management listener needs an address of its own")
        }
        let metricsRequireToken = reader.value("metrics_require_token", .boolean) ?? true

        let limitsReader = reader.section("limits", keys: limitKeys)
        let defaults = Limits()
        let limits = Limits(
            // Room for an authorization request's long query string, but bounded.
            requestLineBytes: limitsReader.value("request_line_bytes", .integer(1024...1_048_576)) ?? defaults.requestLineBytes,
            headerBytes: limitsReader.value("header_bytes", .integer(1024...1_048_576)) ?? defaults.headerBytes,
            // Browsers send 10 to 20 fields; fewer than 16 would refuse ordinary requests.
            headerCount: limitsReader.value("header_count", .integer(16...10_000)) ?? defaults.headerCount,
            bodyBytes: limitsReader.value("body_bytes", .integer(1024...1_073_741_824)) ?? defaults.bodyBytes,
            bodiesInFlightBytes: limitsReader.value("bodies_in_flight_bytes", .integer(1024...17_179_869_184)) ?? defaults.bodiesInFlightBytes,
            bufferedBytes: limitsReader.value("buffered_bytes", .integer(1_048_576...17_179_869_184)) ?? defaults.bufferedBytes
        )
        if limits.bodiesInFlightBytes < limits.bodyBytes {
            reader.decoder.error(
                at: limitsReader.path.appending("bodies_in_flight_bytes"),
                "\(limits.bodiesInFlightBytes) is less than body_bytes (\(limits.bodyBytes)): a body of the largest size could never be received"
            )
        }

        let timeoutsReader = reader.section("timeouts", keys: timeoutKeys)
        let defaultTimeouts = Timeouts()
        let timeouts = Timeouts(
            headerSeconds: timeoutsReader.value("header_seconds", .integer(timeoutRange)) ?? defaultTimeouts.headerSeconds,
            bodySeconds: timeoutsReader.value("body_seconds", .integer(timeoutRange)) ?? defaultTimeouts.bodySeconds,
            idleSeconds: timeoutsReader.value("idle_seconds", .integer(timeoutRange)) ?? defaultTimeouts.idleSeconds,
            writeSeconds: timeoutsReader.value("write_seconds", .integer(timeoutRange)) ?? defaultTimeouts.writeSeconds,
            shutdownGraceSeconds: timeoutsReader.value("shutdown_grace_seconds", .integer(timeoutRange)) ?? defaultTimeouts.shutdownGraceSeconds
        )

        guard let listen, let publicURL else { return nil }
        var config = ServerConfig(
            listenAddresses: listen,
            publicURL: publicURL,
            trustedProxies: trustedProxies,
            publicDirectory: publicDirectory,
            maxConnections: maxConnections,
            limits: limits,
            timeouts: timeouts
        )
        config.managementListenAddresses = management
        config.maxConnectionsPerClient = maxConnectionsPerClient
        config.metricsRequireToken = metricsRequireToken
        return config
    }

    /// Binding the same address twice fails at start with EADDRINUSE; say so now instead.
    private static func reportDuplicates(_ addresses: [ListenAddress], at path: ConfigPath, in decoder: ConfigDecoder) {
        var seen: Set<ListenAddress> = []
        for address in addresses where !seen.insert(address).inserted {
            decoder.error(at: path, "\(address) is listed more than once")
        }
    }
}

extension ConfigValueKind where T == CIDR {
    /// An IP address or CIDR range, v4 or v6.
    static var cidr: ConfigValueKind<CIDR> {
        .text { text in
            do throws(CIDRParseError) {
                return .success(try CIDR(parsing: text))
            } catch {
                return .failure(ConfigValueError(message: "\(error.description), found \(ConfigText.quoted(text))"))
            }
        }
    }
}
