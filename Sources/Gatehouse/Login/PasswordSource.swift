/// One place the sign-in page's password field can be checked: Gatehouse's own local
/// passwords, or a configured directory (by bind). `login.password_order` lists them.
public enum PasswordSource: Sendable, Equatable, CustomStringConvertible {
    case local
    case directory(String)

    /// The word `login.password_order` uses: `local`, or the directory's slug.
    public var description: String {
        switch self {
        case .local: "local"
        case .directory(let slug): slug
        }
    }
}
