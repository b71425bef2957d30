-- Merging duplicate members (docs/decisions/0016-merging-members.md). A merge is a ledger event
-- (`merge`: `member_id` keeps, `other_member` is merged into it) and syncs like any other. What it
-- means here is kept in this table: each merged member and the member it now stands for. It is
-- derived from the merge events alone (rebuilt for a group of members whenever one of their
-- merges arrives, in any order), so it never travels itself.
CREATE TABLE member_alias (
    alias_id   BLOB PRIMARY KEY NOT NULL,
    member_id  BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX member_alias_by_member ON member_alias (member_id);

-- Cards of the chain this till knows no member of yet (their member was enrolled in another
-- shop and has not arrived): the card's token verifies under the chain key, so the till accepts
-- punches on it under a provisional member id derived from the card's code (every till derives
-- the same one). When the card's record arrives, the provisional member stands for the card's
-- holder (a row in member_alias) and its card totals move there.
CREATE TABLE provisional_card (
    member_id  BLOB PRIMARY KEY NOT NULL,
    code       TEXT NOT NULL,
    seen_at    TEXT NOT NULL
) WITHOUT ROWID;
