-- Opening a store looks for members whose phone has no search key yet (made before 0003):
-- with this index that look is one empty index probe, not a scan of every member with a phone.
CREATE INDEX member_without_phone_tail ON member (id)
    WHERE phone_digits IS NOT NULL AND phone_tail IS NULL;
