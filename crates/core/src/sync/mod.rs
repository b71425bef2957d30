//! Sync between a till and its chain's hub. The protocol itself comes with the sync issue; what
//! lives here already are its wire types, versioned and kept apart from the database rows
//! (`ledger::Event`), so that renaming a column or a field can never silently change what
//! tills and hubs say to each other. The hub uses these same definitions.

pub mod ingest;
pub mod wire;
