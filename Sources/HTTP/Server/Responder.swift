/// What the server calls for every complete request. It must not throw: errors are turned into
/// responses by the responder itself (the router does this for handlers).
public protocol Responder: Sendable {
    func respond(to request: Request) -> Response
}
