-- The shop's time zone (docs/decisions/0022-shop-settings.md): an IANA name such as
-- 'Europe/Bucharest'. Reports count days and weeks in it, across summer time. NULL: the till's
-- own clock zone (a shop set up before this existed, until a manager sets it).
ALTER TABLE shop ADD COLUMN time_zone TEXT;

-- A change of it travels to the other tills, like the shop's name (0006's rule).
DROP TRIGGER shop_changed;
CREATE TRIGGER shop_changed AFTER UPDATE OF name, language, currency, time_zone ON shop
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('shop', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE shop SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
