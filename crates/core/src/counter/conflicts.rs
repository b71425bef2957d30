//! The conflict queue: redemptions that sync shows the card could not pay for. Punching works
//! offline always and redeeming works against the balance a till knows, so two shops apart can
//! give the same reward, or one can void a punch whose reward another already gave. Both
//! redemptions stay in the ledger, the card's balance goes below zero, and the case waits here
//! for a manager, who settles it with an event (docs/decisions/0015-conflicts.md):
//!
//!   forgive      accept the loss: the card no longer owes the reward
//!   charge_back  the card owes it: the next reward it earns pays for it
//!
//! Which redemption is "the one too many" is decided from the set of the card's events alone,
//! so every till names the same one: the card's rewards earned pay for its redemptions in time
//! order (then by id); a redemption they do not cover is in conflict until it is settled.
//!
//! A coupon used twice is the same case without a card: its first use (by time, then id)
//! stands, every later one waits here, and only accepting the loss settles it (there is no
//! next reward to take it from).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::counter::card::{self, CardTotals, CardView};
use crate::error::{CoreError, Result};
use crate::ids::{CouponId, EventId, MemberId, ProgramId};
use crate::input::validate;
use crate::ledger::{self, Event, EventKind, NewEvent, ReasonCode, VoidReason};
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::{Store, WriteTx};

/// A redemption the card could not pay for, or a coupon's use after its first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Conflict {
    /// The redemption (or coupon use) in conflict: what a settlement names.
    pub id: EventId,
    /// The nil id for a coupon given to nobody in particular.
    pub member_id: MemberId,
    /// `None` while the member's details have not arrived here.
    pub member_name: Option<String>,
    pub member_code: Option<String>,
    /// The card's program; `None` for a coupon.
    pub program_id: Option<ProgramId>,
    pub program_name: Option<String>,
    /// The coupon used twice, and what it says (when its record is here).
    pub coupon_id: Option<CouponId>,
    pub coupon_text: Option<String>,
    /// The shop where this redemption was made.
    pub shop_name: Option<String>,
    pub at: DateTime<Utc>,
    /// How many of its rewards the card cannot pay for.
    pub rewards_short: i64,
    /// The card's rewards available now (below zero).
    pub balance: i64,
}

/// A conflict settled: the settlement's event, and the card as it now stands (none for a
/// coupon).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Settled {
    pub event: Event,
    pub card: Option<CardView>,
}

/// How a manager settles a conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    /// The shop takes the loss: the card no longer owes the reward.
    Accept,
    /// The next reward the card earns pays for this one.
    ChargeBack,
}

/// The redemptions of one card the card cannot pay for, and by how many rewards each, from
/// the card's events (any order, each once) and its program's punches per reward. Settled
/// ones (forgiven or charged back) are left out; a charged-back one still counts against the
/// card until a reward earned later covers it.
pub fn unpaid(events: &[Event], punches_needed: i64) -> Vec<(EventId, i64)> {
    let totals = CardTotals::from_events(events.iter());
    let mut paid_for = totals.rewards_earned(punches_needed);
    let cancelled: HashSet<EventId> = events
        .iter()
        .filter(|e| e.kind.cancels())
        .filter_map(|e| e.voids)
        .collect();
    let settled: HashSet<EventId> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Forgive | EventKind::ChargeBack))
        .filter_map(|e| e.voids)
        .collect();
    let mut redemptions: Vec<&Event> = events
        .iter()
        .filter(|e| e.kind == EventKind::Redeem && !cancelled.contains(&e.id))
        .collect();
    redemptions.sort_by_key(|e| (e.at, e.id));
    redemptions.dedup_by_key(|e| e.id);
    let mut short = Vec::new();
    for redemption in redemptions {
        let covered = paid_for.min(redemption.amount);
        paid_for -= covered;
        let missing = redemption.amount - covered;
        if missing > 0 && !settled.contains(&redemption.id) {
            short.push((redemption.id, missing));
        }
    }
    short
}

