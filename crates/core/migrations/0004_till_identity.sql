-- This till knows its own shop. Until now new events took "the" shop (SELECT ... LIMIT 1); with
-- sync a till holds other shops' rows too, and its events, programs and staff must be its own.
ALTER TABLE device ADD COLUMN shop_id BLOB REFERENCES shop (id);
UPDATE device SET shop_id = (SELECT id FROM shop ORDER BY created_at, id LIMIT 1);
CREATE INDEX program_by_shop ON program (shop_id);
