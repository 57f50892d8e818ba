-- 0006_session_groups: the group values a session signed in with, for forward-auth.
--
-- Read once at sign-in from the configured claim (forward_auth.groups_claim) and stored here,
-- so `GET /auth/verify` answers from this row alone, without parsing any JSON. The values are
-- joined with a newline (which no stored value contains); NULL means none. The application keeps
-- at most 64 values of at most 255 bytes each, so 64 * 255 + 63 separators is the longest text.
-- Existing sessions get NULL: they signed in before groups were recorded.
ALTER TABLE sessions ADD COLUMN groups TEXT CHECK (groups IS NULL OR length(groups) BETWEEN 1 AND 16383);
