-- Conflicts found by sync (docs/decisions/0015-conflicts.md): the same reward redeemed in two
-- shops while they were apart, or a punch voided whose reward another shop already gave. A
-- manager settles each with an event, so the decision syncs like everything else:
--   forgive      the loss is accepted: the reward given stays given, the card no longer owes it
--                (on the card it cancels the redemption, as a void does)
--   charge_back  the card owes the reward: the next one it earns pays for it (no card change)
-- Both name the redemption they settle in `voids` (the event this one acts on).
--
-- The ledger's kind list is a CHECK, which SQLite cannot alter: the table is rebuilt, the
-- same columns and indexes, with the new kinds allowed. Rebuilding 20 million events is not
-- something to do twice, so the rebuild also makes room for what sync needs next (0014, "Not
-- yet"): `merge` (two members found to be one person: `member_id` keeps, `other_member` is
-- merged into it) and `card_code` (the card an event was made on, for a card from another
-- shop punched before its member's details arrived).
DROP TRIGGER event_no_update;
DROP TRIGGER event_no_delete;
CREATE TABLE event_new (
    id          BLOB PRIMARY KEY NOT NULL,
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    shop_id     BLOB NOT NULL,
    staff_id    BLOB NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL
                CHECK (kind IN ('enroll', 'punch', 'redeem', 'void', 'forgive', 'charge_back',
                                'merge')),
    member_id   BLOB NOT NULL,
    program_id  BLOB,
    amount      INTEGER NOT NULL,
    -- for a void: the event it cancels; for a settlement: the redemption it settles
    voids       BLOB,
    reason      TEXT,
    reason_code TEXT
        CHECK (reason_code IN ('wrong_member', 'scanned_twice', 'wrong_card', 'other')),
    other_member BLOB,
    card_code   TEXT,
    UNIQUE (device_id, seq),
    CHECK ((kind IN ('void', 'forgive', 'charge_back')) = (voids IS NOT NULL)),
    CHECK ((kind = 'merge') = (other_member IS NOT NULL))
);
INSERT INTO event_new (id, device_id, seq, shop_id, staff_id, at, kind, member_id, program_id,
                       amount, voids, reason, reason_code)
    SELECT id, device_id, seq, shop_id, staff_id, at, kind, member_id, program_id,
           amount, voids, reason, reason_code FROM event;
DROP TABLE event;
ALTER TABLE event_new RENAME TO event;
CREATE INDEX event_by_member ON event (member_id, at);
CREATE INDEX event_by_voided ON event (voids) WHERE voids IS NOT NULL;
CREATE INDEX event_by_staff ON event (staff_id, device_id, seq);
CREATE INDEX event_by_other_member ON event (other_member) WHERE other_member IS NOT NULL;
CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- Cards whose balance went below zero at some point (the card rule notes them as it applies
-- events): where the conflict queue looks, instead of every card. A card whose conflicts are
-- settled stays listed; the queue reads its events to tell.
CREATE TABLE conflict_watch (
    member_id   BLOB NOT NULL,
    program_id  BLOB NOT NULL,
    PRIMARY KEY (member_id, program_id)
) WITHOUT ROWID;
