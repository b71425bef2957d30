-- Every scan needs the shop's programs and, for a card token, the chain's keys. Both change
-- rarely, so a store keeps them in memory (store::cached) and asks only whether they are still
-- current: these counters move with every change to either table, by any process (the CLI
-- beside the app, a sync), in the same transaction as the change. The scan's one statement
-- reads them beside the member (issue 12: a scan in one round trip).
--
-- Each starts at a random number, so a store opened on another file (a restored backup, a copy)
-- never takes the old file's programs for its own: a counter can only match by chance once in
-- about a billion, and a restored backup of the same file shows an older count.
CREATE TABLE cache_stamp (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    programs INTEGER NOT NULL,
    chain_keys INTEGER NOT NULL
);
INSERT INTO cache_stamp (id, programs, chain_keys)
VALUES (1, abs(random() % 1000000000) * 1000, abs(random() % 1000000000) * 1000);

CREATE TRIGGER cache_stamp_program_added AFTER INSERT ON program BEGIN
    UPDATE cache_stamp SET programs = programs + 1 WHERE id = 1;
END;
CREATE TRIGGER cache_stamp_program_changed AFTER UPDATE ON program BEGIN
    UPDATE cache_stamp SET programs = programs + 1 WHERE id = 1;
END;
CREATE TRIGGER cache_stamp_program_removed AFTER DELETE ON program BEGIN
    UPDATE cache_stamp SET programs = programs + 1 WHERE id = 1;
END;
CREATE TRIGGER cache_stamp_chain_key_added AFTER INSERT ON chain_key BEGIN
    UPDATE cache_stamp SET chain_keys = chain_keys + 1 WHERE id = 1;
END;
CREATE TRIGGER cache_stamp_chain_key_changed AFTER UPDATE ON chain_key BEGIN
    UPDATE cache_stamp SET chain_keys = chain_keys + 1 WHERE id = 1;
END;
CREATE TRIGGER cache_stamp_chain_key_removed AFTER DELETE ON chain_key BEGIN
    UPDATE cache_stamp SET chain_keys = chain_keys + 1 WHERE id = 1;
END;
