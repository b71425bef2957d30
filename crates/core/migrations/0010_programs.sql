-- Programs a manager runs (docs/decisions/0019-programs.md): points as well as stamps, paused
-- or retired, rewards that expire, a minimum time between two punches of one member.
-- Added columns only: a program row is small and few, and the ledger is not touched.
--
-- kind             'stamps': punches_needed stamps earn `reward`.
--                  'points': punches are points (punches_needed is 1, so the card's "rewards
--                  available" is the points balance) and a redemption spends the points of one
--                  of the `tiers`.
-- points_per_unit  points: points earned for each whole unit of the shop's currency spent.
-- tiers            points: JSON [{"points": 100, "reward": "A coffee"}, ...], cheapest first.
-- reward_days      stamps: a reward not redeemed within so many days of being earned lapses.
-- min_gap_minutes  a member's next punch is refused for so long after the last one, unless the
--                  cashier overrides with a reason (kept on the punch event).
-- retired_at       a retired program takes no punches ever again; what members earned stays
--                  theirs to redeem. `active` = 0 without `retired_at` is a paused program.
ALTER TABLE program ADD COLUMN kind TEXT NOT NULL DEFAULT 'stamps'
    CHECK (kind IN ('stamps', 'points'));
ALTER TABLE program ADD COLUMN points_per_unit INTEGER;
ALTER TABLE program ADD COLUMN tiers TEXT;
ALTER TABLE program ADD COLUMN reward_days INTEGER;
ALTER TABLE program ADD COLUMN min_gap_minutes INTEGER;
ALTER TABLE program ADD COLUMN retired_at TEXT;

-- A change to any field a manager can edit travels to the other tills (0006's rule).
DROP TRIGGER program_changed;
CREATE TRIGGER program_changed
AFTER UPDATE OF name, reward, active, tiers, points_per_unit, reward_days, min_gap_minutes,
                retired_at ON program
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('program', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE program SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;

-- Punches a cashier made inside the minimum time, with a reason: the audit trail lists them
-- without reading the ledger.
CREATE INDEX event_overrides ON event (at) WHERE kind = 'punch' AND reason IS NOT NULL;