/// Notes a card whose balance went below zero (or may have: its program has not arrived), so
/// the queue finds it without reading every card. Called by the card rule on every change.
pub(crate) async fn watch(
    tx: &mut WriteTx,
    member_id: MemberId,
    program_id: ProgramId,
    totals: CardTotals,
) -> Result<()> {
    if totals.redeemed_total <= 0 {
        return Ok(());
    }
    let needed: Option<i64> = sqlx::query_scalar("SELECT punches_needed FROM program WHERE id = ?")
        .bind(program_id)
        .fetch_optional(&mut **tx)
        .await?;
    if needs_watching(totals, needed) {
        note(tx, member_id, program_id).await?;
    }
    Ok(())
}

/// [`watch`] for a card [`card::add_to_totals`](crate::counter::card::add_to_totals) just
/// changed, which says what its program needs: no statement unless the card goes on the list.
pub(crate) async fn watch_changed(
    tx: &mut WriteTx,
    changed: &crate::counter::card::Changed,
) -> Result<()> {
    if needs_watching(changed.totals, changed.punches_needed) {
        note(tx, changed.holder, changed.program_id).await?;
    }
    Ok(())
}

/// Whether a card with these totals goes on the watch list: something redeemed, and either
/// below zero or its program (`punches_needed`) not here yet.
pub(crate) fn needs_watching(totals: CardTotals, punches_needed: Option<i64>) -> bool {
    totals.redeemed_total > 0 && punches_needed.is_none_or(|n| totals.rewards_available(n) < 0)
}

