-- Reports (docs/decisions/0023-reports.md) read the ledger by time: a period's events are an
-- index range, never a scan of the whole ledger. On a store of 20,000,000 events the index
-- is built once, when this migration runs (about a minute on the counter PC).
CREATE INDEX event_by_at ON event (at);
