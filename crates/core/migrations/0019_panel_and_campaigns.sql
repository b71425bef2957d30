-- The panel, birthdays and campaigns (docs/decisions/0031-panel-and-campaigns.md).
--
-- panel_consent*  the member agreed (1) or refused (0) to be asked for their opinion now and
--                 then, with when and where ('counter', 'import', 'cli', 'link'); NULL: never
--                 asked, so never sampled. A consent of its own, beside email and SMS.
-- birthday        'MM-DD', without the year: all a birthday offer needs, and less to hold.
ALTER TABLE member ADD COLUMN panel_consent INTEGER;
ALTER TABLE member ADD COLUMN panel_consent_at TEXT;
ALTER TABLE member ADD COLUMN panel_consent_source TEXT;
ALTER TABLE member ADD COLUMN birthday TEXT;

DROP TRIGGER member_changed;
CREATE TRIGGER member_changed
AFTER UPDATE OF code, name, email, phone, language, email_consent, email_consent_at,
                sms_consent, sms_consent_at, panel_consent, panel_consent_at, birthday,
                erased_at ON member
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('member', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE member SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;

-- A campaign: a segment of members written to on one channel, each with a coupon of their own
-- if the manager gave one. Kept on the till that ran it (the manager's), as the record of who
-- was written to, when, and with which coupon: the coupons themselves sync like any other.
--
-- segment   'at-risk', 'new', 'regulars', 'birthday', 'panel'
-- channel   'email', 'sms'
-- how       'export' (a CSV for the shop's own mail tool) or 'email' (sent by this till)
-- message   the manager's words, as written
-- link_base where the shop's pages are reached: the unsubscribe links start with it
CREATE TABLE campaign (
    id          BLOB PRIMARY KEY NOT NULL,
    segment     TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    how         TEXT NOT NULL CHECK (how IN ('export', 'email')),
    message     TEXT,
    link_base   TEXT,
    staff_id    BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
-- One row per member written to. sent_at is set when the mail server took the message (an
-- export's when the file was made), so a send cut short goes on where it stopped; refused
-- holds the mail server's answer when it would not take the message for that address.
CREATE TABLE campaign_member (
    campaign_id BLOB NOT NULL REFERENCES campaign (id),
    member_id   BLOB NOT NULL,
    coupon_id   BLOB,
    sent_at     TEXT,
    refused     TEXT,
    PRIMARY KEY (campaign_id, member_id)
) WITHOUT ROWID;
