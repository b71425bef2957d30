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
