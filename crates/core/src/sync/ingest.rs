//! Taking in events made on other tills: written as they are, then applied to their cards
//! through the same rule as the counter's own actions (`counter::card::apply`). The sync
//! protocol (the sync issue) builds on this.

use crate::error::Result;
use crate::ledger::Event;
use crate::store::Store;

/// What became of an event received from elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// Written, and applied to its card.
    Applied,
    /// Already here (same id): nothing changed.
    Duplicate,
}

impl Store {
    /// Takes in an event made on another till (sync ingestion; the sync issue builds the
    /// protocol on this): written as it is, then applied to its card through the same rule as
    /// the counter's own actions, in one transaction. Receiving it twice changes nothing, and
    /// the order events arrive in does not change the cards.
    pub async fn receive_event(&self, event: &Event) -> Result<Received> {
        let mut tx = self.begin_write().await?;
        if !crate::ledger::write(&mut tx, event).await? {
            return Ok(Received::Duplicate);
        }
        crate::counter::card::apply(&mut tx, event).await?;
        self.commit(tx).await?;
        Ok(Received::Applied)
    }
}
