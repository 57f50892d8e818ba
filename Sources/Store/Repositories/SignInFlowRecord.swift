/// Why a sign-in flow was started: to sign in, or to link another identity to a signed-in user.
public enum SignInIntent: Sendable, Equatable {
    case signIn
    case link(userID: Int64)

    var storedName: String {
        switch self {
        case .signIn: "sign_in"
        case .link: "link"
        }
    }

    var userID: Int64? {
        switch self {
        case .signIn: nil
        case .link(let userID): userID
        }
    }
}

/// The server-side half of an authorization request, as written when it starts.
public struct NewSignInFlow: Sendable, Equatable {
    public var stateHash: [UInt8]
    public var browserHash: [UInt8]
    public var provider: String
    public var nonce: String
    public var codeVerifier: String
    public var redirectURI: String
    public var nextPath: String
    public var intent: SignInIntent
    /// The block of the client that started it (`ClientBlock.siteKey`: an IPv4 address, an IPv6
    /// /48): a full table makes room from the block holding the most flows.
    public var clientBlock: String

    public init(
        stateHash: [UInt8], browserHash: [UInt8], provider: String, nonce: String, codeVerifier: String,
        redirectURI: String, nextPath: String, intent: SignInIntent = .signIn, clientBlock: String = ""
    ) {
        self.stateHash = stateHash
        self.browserHash = browserHash
        self.provider = provider
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.redirectURI = redirectURI
        self.nextPath = nextPath
        self.intent = intent
        self.clientBlock = clientBlock
    }
}

/// A row of `sign_in_flows` as claimed by the callback.
public struct SignInFlowRecord: Sendable, Equatable {
    public let id: Int64
    public let flow: NewSignInFlow
    public let createdAt: Int64
    public let expiresAt: Int64

    static let columns =
        "id, state_hash, browser_hash, provider, nonce, code_verifier, redirect_uri, next_path, intent, user_id, created_at, expires_at, client_block"

    init(row: Row) throws(StoreError) {
        let intent: SignInIntent
        switch (try row.string("intent"), try row.optionalInt64("user_id")) {
        case ("sign_in", nil): intent = .signIn
        case ("link", let userID?): intent = .link(userID: userID)
        default: throw StoreError(code: .typeMismatch, message: "sign_in_flows.intent and user_id disagree")
        }
        id = try row.int64("id")
        flow = NewSignInFlow(
            stateHash: try row.blob("state_hash"), browserHash: try row.blob("browser_hash"),
            provider: try row.string("provider"), nonce: try row.string("nonce"),
            codeVerifier: try row.string("code_verifier"), redirectURI: try row.string("redirect_uri"),
            nextPath: try row.string("next_path"), intent: intent, clientBlock: try row.string("client_block")
        )
        createdAt = try row.int64("created_at")
        expiresAt = try row.int64("expires_at")
    }
}

/// Why a callback could not claim a flow. Each one gets its own sentence on the error page.
public enum SignInFlowRefusal: Error, Sendable, Equatable {
    /// No flow has this state: forged, from another server, or purged long ago.
    case unknown
    /// The flow was already claimed: the callback URL was replayed.
    case alreadyUsed
    /// The flow outlived its lifetime.
    case expired
    /// The flow was started by another browser (its binding cookie differs or is missing).
    case otherBrowser
}
