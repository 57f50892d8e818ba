-- 0020_logout_tokens_by_subject: the replay record's rows of one subject, found by index.
--
-- Each logout token naming a `sub` now counts that subject's live rows, and past its share
-- deletes its first-expiring ones (`LogoutTokenLedger.sharePerSubject`), inside the write
-- transaction that acts on the token. Without an index that is a scan of up to 10,000 of the
-- issuer's rows per logout, holding the one writer (review finding).

CREATE INDEX logout_tokens_seen_issuer_subject ON logout_tokens_seen (issuer, subject_hash, expires_at) WHERE subject_hash IS NOT NULL;
