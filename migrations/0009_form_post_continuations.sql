-- 0009_form_post_continuations: a form_post callback continues as a same-origin GET.
--
-- With response_mode=form_post the provider's page POSTs the authorization response to the
-- callback from its own origin: a cross-site POST, which carries no SameSite=Lax cookie, so the
-- browser's session (an account-page link, the session a sign-in replaces) and its flow binding
-- are missing. Gatehouse keeps the posted response beside the flow it names (by state), under a
-- fresh single-use reference, and answers 303 to GET /oidc/<provider>/callback?continue=<ref>:
-- a top-level same-origin navigation, where the cookies arrive. Only the reference's SHA-256 is
-- stored. The POST writes only to a flow that exists, is unused and unexpired, and only once.
ALTER TABLE sign_in_flows ADD COLUMN continuation_hash BLOB CHECK (continuation_hash IS NULL OR length(continuation_hash) = 32);
-- The posted response's five parameters (code, state, iss, error, error_description) as an
-- application/x-www-form-urlencoded text, each at most 4096 bytes before encoding.
ALTER TABLE sign_in_flows ADD COLUMN posted_response TEXT CHECK (posted_response IS NULL OR length(posted_response) <= 65536);
CREATE UNIQUE INDEX sign_in_flows_continuation_hash ON sign_in_flows (continuation_hash) WHERE continuation_hash IS NOT NULL;
