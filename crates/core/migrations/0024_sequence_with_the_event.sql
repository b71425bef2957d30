-- A counter action writes its event and takes the till's next sequence number in one statement
-- (issue 12: each statement is a round trip to sqlx's worker thread, and a punch was seven).
-- The event is inserted with `device.next_seq` as its number, and this trigger moves the
-- counter past it in the same statement, so the sequence stays gap-free: a rolled-back action
-- takes its number back with it.
--
-- It fires for any event of this till's own device whose number is not below the counter: an
-- action's, a generated history's (`support::history`, which sets the counter as well), and one
-- of this till's own events coming back through sync. The last can only move the counter
-- forward, never back onto a number already used.
CREATE TRIGGER device_sequence_taken AFTER INSERT ON event
WHEN NEW.device_id = (SELECT id FROM device) AND NEW.seq >= (SELECT next_seq FROM device)
BEGIN
    UPDATE device SET next_seq = NEW.seq + 1;
END;
