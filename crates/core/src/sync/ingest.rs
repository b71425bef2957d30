//! Taking in events made on other tills: written as they are, then applied to their cards
//! through the same rule as the counter's own actions (`counter::card::apply`).

use crate::error::Result;
use crate::ledger::Event;
use crate::store::{Store, WriteTx};

/// What became of an event received from elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// Written, and applied to its card.
    Applied,
    /// Already here (same id): nothing changed.
    Duplicate,
}

/// Writes an event made elsewhere and applies it to its card, inside the caller's transaction.
/// Returns whether it was new. Receiving it twice changes nothing, and the order events
/// arrive in does not change the cards.
pub(crate) async fn receive(tx: &mut WriteTx, event: &Event) -> Result<bool> {
    if !crate::ledger::write(tx, event).await? {
        return Ok(false);
    }
    if let (crate::ledger::EventKind::Merge, Some(other)) = (event.kind, event.other_member) {
        crate::counter::merge::regroup(tx, event.member_id, other).await?;
    }
    // Made on a card from another shop: whose it is may be known here already.
    if let Some(code) = &event.card_code {
        if crate::counter::foreign::provisional_id(code) == event.member_id {
            crate::counter::foreign::link(tx, code).await?;
        }
    }
    crate::counter::card::apply(tx, event, crate::counter::card::Arrival::Received).await?;
    Ok(true)
}

impl Store {
    /// Takes in one event made on another till, in its own transaction.
    pub async fn receive_event(&self, event: &Event) -> Result<Received> {
        let mut tx = self.begin_write().await?;
        if !receive(&mut tx, event).await? {
            return Ok(Received::Duplicate);
        }
        self.commit(tx).await?;
        Ok(Received::Applied)
    }
}
