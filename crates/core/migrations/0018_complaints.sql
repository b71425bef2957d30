-- Complaints (docs/decisions/0030-complaints.md): logged by any staff member at the counter in a
-- few taps, for a member or nobody in particular; owned by someone until put right, with a time
-- it is due by; the compensation given on the spot (a coupon); and, at the member's next visit,
-- their answer to "Was this put right?".
--
-- A complaint is a shared record (last version wins, like a member), so the chain's tills and
-- its hub see the same ones. Its first words never change, but for an erasure of its member,
-- which blanks them; what happens to it is set later: its owner, its coupon, its resolution,
-- the member's answer.
--
-- category    'quality', 'service', 'wait', 'price', 'cleanliness', 'other'
-- severity    'low', 'medium', 'high' (it sets when the complaint is due: 7 days, 3 days, 1 day)
-- follow_up   the member's answer at their next visit: 'yes' (put right), 'no', or not asked yet
CREATE TABLE complaint (
    id              BLOB PRIMARY KEY NOT NULL,
    shop_id         BLOB NOT NULL,
    member_id       BLOB,
    category        TEXT NOT NULL
                    CHECK (category IN ('quality', 'service', 'wait', 'price', 'cleanliness',
                                        'other')),
    severity        TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    note            TEXT NOT NULL,
    logged_by       BLOB NOT NULL,
    logged_at       TEXT NOT NULL,
    owner_id        BLOB NOT NULL,
    due_at          TEXT NOT NULL,
    coupon_id       BLOB,
    resolved_at     TEXT,
    resolved_by     BLOB,
    resolution      TEXT,
    follow_up       TEXT CHECK (follow_up IN ('yes', 'no')),
    followed_up_at  TEXT,
    followed_up_by  BLOB,
    version         TEXT NOT NULL DEFAULT ''
);
-- The open ones, soonest due first; a member's still to ask about.
CREATE INDEX complaint_open ON complaint (due_at) WHERE resolved_at IS NULL;
CREATE INDEX complaint_to_follow_up ON complaint (member_id)
    WHERE member_id IS NOT NULL AND follow_up IS NULL;

CREATE TRIGGER complaint_created AFTER INSERT ON complaint WHEN new.version = '' BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('complaint', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE complaint SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
CREATE TRIGGER complaint_changed
AFTER UPDATE OF note, owner_id, due_at, coupon_id, resolved_at, resolved_by, resolution,
                follow_up, followed_up_at, followed_up_by ON complaint
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('complaint', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE complaint SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
