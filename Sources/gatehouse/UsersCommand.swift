import ArgumentParser
import Gatehouse

/// `gatehouse users`: local accounts, as an operator manages them.
struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, create, change, deactivate and delete users, and set their passwords.",
        subcommands: [List.self, Show.self, Create.self, Update.self, Deactivate.self, Delete.self, SetPassword.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users, oldest first.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Option(name: .long, help: "Only users whose username, email or display name contains this text.")
        var q: String?
        @Option(name: .long, help: "Only users holding this address (compared by its matching key).")
        var email: String?
        @Option(name: .long, help: "Only active (true) or deactivated (false) users.")
        var active: Toggle?
        @Option(name: .long, help: "Only users with an identity of this provider.")
        var provider: String?

        func run() throws {
            let query = UserQuery(text: q, email: email, active: active?.value, provider: provider)
            throw ExitCode(AdminCommands.listUsers(configPath: options.path, query: query, output: output.output))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one user and their identities.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Argument(help: "The user's id.") var id: Int64

        func run() throws {
            throw ExitCode(AdminCommands.showUser(configPath: options.path, id: id, output: output.output))
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user: with a local password (generated and printed once unless --password-stdin or --no-password), "
                + "and with identities, pending their first sign-in when given without a subject."
        )
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Option(name: .long, help: "The username (unique: compared by its matching key and its look-alike skeleton).")
        var username: String
        @Option(name: .long, help: "The e-mail address.")
        var email: String?
        @Option(name: .long, help: "The name shown to people.")
        var displayName: String?
        @Flag(name: .long, help: "Mark the address as verified by you (only a verified address can ever be a linking target).")
        var emailVerified = false
        @Flag(name: .long, help: "Read the password from standard input (one line) instead of generating one.")
        var passwordStdin = false
        @Flag(name: .long, help: "No local password: the user signs in through a provider.")
        var noPassword = false
        @Option(name: .long, help: "An identity to link: PROVIDER, or PROVIDER:SUBJECT (repeatable). Without a subject it waits for the person's first sign-in.")
        var identity: [String] = []

        func validate() throws {
            if passwordStdin && noPassword { throw ValidationError("--password-stdin and --no-password exclude each other") }
        }

        func run() throws {
            let identities = identity.map { text -> NewIdentity in
                guard let colon = text.firstIndex(of: ":") else { return NewIdentity(provider: text) }
                return NewIdentity(provider: String(text[..<colon]), subject: String(text[text.index(after: colon)...]))
            }
            let user = NewUser(username: username, email: email, emailVerified: emailVerified, displayName: displayName, identities: identities)
            let source: AdminCommands.PasswordSource = passwordStdin ? .standardInput : (noPassword ? .none : .generated)
            throw ExitCode(AdminCommands.createUser(configPath: options.path, user: user, password: source, output: output.output))
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a user's username, email, display name or state.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Argument(help: "The user's id.") var id: Int64
        @Option(name: .long, help: "A new username.") var username: String?
        @Option(name: .long, help: "Whether you vouch for the username (true: any provider's username matching may take it; false: forward-auth sends user:<id>).") var usernameVerified: Toggle?
        @Option(name: .long, help: "A new e-mail address (unverified unless --email-verified true).") var email: String?
        @Flag(name: .long, help: "Remove the e-mail address.") var noEmail = false
        @Option(name: .long, help: "Whether you vouch for the address.") var emailVerified: Toggle?
        @Option(name: .long, help: "Who verified the address: admin, person, or provider:SLUG.") var emailVerifiedBy: String?
        @Option(name: .long, help: "A new display name.") var displayName: String?
        @Flag(name: .long, help: "Remove the display name.") var noDisplayName = false
        @Option(name: .long, help: "false deactivates the user (revoking every session); true enables it.") var active: Toggle?

        func validate() throws {
            if email != nil && noEmail { throw ValidationError("--email and --no-email exclude each other") }
            if displayName != nil && noDisplayName { throw ValidationError("--display-name and --no-display-name exclude each other") }
        }

        func run() throws {
            var changes = UserChanges()
            changes.username = username
            changes.usernameVerified = usernameVerified?.value
            changes.email = noEmail ? .remove : (email.map { .set($0) } ?? .keep)
            changes.emailVerified = emailVerified?.value
            changes.emailVerifiedBy = emailVerifiedBy
            changes.displayName = noDisplayName ? .remove : (displayName.map { .set($0) } ?? .keep)
            changes.active = active?.value
            throw ExitCode(AdminCommands.updateUser(configPath: options.path, id: id, changes: changes, output: output.output))
        }
    }

    struct Deactivate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deactivate a user: no sign-in by any method, every session revoked.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Argument(help: "The user's id.") var id: Int64

        func run() throws {
            throw ExitCode(AdminCommands.deactivateUser(configPath: options.path, id: id, output: output.output))
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user with their identities and sessions; the audit trail stays.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Argument(help: "The user's id.") var id: Int64

        func run() throws {
            throw ExitCode(AdminCommands.deleteUser(configPath: options.path, id: id, output: output.output))
        }
    }

    struct SetPassword: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password",
            abstract: "Set a user's local password, read from standard input (one line)."
        )
        @OptionGroup var options: ConfigOption
        @Option(name: .long, help: "The user's username.") var username: String

        func run() throws {
            throw ExitCode(AdminCommands.setPassword(configPath: options.path, username: username))
        }
    }
}