pub(crate) async fn note(
    tx: &mut WriteTx,
    member_id: MemberId,
    program_id: ProgramId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO conflict_watch (member_id, program_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(member_id)
    .bind(program_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Every redemption in conflict, newest first.
    pub async fn conflicts(&self) -> Result<Vec<Conflict>> {
        let watched: Vec<(MemberId, ProgramId, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT w.member_id, w.program_id, p.punches_needed, p.name
             FROM conflict_watch w LEFT JOIN program p ON p.id = w.program_id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut conflicts = Vec::new();
        for (member_id, program_id, needed, program_name) in watched {
            // A program not here yet: its conflicts show once it arrives.
            let Some(needed) = needed else { continue };
            let events = self.card_events(member_id, program_id).await?;
            let unpaid = unpaid(&events, needed);
            if unpaid.is_empty() {
                continue;
            }
            let balance = CardTotals::from_events(events.iter()).rewards_available(needed);
            let member: Option<(String, String)> =
                sqlx::query_as("SELECT name, code FROM member WHERE id = ?")
                    .bind(member_id)
                    .fetch_optional(self.pool())
                    .await?;
            for (id, rewards_short) in unpaid {
                let Some(redemption) = events.iter().find(|e| e.id == id) else {
                    continue;
                };
                let shop_name: Option<String> =
                    sqlx::query_scalar("SELECT name FROM shop WHERE id = ?")
                        .bind(redemption.shop_id)
                        .fetch_optional(self.pool())
                        .await?;
                conflicts.push(Conflict {
                    id,
                    member_id,
                    member_name: member.as_ref().map(|m| m.0.clone()),
                    member_code: member.as_ref().map(|m| m.1.clone()),
                    program_id: Some(program_id),
                    program_name: program_name.clone(),
                    coupon_id: None,
                    coupon_text: None,
                    shop_name,
                    at: redemption.at,
                    rewards_short,
                    balance,
                });
            }
        }
        conflicts.extend(self.coupon_conflicts().await?);
        conflicts.sort_by(|a, b| b.at.cmp(&a.at).then(a.id.cmp(&b.id)));
        Ok(conflicts)
    }

    /// Every use of a coupon after its first standing one (by time, then id: every till names
    /// the same).
    async fn coupon_conflicts(&self) -> Result<Vec<Conflict>> {
        #[derive(sqlx::FromRow)]
        struct Use {
            id: EventId,
            coupon_id: CouponId,
            member_id: MemberId,
            at: DateTime<Utc>,
            shop_name: Option<String>,
            member_name: Option<String>,
            member_code: Option<String>,
            coupon_text: Option<String>,
        }
        let uses: Vec<Use> = sqlx::query_as(&format!(
            "WITH standing AS (
                 SELECT e.id, e.coupon_id, e.member_id, e.at, e.at_ns, e.shop_id FROM event e
                 WHERE e.coupon_id IS NOT NULL AND e.kind_code = 8
                   AND NOT EXISTS (SELECT 1 FROM ledger c WHERE c.voids = e.id
                                                          AND c.kind IN {}))
             SELECT u.id, u.coupon_id, u.member_id, u.at, s.name AS shop_name,
                    m.name AS member_name, m.code AS member_code, k.text AS coupon_text
             FROM standing u
             LEFT JOIN shop s ON s.id = u.shop_id
             LEFT JOIN member m ON m.id = u.member_id
             LEFT JOIN coupon k ON k.id = u.coupon_id
             WHERE u.coupon_id IN (SELECT coupon_id FROM standing
                                   GROUP BY coupon_id HAVING count(*) > 1)
             ORDER BY u.coupon_id, u.at_ns, u.id",
            ledger::CANCELLING_KINDS
        ))
        .fetch_all(self.pool())
        .await?;
        let mut conflicts = Vec::new();
        for (i, used) in uses.iter().enumerate() {
            let first = uses[..i]
                .iter()
                .position(|u| u.coupon_id == used.coupon_id)
                .is_none();
            if first {
                continue;
            }
            let uses_of_it = uses
                .iter()
                .filter(|u| u.coupon_id == used.coupon_id)
                .count();
            conflicts.push(Conflict {
                id: used.id,
                member_id: used.member_id,
                member_name: used.member_name.clone(),
                member_code: used.member_code.clone(),
                program_id: None,
                program_name: None,
                coupon_id: Some(used.coupon_id),
                coupon_text: used.coupon_text.clone(),
                shop_name: used.shop_name.clone(),
                at: used.at,
                rewards_short: 1,
                balance: 1 - uses_of_it as i64,
            });
        }
        Ok(conflicts)
    }

    /// The events of one card: its member's events of its program (voids and settlements
    /// carry the program of what they act on).
    async fn card_events(&self, member_id: MemberId, program_id: ProgramId) -> Result<Vec<Event>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {} FROM event e WHERE e.member_n IN {} AND e.program_id = ?2",
            ledger::EVENT_COLUMNS,
            ledger::MEMBER_AND_ALIASES
        ))
        .bind(member_id)
        .bind(program_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Managers only: settles the conflict of redemption `id` with an event (it syncs like
    /// any other), with the manager's reason. A redemption that is not (or no longer) in
    /// conflict is refused with `no_such_conflict`.
    pub async fn settle_conflict(
        &self,
        actor: &Actor,
        id: EventId,
        settlement: Settlement,
        reason: &str,
    ) -> Result<Settled> {
        actor.require(Permission::SettleConflicts)?;
        let reason = validate::text("reason", reason, validate::TEXT_MAX).map_err(|e| match e {
            CoreError::Empty { .. } => CoreError::ReasonRequired,
            other => other,
        })?;
        let conflict = self
            .conflicts()
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(CoreError::NoSuchConflict)?;
        let Some(program_id) = conflict.program_id else {
            return self
                .settle_coupon_conflict(actor, &conflict, settlement, reason)
                .await;
        };
        let program = self.program(program_id).await?;
        let redemption = self.event(id).await?;
        let mut tx = self.begin_write().await?;
        let before = card::totals(&mut tx, conflict.member_id, program.id).await?;
        let event = ledger::append(
            &mut tx,
            actor.staff_id,
            NewEvent {
                kind: match settlement {
                    Settlement::Accept => EventKind::Forgive,
                    Settlement::ChargeBack => EventKind::ChargeBack,
                },
                member_id: conflict.member_id,
                program_id: Some(program.id),
                amount: redemption.amount,
                voids: Some(id),
                // The manager's own words: why this way.
                reason: Some(VoidReason {
                    code: ReasonCode::Other,
                    note: Some(reason),
                }),
                other_member: None,
                note: None,
                coupon_id: None,
            },
        )
        .await?;
        let after = card::apply(&mut tx, &event, card::Arrival::JustMade)
            .await?
            .map(|(_, after)| after)
            .unwrap_or(before);
        self.commit(tx).await?;
        let event = self.event(event.id).await?;
        Ok(Settled {
            event,
            card: Some(CardView::new(&program, after)),
        })
    }

    /// A coupon used twice: accepting the loss forgives the later use (which then no longer
    /// counts against the coupon); there is no card to charge it back to.
    async fn settle_coupon_conflict(
        &self,
        actor: &Actor,
        conflict: &Conflict,
        settlement: Settlement,
        reason: String,
    ) -> Result<Settled> {
        if settlement == Settlement::ChargeBack {
            return Err(CoreError::CouponChargeBack);
        }
        let mut tx = self.begin_write().await?;
        let event = ledger::append(
            &mut tx,
            actor.staff_id,
            NewEvent {
                kind: EventKind::Forgive,
                member_id: conflict.member_id,
                program_id: None,
                amount: 1,
                voids: Some(conflict.id),
                reason: Some(VoidReason {
                    code: ReasonCode::Other,
                    note: Some(reason),
                }),
                other_member: None,
                note: None,
                coupon_id: conflict.coupon_id,
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(Settled { event, card: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{DeviceId, ShopId, StaffId};

    fn event(kind: EventKind, minute: u32, amount: i64, voids: Option<EventId>) -> Event {
        Event {
            id: EventId::new(),
            device_id: DeviceId::nil(),
            seq: 1,
            shop_id: ShopId::nil(),
            staff_id: StaffId::nil(),
            at: format!("2026-11-24T10:{minute:02}:00Z").parse().unwrap(),
            kind,
            member_id: MemberId::nil(),
            program_id: Some(ProgramId::nil()),
            amount,
            voids,
            reason_code: None,
            reason: None,
            other_member: None,
            card_code: None,
            coupon_id: None,
        }
    }

    #[test]
    fn the_same_reward_redeemed_in_two_shops_leaves_the_later_redemption_unpaid() {
        let punches = event(EventKind::Punch, 0, 9, None);
        let in_a = event(EventKind::Redeem, 5, 1, None);
        let in_b = event(EventKind::Redeem, 7, 1, None);
        let events = vec![in_b.clone(), punches, in_a];
        assert_eq!(unpaid(&events, 9), vec![(in_b.id, 1)]);
    }

    #[test]
    fn a_voided_punch_whose_reward_was_given_leaves_that_redemption_unpaid() {
        let punches = event(EventKind::Punch, 0, 9, None);
        let redeemed = event(EventKind::Redeem, 5, 1, None);
        let void = event(EventKind::Void, 6, 9, Some(punches.id));
        assert_eq!(
            unpaid(&[punches, redeemed.clone(), void], 9),
            vec![(redeemed.id, 1)]
        );
    }

    #[test]
    fn a_settled_conflict_is_no_longer_unpaid_and_a_forgiven_one_frees_the_balance() {
        let punches = event(EventKind::Punch, 0, 9, None);
        let in_a = event(EventKind::Redeem, 5, 1, None);
        let in_b = event(EventKind::Redeem, 7, 1, None);
        for settle in [EventKind::Forgive, EventKind::ChargeBack] {
            let settled = event(settle, 9, 1, Some(in_b.id));
            let events = vec![punches.clone(), in_a.clone(), in_b.clone(), settled];
            assert_eq!(unpaid(&events, 9), vec![], "{settle:?}");
            let balance = CardTotals::from_events(events.iter()).rewards_available(9);
            assert_eq!(balance, if settle == EventKind::Forgive { 0 } else { -1 });
        }
    }

    #[test]
    fn a_charged_back_reward_is_paid_by_the_next_one_and_a_new_double_is_a_new_conflict() {
        let first = event(EventKind::Punch, 0, 9, None);
        let in_a = event(EventKind::Redeem, 5, 1, None);
        let in_b = event(EventKind::Redeem, 7, 1, None);
        let charged = event(EventKind::ChargeBack, 9, 1, Some(in_b.id));
        let second = event(EventKind::Punch, 20, 9, None);
        let mut events = vec![first, in_a, in_b, charged, second];
        assert_eq!(unpaid(&events, 9), vec![]);
        assert_eq!(
            CardTotals::from_events(events.iter()).rewards_available(9),
            0
        );
        let again = event(EventKind::Redeem, 30, 1, None);
        events.push(again.clone());
        assert_eq!(unpaid(&events, 9), vec![(again.id, 1)]);
    }
}
