//! Taking in events made on other tills: written as they are, then applied to their cards
//! through the same rule as the counter's own actions (`counter::card::apply`).

use std::collections::HashSet;

use crate::counter::card::LedgerBefore;
use crate::error::Result;
use crate::ids::EventId;
use crate::ledger::{Event, EventKind};
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

/// Events made elsewhere and received together (a pulled page), taken in as [`receive`] would
/// take them one after the other in this order, inside the caller's transaction: the new ones
/// written in a few statements, then applied to their cards together
/// (`card::apply_received`). Returns how many were new.
///
/// A merge, or an event made on a card from another shop, moves totals between members as it
/// arrives: a page holding one goes one event at a time (rare: merges are a manager's act).
pub(crate) async fn receive_all(tx: &mut WriteTx, events: &[Event]) -> Result<usize> {
    if events
        .iter()
        .any(|e| e.kind == EventKind::Merge || e.card_code.is_some())
    {
        let mut taken = 0;
        for event in events {
            if receive(tx, event).await? {
                taken += 1;
            }
        }
        return Ok(taken);
    }
    let ids: Vec<EventId> = events.iter().map(|e| e.id).collect();
    let known = crate::ledger::in_ledger(tx, &ids).await?;
    // The first of each id that is not here yet: a page may repeat an event.
    let mut first = HashSet::new();
    let new: Vec<&Event> = events
        .iter()
        .filter(|e| !known.contains(&e.id) && first.insert(e.id))
        .collect();
    if new.is_empty() {
        return Ok(0);
    }
    // Read before the page is written: what each event finds depends on what came before it.
    let before = LedgerBefore::read(tx, &new).await?;
    crate::ledger::write_all(tx, &new).await?;
    crate::counter::card::apply_received(tx, &new, before).await?;
    Ok(new.len())
}

impl Store {
    /// Takes in events made on other tills, received together, in one transaction (the
    /// sync's pull does the same with each page). Returns how many were new.
    pub async fn receive_events(&self, events: &[Event]) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let taken = receive_all(&mut tx, events).await?;
        self.commit(tx).await?;
        Ok(taken)
    }

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
