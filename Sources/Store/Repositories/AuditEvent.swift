/// Every event the audit log can hold: one typed vocabulary, so a reader of the trail (or a
/// grep) knows the complete list, and no file invents a name of its own. The raw values are the
/// stored `audit_log.event` strings and are stable: operators' queries depend on them.
public enum AuditEvent: String, Sendable, CaseIterable {
    /// A person signed in (any method: the detail names it), in the same transaction as the
    /// session it made.
    case signInSucceeded = "sign_in.success"
    /// A provider sign-in (or an account-page link) was refused; the detail names the reason.
    case signInRefused = "sign_in.refused"
    /// The userinfo answer was discarded (its `sub` differed, or it was malformed) and the ID
    /// token's claims were used alone.
    case userinfoDiscarded = "sign_in.userinfo_discarded"
    /// A password (or identification) attempt failed; the detail names why, never the password.
    case passwordFailed = "login.failed"
    /// A password or identification attempt was refused by the throttle before any check.
    case passwordRateLimited = "login.rate_limited"
    /// The identification step of the sign-in form (an identifier without a password).
    case identificationStep = "login.identified"
    case signedOut = "sign_out"
    /// A provider's verified back-channel logout token ended sessions (OIDC Back-Channel Logout
    /// 1.0); the detail says how many and whether it named a sid, a sub or both, never their values.
    case backChannelLogout = "sign_out.back_channel"
    /// A provider's verified back-channel logout token named no session here (the person signed
    /// out here first, or never signed in). An event of its own because anyone the provider
    /// authenticates can cause one, so it is kept to the unauthenticated budget (migration
    /// 0018), while the entries of sessions really ended are never removed to make room.
    case backChannelLogoutUnmatched = "sign_out.back_channel_unmatched"
    /// An identity was linked to an existing user (by email, username or the account page).
    case identityLinked = "identity.linked"
    /// A pre-provisioned identity got its subject at its first sign-in.
    case identitySubjectFilled = "identity.subject_filled"
    case identityUnlinked = "identity.unlinked"
    /// An operator moved a provider's identities to its new issuer.
    case issuerRekeyed = "identities.issuer_rekeyed"
    /// An operator created a user.
    case userCreated = "user.created"
    /// An operator set a user's password.
    case passwordSet = "user.password_set"
    /// An operator changed a user's attributes; the detail names the fields, never their values.
    case userUpdated = "user.updated"
    /// An operator deactivated a user; every session of theirs was revoked with it.
    case userDeactivated = "user.deactivated"
    /// An operator deleted a user with its identities and sessions; the trail keeps its entries.
    case userDeleted = "user.deleted"
    /// An operator revoked one session.
    case sessionRevoked = "session.revoked"
    /// An operator revoked every session of a user.
    case sessionsRevoked = "sessions.revoked"
    /// An API token was made (its secret is never written anywhere but to its maker, once).
    case tokenCreated = "api_token.created"
    case tokenRevoked = "api_token.revoked"
    /// A request to the admin API (or a token-protected `/metrics`) carried no usable token.
    case apiAuthenticationFailed = "api.authentication_failed"
    /// Further failures from an address past its free ones: answered 429, written once.
    case apiAuthenticationRateLimited = "api.authentication_rate_limited"
    /// A first sign-in through a provider created a user.
    case userProvisioned = "user.provisioned"
    /// A directory synchronisation finished (or was a dry run); the detail carries its counts.
    case directorySynced = "directory.synced"
    /// A directory synchronisation stopped before changing anything: the directory returned
    /// nothing, or it would have deactivated more than the configured share of its users.
    case directorySyncStopped = "directory.sync_stopped"
    /// A directory synchronisation failed (the directory or the database) after it had begun
    /// writing: the detail carries what the batches already committed had changed.
    case directorySyncFailed = "directory.sync_failed"
    /// Written by migration 0008 (in SQL): two users whose recomputed matching keys (or
    /// username skeletons) collide. They are not merged; the engine denies `ambiguous_match`.
    case keyCollision = "migration.key_collision"
    /// Written by migration 0022 (in SQL): a verified username that neither an operator nor a
    /// provider is shown to have chosen, its verifier now `provider:(unknown)`.
    case usernameVerifierUnknown = "migration.username_verifier_unknown"
    /// Written by migration 0023 (in SQL): a user whose verified email another user held
    /// verified too; the other kept it, and this user's address is now unverified.
    case verifiedEmailDuplicate = "migration.verified_email_duplicate"
}
