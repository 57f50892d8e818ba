-- 0013_identity_upstream_idp: the upstream identity provider a broker names, per identity.
--
-- A broker such as CILogon fronts many identity providers and gives each person a subject per
-- upstream provider (seed 000); its `idp` claim says which one. Kept on the identity so the
-- account page and the operator can tell two identities of one broker apart. Written from the
-- verified claims at each sign-in; bounded like any claim text Gatehouse keeps.
ALTER TABLE identities ADD COLUMN upstream_idp TEXT CHECK (upstream_idp IS NULL OR length(upstream_idp) BETWEEN 1 AND 512);
