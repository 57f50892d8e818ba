-- 0017_logout_tokens_name_what_they_ended: a logout that arrives before the session it ends.
--
-- A provider may end its session (and send its back-channel logout token) while Gatehouse is
-- still finishing a sign-in from that session: after the code exchange, before the session
-- exists. The token then named nothing here, and the session started a moment later stayed.
-- The replay record now keeps what each token named, as SHA-256 digests (the sid and sub are the
-- provider's identifiers; nothing here needs them back), and when it was issued. A sign-in whose
-- ID token is no newer than a recorded logout naming its sid or its subject is refused: the
-- provider ended that session. Rows recorded before this migration named nothing.

ALTER TABLE logout_tokens_seen ADD COLUMN session_hash BLOB CHECK (session_hash IS NULL OR length(session_hash) = 32);
ALTER TABLE logout_tokens_seen ADD COLUMN subject_hash BLOB CHECK (subject_hash IS NULL OR length(subject_hash) = 32);
ALTER TABLE logout_tokens_seen ADD COLUMN issued_at INTEGER;
