-- Members' data under GDPR (docs/decisions/0021-members-data.md): marketing consent per
-- channel with its time and source, and erasure that keeps the anonymous ledger.
--
-- *_consent         1: yes, 0: no, NULL: never asked (nothing is sent)
-- *_consent_at      when the member said so
-- *_consent_source  where: 'counter', 'import', 'cli'
-- erased_at         personal data removed (name blank, email, phone, consent gone); the id,
--                   the card code and the ledger stay, so reports stay true. An erasure's
--                   version sorts after every other (it starts with '~'), so no replica ever
--                   takes an older or concurrent edit over it: erasure is sticky everywhere.
ALTER TABLE member ADD COLUMN email_consent INTEGER;
ALTER TABLE member ADD COLUMN email_consent_at TEXT;
ALTER TABLE member ADD COLUMN email_consent_source TEXT;
ALTER TABLE member ADD COLUMN sms_consent INTEGER;
ALTER TABLE member ADD COLUMN sms_consent_at TEXT;
ALTER TABLE member ADD COLUMN sms_consent_source TEXT;
ALTER TABLE member ADD COLUMN erased_at TEXT;

DROP TRIGGER member_changed;
CREATE TRIGGER member_changed
AFTER UPDATE OF code, name, email, phone, language, email_consent, email_consent_at,
                sms_consent, sms_consent_at, erased_at ON member
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('member', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE member SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
