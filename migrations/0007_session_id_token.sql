-- 0007_session_id_token: the ID token a provider sign-in ended with, kept for sign-out.
--
-- OpenID Connect RP-Initiated Logout sends it back to the provider's end_session_endpoint as
-- id_token_hint, so the provider knows which of its sessions to end. It grants nothing here
-- (Gatehouse never accepts it as a credential), it is cleared when the session is signed out,
-- and it goes when the session row is purged. Bounded like any JWS Gatehouse accepts (64 KiB).
ALTER TABLE sessions ADD COLUMN id_token TEXT CHECK (id_token IS NULL OR length(id_token) <= 65536);
