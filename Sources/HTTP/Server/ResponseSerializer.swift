/// Writes a response's status line, header section and body into the connection's outbound bytes.
///
/// Framing fields are the server's, not the handler's: `Content-Length` is computed here and
/// `Connection` reflects the connection's real fate, so a handler cannot desynchronise the stream.
enum ResponseSerializer {
    /// Appends the response and returns the number of body bytes written (0 for HEAD).
    static func write(
        _ response: Response, for request: Request, keepAlive: Bool, date: String, into out: inout [UInt8]
    ) -> Int {
        let status = response.status.code
        out.append(contentsOf: statusLine(for: response.status))
        for field in response.headers.fields {
            if isFramingField(field.name) { continue }
            // A CR, LF or NUL in a field would let a value smuggle in headers of its own (response
            // splitting); such a field is dropped rather than sent.
            guard isSafe(field.name), isSafe(field.value) else { continue }
            out.append(contentsOf: field.name.utf8)
            out.append(0x3A); out.append(0x20)
            out.append(contentsOf: field.value.utf8)
            out.append(0x0D); out.append(0x0A)
        }
        out.append(contentsOf: datePrefix)
        out.append(contentsOf: date.utf8)
        out.append(0x0D); out.append(0x0A)
        let bodyAllowed = !(status < 200 || status == 204 || status == 304)
        if bodyAllowed {
            out.append(contentsOf: contentLengthPrefix)
            out.append(contentsOf: String(response.body.count).utf8)
            out.append(0x0D); out.append(0x0A)
        }
        if !keepAlive {
            out.append(contentsOf: connectionClose)
        } else if request.version == .http1_0 {
            out.append(contentsOf: connectionKeepAlive)
        }
        out.append(0x0D); out.append(0x0A)
        guard bodyAllowed, request.method != "HEAD" else { return 0 }
        out.append(contentsOf: response.body)
        return response.body.count
    }

    private static let datePrefix = Array("Date: ".utf8)
    private static let contentLengthPrefix = Array("Content-Length: ".utf8)
    private static let connectionClose = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
    private static let commonStatusLines: [Int: [UInt8]] = {
        var lines: [Int: [UInt8]] = [:]
        for code in HTTPStatus.knownPhrases.keys {
            lines[code] = Array("HTTP/1.1 \(HTTPStatus(code: code).description)\r\n".utf8)
        }
        return lines
    }()

    private static func statusLine(for status: HTTPStatus) -> [UInt8] {
        if let line = commonStatusLines[status.code], status.reasonPhrase == HTTPStatus.knownPhrases[status.code] {
            return line
        }
        let phrase = isSafe(status.reasonPhrase) ? status.reasonPhrase : ""
        return Array("HTTP/1.1 \(status.code) \(phrase)\r\n".utf8)
    }

    private static func isFramingField(_ name: String) -> Bool {
        HTTPHeaders.namesEqual(name, "Content-Length") || HTTPHeaders.namesEqual(name, "Connection")
            || HTTPHeaders.namesEqual(name, "Transfer-Encoding") || HTTPHeaders.namesEqual(name, "Date")
    }

    private static func isSafe(_ text: String) -> Bool {
        for byte in text.utf8 where byte == 0x0D || byte == 0x0A || byte == 0x00 {
            return false
        }
        return true
    }
}
