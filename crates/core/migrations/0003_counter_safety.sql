-- The counter made safe under pressure (undo scope, reason codes, duplicate warnings, phone search).

-- A void's reason is a stable code; `reason` keeps only the cashier's own words (for "other",
-- or a manager's note). Translated words never go into the ledger: every till reads the code
-- in its own language. Voids written before this migration keep their text and no code.
ALTER TABLE event ADD COLUMN reason_code TEXT
    CHECK (reason_code IN ('wrong_member', 'scanned_twice', 'wrong_card', 'other'));

-- Undo asks "this cashier's last action on this till": an index range, not a scan of the ledger.
CREATE INDEX event_by_staff ON event (staff_id, device_id, seq);

-- Enrolment warns when the same name is already a member.
CREATE INDEX member_by_name ON member (name COLLATE NOCASE);

-- Phone search by the number's last digits, whatever form it was typed in: the digits without
-- leading zeros, reversed, so "04 08", "06 12 34 04 08" and "+33 6 12 34 04 08" all become
-- prefix ranges of one index. Filled for existing members when the store opens.
ALTER TABLE member ADD COLUMN phone_tail TEXT;
CREATE INDEX member_by_phone_tail ON member (phone_tail) WHERE phone_tail IS NOT NULL;
