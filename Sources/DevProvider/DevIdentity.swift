/// Who the person at the authorize page chose to be. Everything here is typed in by hand;
/// the provider checks only that it is well-formed, never that it is true.
struct DevIdentity: Sendable, Equatable {
    var subject: String
    /// Nil when left empty: the tokens then carry no `email` and no `email_verified`.
    var email: String?
    var emailVerified: Bool
    var name: String?
    var preferredUsername: String?

    init(subject: String, email: String? = nil, emailVerified: Bool = false, name: String? = nil, preferredUsername: String? = nil) {
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
        self.preferredUsername = preferredUsername
    }

    /// OIDC Core section 2: `sub` is at most 255 ASCII characters in practice; we allow any
    /// printable text up to 255 bytes, so a relying party's own limit can be tested at the edge.
    static let maximumSubjectBytes = 255
    static let maximumFieldBytes = 254

    /// Reads the authorize form's fields, or says what is wrong with them.
    static func fromForm(
        subject: String?, email: String?, emailVerified: String?, name: String?, preferredUsername: String?
    ) -> Result<DevIdentity, FormProblem> {
        let subject = subject ?? ""
        guard !subject.isEmpty else { return .failure(FormProblem("The subject must not be empty.")) }
        guard subject.utf8.count <= maximumSubjectBytes else {
            return .failure(FormProblem("The subject must be at most \(maximumSubjectBytes) bytes."))
        }
        for (label, value) in [("subject", subject), ("email", email ?? ""), ("name", name ?? ""), ("preferred username", preferredUsername ?? "")] {
            if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                return .failure(FormProblem("The \(label) must not contain control characters."))
            }
            if label != "subject", value.utf8.count > maximumFieldBytes {
                return .failure(FormProblem("The \(label) must be at most \(maximumFieldBytes) bytes."))
            }
        }
        let email = email.flatMap { $0.isEmpty ? nil : $0 }
        if let email, !email.contains("@") {
            return .failure(FormProblem("The email address must contain @ (or be left empty)."))
        }
        return .success(DevIdentity(
            subject: subject,
            email: email,
            emailVerified: email != nil && (emailVerified == "true" || emailVerified == "on"),
            name: name.flatMap { $0.isEmpty ? nil : $0 },
            preferredUsername: preferredUsername.flatMap { $0.isEmpty ? nil : $0 }
        ))
    }
}

/// A problem with what was typed into a form, shown back to the person beside the form.
struct FormProblem: Error, Sendable, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}
