import CCurl

/// The request's header fields as a curl list, after checking that each is safe to send.
///
/// A CR or LF in a value would let it start a header (or a request) of its own, so such fields are
/// refused, never cleaned. Fields that decide message framing are curl's to write: a caller's
/// `Content-Length` disagreeing with the body would desynchronise the connection.
final class RequestHeaders {
    /// Framing and connection fields curl manages itself.
    static let reservedNames: Set<String> = ["host", "content-length", "transfer-encoding", "connection", "expect"]

    private(set) var list: UnsafeMutablePointer<curl_slist>? = nil

    init(_ headers: [BackChannelHeader]) throws(BackChannelError) {
        for header in headers {
            try Self.validate(header)
            // curl drops a field written "Name:" and sends "Name;" as an empty field.
            try append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        // An empty Expect stops curl from waiting for `100 Continue` before sending a larger body.
        try append("Expect:")
    }

    deinit { curl_slist_free_all(list) }

    private func append(_ line: String) throws(BackChannelError) {
        guard let extended = curl_slist_append(list, line) else {
            throw BackChannelError(.transportFailure, "curl_slist_append: out of memory")
        }
        list = extended
    }

    /// The detail names the field but never shows its value: it may be a credential.
    static func validate(_ header: BackChannelHeader) throws(BackChannelError) {
        guard !header.name.isEmpty, header.name.utf8.allSatisfy(isTokenCharacter) else {
            throw BackChannelError(.invalidRequest, "a request header name is not an HTTP token")
        }
        guard !reservedNames.contains(ASCIICase.lowercased(header.name)) else {
            throw BackChannelError(.invalidRequest, "request header \(header.name) is set by the client itself")
        }
        guard header.value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw BackChannelError(.invalidRequest, "request header \(header.name) has a control character in its value")
        }
    }

    /// `tchar` of RFC 9110 section 5.6.2.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
