-- 0019_sign_in_flows_per_client: a full flow table makes room from the client holding most.
--
-- Anyone can start a sign-in, and each start stores a flow for ten minutes, at most
-- `database.max_pending_sign_in_flows` of them. At capacity a start first deleted the oldest
-- flows, whoever had started them. A review found the flaw: each client (an IPv4 address or an
-- IPv6 /64) may start 10,000 sign-ins at once, so ten clients' bursts replaced the whole table,
-- and every person then at their provider came back to a sign-in that no longer existed. Now
-- each flow records its client's block, and at capacity the oldest flow of the block holding
-- the most flows goes: a flood evicts its own flows first, and a person's flow goes only when
-- their block holds more than any other.
--
-- The capacity is now checked against an exact count kept by triggers, because flows evicted
-- from the middle of the table no longer shorten the span of ids that stood in for it.

ALTER TABLE sign_in_flows ADD COLUMN client_block TEXT NOT NULL DEFAULT '' CHECK (length(client_block) <= 64);

-- A block's flows, oldest first.
CREATE INDEX sign_in_flows_client_block ON sign_in_flows (client_block, id);

-- How many flows each block holds; a block holding none has no row.
CREATE TABLE sign_in_flow_clients (
    client_block TEXT PRIMARY KEY,
    stored INTEGER NOT NULL CHECK (stored > 0)
) WITHOUT ROWID;

-- The block holding the most is the last entry of this index.
CREATE INDEX sign_in_flow_clients_stored ON sign_in_flow_clients (stored);

-- How many flows are stored in all.
CREATE TABLE sign_in_flow_count (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    stored INTEGER NOT NULL CHECK (stored >= 0)
);

INSERT INTO sign_in_flow_clients (client_block, stored)
SELECT client_block, count(*) FROM sign_in_flows GROUP BY client_block;

INSERT INTO sign_in_flow_count (id, stored) SELECT 1, count(*) FROM sign_in_flows;

CREATE TRIGGER sign_in_flows_counted_when_stored AFTER INSERT ON sign_in_flows
BEGIN
    INSERT INTO sign_in_flow_clients (client_block, stored) VALUES (NEW.client_block, 1)
    ON CONFLICT (client_block) DO UPDATE SET stored = stored + 1;
    UPDATE sign_in_flow_count SET stored = stored + 1 WHERE id = 1;
END;

-- Deleted flows (claimed ones past expiry, expired, evicted, or a linking user's, by cascade).
CREATE TRIGGER sign_in_flows_counted_when_deleted AFTER DELETE ON sign_in_flows
BEGIN
    DELETE FROM sign_in_flow_clients WHERE client_block = OLD.client_block AND stored = 1;
    UPDATE sign_in_flow_clients SET stored = stored - 1 WHERE client_block = OLD.client_block;
    UPDATE sign_in_flow_count SET stored = stored - 1 WHERE id = 1;
END;
