//! A past written straight into the ledger, at times of the caller's choosing: the seeded
//! generator of big stores (`tessera dev seed`, the benchmarks), the reports' fixtures, and
//! the demo café's last months. Never used by the counter, whose events are stamped "now".
//!
//! The events are this till's own (its device, its gap-free sequence) and the cards' totals
//! are added up as they go, so that the store it leaves passes `doctor` like any other.
//! Writes commit every [`EVENTS_PER_COMMIT`] events: a 20,000,000-event store is built in one
//! pass without one giant transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::counter::card::{contribution, CardTotals, Fact};
use crate::counter::enrol::{insert_member_and_card, ValidMember};
use crate::error::{CoreError, Result};
use crate::ids::{DeviceId, EventId, MemberId, ProgramId, ShopId, StaffId};
use crate::ledger::{Event, EventKind, ReasonCode};
use crate::people::members::NewMember;
use crate::store::{Store, WriteTx};

pub const EVENTS_PER_COMMIT: usize = 50_000;
/// Events go in by multi-row INSERTs of this many: one statement per event would spend most
/// of a 20,000,000-event seed on statement round trips.
const EVENTS_PER_INSERT: usize = 500;

/// An event the writer wrote, to void it later.
#[derive(Clone, Copy, Debug)]
pub struct Written(Fact);

impl Written {
    pub fn id(&self) -> EventId {
        self.0.id
    }
}

pub struct HistoryWriter<'s> {
    store: &'s Store,
    tx: Option<WriteTx>,
    device_id: DeviceId,
    shop_id: ShopId,
    shop_language: String,
    next_seq: i64,
    uncommitted: usize,
    pending: Vec<Event>,
    cards: HashMap<(MemberId, ProgramId), CardTotals>,
}

impl Store {
    /// A writer of past events on this (set-up) till.
    pub async fn history_writer(&self) -> Result<HistoryWriter<'_>> {
        let shop = self.require_shop().await?;
        let mut tx = self.begin_write().await?;
        let (device_id, next_seq, shop_id): (DeviceId, i64, Option<ShopId>) =
            sqlx::query_as("SELECT id, next_seq, shop_id FROM device")
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(CoreError::ShopNotSetUp)?;
        if shop_id != Some(shop.id) {
            return Err(CoreError::ShopNotSetUp);
        }
        Ok(HistoryWriter {
            store: self,
            tx: Some(tx),
            device_id,
            shop_id: shop.id,
            shop_language: shop.language,
            next_seq,
            uncommitted: 0,
            pending: Vec::with_capacity(EVENTS_PER_INSERT),
            cards: HashMap::new(),
        })
    }
}

impl HistoryWriter<'_> {
    /// A member enrolled at `at` by `staff`: their row, their card and the `enroll` event.
    pub async fn enrol(
        &mut self,
        staff: StaffId,
        new: &NewMember,
        at: DateTime<Utc>,
    ) -> Result<MemberId> {
        let valid = ValidMember::check_each(new, &self.shop_language).map_err(|mut problems| {
            problems.swap_remove(0).1 // the first problem says enough for generated data
        })?;
        let shop_id = self.shop_id;
        let (id, _code) = insert_member_and_card(self.tx()?, shop_id, &valid, at).await?;
        self.event(staff, EventKind::Enroll, id, None, 0, at)
            .await?;
        Ok(id)
    }

    /// A punch or a redemption of `amount` on `program`, or an enrolment (no program).
    pub async fn event(
        &mut self,
        staff: StaffId,
        kind: EventKind,
        member_id: MemberId,
        program_id: Option<ProgramId>,
        amount: i64,
        at: DateTime<Utc>,
    ) -> Result<Written> {
        self.write(staff, kind, member_id, program_id, amount, None, None, at)
            .await
    }

    /// A punch made sooner than its program's minimum time, with the cashier's reason.
    pub async fn override_punch(
        &mut self,
        staff: StaffId,
        member_id: MemberId,
        program_id: ProgramId,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Written> {
        let kind = EventKind::Punch;
        let program = Some(program_id);
        self.write(staff, kind, member_id, program, 1, None, Some(reason), at)
            .await
    }

    /// A void of an event written earlier by this writer.
    pub async fn void(
        &mut self,
        staff: StaffId,
        target: Written,
        at: DateTime<Utc>,
    ) -> Result<Written> {
        let voids = Some(target.0.id);
        let (member, program) = (target.0.member_id, target.0.program_id);
        let void = self
            .write(staff, EventKind::Void, member, program, 0, voids, None, at)
            .await?;
        if let (Some(program), Some(taken)) = (program, contribution(&target.0)) {
            let card = self.cards.entry((member, program)).or_default();
            card.punches_total -= taken.punches_total;
            card.redeemed_total -= taken.redeemed_total;
        }
        Ok(void)
    }

    #[allow(clippy::too_many_arguments)] // one private funnel for the public shapes above
    async fn write(
        &mut self,
        staff_id: StaffId,
        kind: EventKind,
        member_id: MemberId,
        program_id: Option<ProgramId>,
        amount: i64,
        voids: Option<EventId>,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Written> {
        let event = Event {
            id: EventId::new(),
            device_id: self.device_id,
            seq: self.next_seq,
            shop_id: self.shop_id,
            staff_id,
            at,
            kind,
            member_id,
            program_id,
            amount,
            voids,
            reason_code: voids.map(|_| ReasonCode::ScannedTwice),
            reason: reason.map(str::to_string),
            other_member: None,
            card_code: None,
            coupon_id: None,
        };
        let fact = Fact::from(&event);
        self.pending.push(event);
        if self.pending.len() >= EVENTS_PER_INSERT {
            self.write_pending().await?;
        }
        self.next_seq += 1;
        if let (Some(program), Some(added)) = (program_id, contribution(&fact)) {
            let card = self.cards.entry((member_id, program)).or_default();
            card.punches_total += added.punches_total;
            card.redeemed_total += added.redeemed_total;
        }
        self.uncommitted += 1;
        if self.uncommitted >= EVENTS_PER_COMMIT {
            self.commit_so_far().await?;
        }
        Ok(Written(fact))
    }

    async fn write_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let events = std::mem::take(&mut self.pending);
        let rows: Vec<&Event> = events.iter().collect();
        crate::ledger::write_all(self.tx()?, &rows).await?;
        self.pending = events;
        self.pending.clear();
        Ok(())
    }

    /// Writes what was added up so far (events, cards, the device's next sequence) and
    /// commits.
    async fn commit_so_far(&mut self) -> Result<()> {
        self.write_pending().await?;
        let mut tx = self.tx.take().ok_or_else(Self::finished)?;
        for ((member, program), delta) in self.cards.drain() {
            crate::counter::card::add_to_totals(&mut tx, member, program, delta).await?;
        }
        sqlx::query("UPDATE device SET next_seq = ? WHERE id = ?")
            .bind(self.next_seq)
            .bind(self.device_id)
            .execute(&mut *tx)
            .await?;
        self.store.commit(tx).await?;
        self.uncommitted = 0;
        self.tx = Some(self.store.begin_write().await?);
        Ok(())
    }

    /// Commits the rest.
    pub async fn finish(mut self) -> Result<()> {
        self.commit_so_far().await?;
        if let Some(tx) = self.tx.take() {
            tx.rollback().await?; // the empty one commit_so_far opened
        }
        Ok(())
    }

    fn tx(&mut self) -> Result<&mut WriteTx> {
        self.tx.as_mut().ok_or_else(Self::finished)
    }

    fn finished() -> CoreError {
        CoreError::internal("history", "the writer was already finished")
    }
}
