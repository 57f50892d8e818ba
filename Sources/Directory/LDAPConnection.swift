import CLDAP
import Foundation

/// One libldap session to one server: owns the `LDAP *` and unbinds it in `deinit`.
///
/// Made only through `open`, which connects within the connect timeout, verifies the server
/// (the CA file and `LDAP_OPT_X_TLS_REQUIRE_CERT` set on this handle, then
/// `LDAP_OPT_X_TLS_NEWCTX`, so GnuTLS builds this connection's own context from them rather
/// than the process-wide one) and runs StartTLS when the URI is `ldap://`. A handle is used by
/// one thread at a time: the pool hands it out to one borrower.
final class LDAPConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    let uri: String

    private init(handle: OpaquePointer, uri: String) {
        self.handle = handle
        self.uri = uri
    }

    deinit {
        ldap_unbind_ext_s(handle, nil, nil)
    }

    /// Codes after which another server may do better: the server is down, did not answer,
    /// or refused the TLS handshake.
    static func isUnreachable(_ code: Int32) -> Bool {
        code == LDAP_SERVER_DOWN || code == LDAP_CONNECT_ERROR || code == LDAP_TIMEOUT || code == LDAP_UNAVAILABLE
            || code == LDAP_BUSY
    }

    static func open(_ uri: String, settings: DirectorySettings) throws(DirectoryError) -> LDAPConnection {
        guard let parsed = DirectoryURI(uri) else { throw DirectoryError(.invalidSettings, "not an LDAP URI: \(uri)") }
        var pointer: OpaquePointer?
        let initialized = ldap_initialize(&pointer, uri)
        guard initialized == LDAP_SUCCESS, let handle = pointer else {
            throw DirectoryError(.invalidSettings, "\(uri): \(String(cString: ldap_err2string(initialized)))", resultCode: initialized)
        }
        let connection = LDAPConnection(handle: handle, uri: uri)
        _ = gatehouse_ldap_set_int(handle, LDAP_OPT_PROTOCOL_VERSION, LDAP_VERSION3)
        _ = ldap_set_option(handle, LDAP_OPT_REFERRALS, gatehouse_ldap_opt_off())
        _ = gatehouse_ldap_set_timeout(handle, LDAP_OPT_NETWORK_TIMEOUT, Self.milliseconds(settings.connectTimeoutSeconds))
        _ = gatehouse_ldap_set_timeout(handle, LDAP_OPT_TIMEOUT, Self.milliseconds(settings.operationTimeoutSeconds))
        let usesTLS = parsed.isTLS || settings.startTLS
        if usesTLS {
            if let caFile = settings.caFile {
                try connection.check(ldap_set_option(handle, LDAP_OPT_X_TLS_CACERTFILE, caFile), .tlsFailed, "setting the CA file")
            }
            try connection.check(gatehouse_ldap_set_int(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, LDAP_OPT_X_TLS_DEMAND), .tlsFailed, "requiring a certificate")
            try connection.check(gatehouse_ldap_set_int(handle, LDAP_OPT_X_TLS_NEWCTX, 0), .tlsFailed, "making the TLS context")
        }
        let connected = ldap_connect(handle)
        if connected != LDAP_SUCCESS {
            // The server answered TCP but the connection failed: the TLS handshake did.
            if parsed.isTLS && TCPProbe.opens(parsed, timeoutSeconds: settings.connectTimeoutSeconds) {
                throw connection.failure(.tlsFailed, "TLS handshake (is the server certificate signed by the configured CA?)", connected)
            }
            throw connection.failure(.unavailable, "connecting", connected)
        }
        if !parsed.isTLS && settings.startTLS {
            let started = ldap_start_tls_s(handle, nil, nil)
            if started != LDAP_SUCCESS { throw connection.failure(.tlsFailed, "StartTLS", started) }
        }
        return connection
    }

    /// An operation's own limit, or what is left before `deadline` when that is less; nil when
    /// less than a millisecond is left (a zero limit would mean "none" to libldap and the server).
    static func timeLimit(_ own: Double, before deadline: ContinuousClock.Instant) -> Double? {
        let left = ContinuousClock.now.duration(to: deadline).components
        let seconds = min(own, Double(left.seconds) + Double(left.attoseconds) / 1e18)
        return seconds >= 0.001 ? seconds : nil
    }

    /// Bounds the operations that follow on this connection (a bind) to `seconds`.
    func limitOperations(toSeconds seconds: Double) {
        _ = gatehouse_ldap_set_timeout(handle, LDAP_OPT_TIMEOUT, Self.milliseconds(seconds))
    }

    /// A simple bind. An empty password never gets here: the client refuses it first.
    func bind(dn: String, password: String) -> Int32 {
        var bytes = Array(password.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { characters in
                var credentials = berval(bv_len: ber_len_t(buffer.count), bv_val: characters)
                return ldap_sasl_bind_s(handle, dn, nil, &credentials, nil, nil, nil)
            }
        }
    }

    /// The entries under `base` that `filter` selects, with `attributes`, read page by page
    /// (RFC 2696) so a directory larger than the server's size limit is read whole. `pageSize`
    /// zero reads without the control (a sign-in's search, which wants one entry).
    func search(
        base: String, scope: SearchScope = .subtree, filter: String, attributes: [String], pageSize: Int, timeoutSeconds: Double, deadline: ContinuousClock.Instant,
        sizeLimit: Int32 = 0, each: (DirectoryEntry) throws(DirectoryError) -> Void
    ) throws(DirectoryError) {
        var names: [UnsafeMutablePointer<CChar>?] = attributes.map { strdup($0) } + [nil]
        defer { names.forEach { free($0) } }
        var cookie: UnsafeMutablePointer<berval>? = nil
        defer { if let cookie { ber_bvfree(cookie) } }
        repeat {
            guard ContinuousClock.now < deadline else { throw DirectoryError(.timedOut, "\(uri): the search ran out of time") }
            var pageControl: UnsafeMutablePointer<LDAPControl>? = nil
            if pageSize > 0 {
                let made = ldap_create_page_control(handle, ber_int_t(pageSize), cookie, 1, &pageControl)
                if made != LDAP_SUCCESS { throw failure(.searchFailed, "making the paged-results control", made) }
            }
            defer { if let pageControl { ldap_control_free(pageControl) } }
            var controls: [UnsafeMutablePointer<LDAPControl>?] = [pageControl, nil]
            guard let seconds = Self.timeLimit(timeoutSeconds, before: deadline) else {
                throw DirectoryError(.timedOut, "\(uri): the search ran out of time")
            }
            var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
            var result: OpaquePointer?
            let code = controls.withUnsafeMutableBufferPointer { list in
                ldap_search_ext_s(
                    handle, base, scope == .base ? gatehouse_ldap_scope_base() : gatehouse_ldap_scope_subtree(), filter, &names, 0, pageControl == nil ? nil : list.baseAddress, nil,
                    &timeout, sizeLimit, &result
                )
            }
            defer { if let result { ldap_msgfree(result) } }
            if code != LDAP_SUCCESS {
                let kind: DirectoryError.Code = Self.isUnreachable(code) ? .unavailable : (code == LDAP_TIMEOUT ? .timedOut : .searchFailed)
                // Not the filter: a sign-in's holds the typed identifier, perhaps a password typed
                // into the wrong field, and this message reaches the log (review finding).
                throw failure(kind, "searching \(base)", code)
            }
            guard let result else { throw DirectoryError(.searchFailed, "\(uri): no search result") }
            var entry = ldap_first_entry(handle, result)
            while let current = entry {
                try each(readEntry(current, attributes: attributes))
                entry = ldap_next_entry(handle, current)
            }
            if cookie != nil { ber_bvfree(cookie); cookie = nil }
            guard pageSize > 0 else { return }
            var returned: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>? = nil
            var resultCode: Int32 = 0
            let parsed = ldap_parse_result(handle, result, &resultCode, nil, nil, nil, &returned, 0)
            defer { if let returned { ldap_controls_free(returned) } }
            if parsed != LDAP_SUCCESS || resultCode != LDAP_SUCCESS {
                throw failure(.searchFailed, "reading a page of \(base)", parsed != LDAP_SUCCESS ? parsed : resultCode)
            }
            guard let response = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, returned, nil) else { return }
            var next = berval(bv_len: 0, bv_val: nil)
            var estimate: ber_int_t = 0
            let read = ldap_parse_pageresponse_control(handle, response, &estimate, &next)
            if read != LDAP_SUCCESS { throw failure(.searchFailed, "reading the paged-results cookie", read) }
            if next.bv_len == 0 {
                if next.bv_val != nil { ber_memfree(next.bv_val) }
                return
            }
            cookie = ber_bvdup(&next)
            ber_memfree(next.bv_val)
        } while true
    }

    private func readEntry(_ message: OpaquePointer, attributes: [String]) -> DirectoryEntry {
        var dn = ""
        if let raw = ldap_get_dn(handle, message) {
            dn = String(cString: raw)
            ldap_memfree(raw)
        }
        var values: [String: [[UInt8]]] = [:]
        for name in attributes {
            guard let list = ldap_get_values_len(handle, message, name) else { continue }
            defer { ldap_value_free_len(list) }
            var collected: [[UInt8]] = []
            var index = 0
            while let value = list[index] {
                let length = Int(value.pointee.bv_len)
                collected.append(value.pointee.bv_val.map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? [])
                index += 1
            }
            values[name.lowercased()] = collected
        }
        return DirectoryEntry(dn: dn, attributes: values)
    }

    private func check(_ code: Int32, _ kind: DirectoryError.Code, _ doing: String) throws(DirectoryError) {
        if code != LDAP_OPT_SUCCESS { throw failure(kind, doing, code) }
    }

    /// The error with libldap's words and its diagnostic message (which names a certificate
    /// problem, for one), never anything the caller sent.
    func failure(_ kind: DirectoryError.Code, _ doing: String, _ code: Int32) -> DirectoryError {
        var text = String(cString: ldap_err2string(code))
        var diagnostic: UnsafeMutablePointer<CChar>?
        if ldap_get_option(handle, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_OPT_SUCCESS, let diagnostic {
            let detail = String(cString: diagnostic)
            if !detail.isEmpty { text += " (\(detail))" }
            ldap_memfree(diagnostic)
        }
        return DirectoryError(kind, "\(uri): \(doing): \(text)", resultCode: code)
    }

    private static func milliseconds(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }
}

/// Whether a TCP connection to the URI's host and port opens within `timeoutSeconds`: after an
/// `ldaps://` connection fails, this tells a server that is down from one whose certificate
/// did not verify (libldap reports both as "Can't contact LDAP server").
enum TCPProbe {
    static func opens(_ uri: DirectoryURI, timeoutSeconds: Double) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(uri.host, String(uri.port), &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(list) }
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let info = current {
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd >= 0 {
                var timeout = timeval(tv_sec: Int(timeoutSeconds), tv_usec: Int((timeoutSeconds - Double(Int(timeoutSeconds))) * 1_000_000))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let connected = connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0
                close(fd)
                if connected { return true }
            }
            current = info.pointee.ai_next
        }
        return false
    }
}
