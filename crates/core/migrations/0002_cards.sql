-- Printed loyalty cards. Every code ever issued stays here: a lost card is revoked (never
-- deleted) and a new one issued, so scanning the old card can say it was replaced. Revocation
-- only ever goes from NULL to a time, so replicas merge it without conflict (sync issue).
CREATE TABLE member_card (
    code         TEXT PRIMARY KEY NOT NULL,
    member_id    BLOB NOT NULL REFERENCES member (id),
    issued_at    TEXT NOT NULL,
    revoked_at   TEXT,
    replaced_by  TEXT
) WITHOUT ROWID;
CREATE INDEX member_card_by_member ON member_card (member_id);
INSERT INTO member_card (code, member_id, issued_at) SELECT code, id, created_at FROM member;

-- The chain's card keys. A card's QR carries a MAC under one of them, so any till of the chain
-- verifies any card offline; the keys travel with sync. The id is printed in every token, so a
-- key can be rotated without reprinting the cards made under the old one.
CREATE TABLE chain_key (
    id          TEXT PRIMARY KEY NOT NULL,
    secret      BLOB NOT NULL,
    created_at  TEXT NOT NULL
) WITHOUT ROWID;
