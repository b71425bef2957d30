-- The shop's own compensation rules (docs/decisions/0030-complaints.md): for each category of
-- complaint, the coupon the till proposes. A JSON list of rules, one per category at most
-- ([{"category": "quality", "kind": "free_item", "value": 1, "text": null, "days": 30}, ...]);
-- a category without a rule proposes nothing. NULL: the built-in rules. It syncs with the shop.
ALTER TABLE shop ADD COLUMN compensation_rules TEXT;

DROP TRIGGER shop_changed;
CREATE TRIGGER shop_changed
AFTER UPDATE OF name, language, currency, time_zone, survey_interval_days, compensation_rules
ON shop
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('shop', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE shop SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
