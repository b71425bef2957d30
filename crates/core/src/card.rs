//! A member's card in one program, derived from the ledger. Rewards are never stored as events:
//! they follow from the totals, so two tills holding the same set of events agree whatever
//! order the events arrived in.
//!
//!   punches_total  = Σ amount of punches not voided
//!   redeemed_total = Σ amount of redemptions not voided
//!   rewards earned = punches_total / punches_needed   (the card starts over each time it fills)
//!   stamps on card = punches_total % punches_needed
//!   available      = earned − redeemed_total

use std::collections::HashSet;

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::error::Result;
use crate::ledger::{Event, EventKind};
use crate::programs::Program;
use crate::store::WriteTx;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CardTotals {
    pub punches_total: i64,
    pub redeemed_total: i64,
}

impl CardTotals {
    /// The totals of one card from its events (any order; duplicates by id count once).
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event> + Clone) -> CardTotals {
        let voided: HashSet<Uuid> = events.clone().into_iter().filter_map(|e| e.voids).collect();
        let mut seen = HashSet::new();
        let mut totals = CardTotals::default();
        for event in events {
            if !seen.insert(event.id) || voided.contains(&event.id) {
                continue;
            }
            match event.kind {
                EventKind::Punch => totals.punches_total += event.amount,
                EventKind::Redeem => totals.redeemed_total += event.amount,
                EventKind::Enroll | EventKind::Void => {}
            }
        }
        totals
    }

    pub fn rewards_earned(&self, punches_needed: i64) -> i64 {
        self.punches_total / punches_needed
    }

    pub fn punches(&self, punches_needed: i64) -> i64 {
        self.punches_total % punches_needed
    }

    /// May go below zero only when sync reveals the same reward spent in two shops; the
    /// conflict queue (sync issue) flags that, and the screen shows zero.
    pub fn rewards_available(&self, punches_needed: i64) -> i64 {
        self.rewards_earned(punches_needed) - self.redeemed_total
    }
}

/// A card as the cashier sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CardView {
    pub program_id: Uuid,
    pub program_name: String,
    pub reward: String,
    #[ts(type = "number")]
    pub punches: i64,
    #[ts(type = "number")]
    pub punches_needed: i64,
    #[ts(type = "number")]
    pub rewards_available: i64,
    /// Every reward this card has earned since it was first punched.
    #[ts(type = "number")]
    pub rewards_earned: i64,
}

impl CardView {
    pub fn new(program: &Program, totals: CardTotals) -> CardView {
        let needed = program.punches_needed;
        CardView {
            program_id: program.id,
            program_name: program.name.clone(),
            reward: program.reward.clone(),
            punches: totals.punches(needed),
            punches_needed: needed,
            rewards_available: totals.rewards_available(needed).max(0),
            rewards_earned: totals.rewards_earned(needed),
        }
    }
}

pub(crate) async fn totals(
    tx: &mut WriteTx,
    member_id: Uuid,
    program_id: Uuid,
) -> Result<CardTotals> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT punches_total, redeemed_total FROM card WHERE member_id = ? AND program_id = ?",
    )
    .bind(member_id)
    .bind(program_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row
        .map(|(punches_total, redeemed_total)| CardTotals {
            punches_total,
            redeemed_total,
        })
        .unwrap_or_default())
}

/// Adds to the materialised totals in the same transaction as the event that changes them.
pub(crate) async fn add_to_totals(
    tx: &mut WriteTx,
    member_id: Uuid,
    program_id: Uuid,
    delta: CardTotals,
) -> Result<CardTotals> {
    let (punches_total, redeemed_total): (i64, i64) = sqlx::query_as(
        "INSERT INTO card (member_id, program_id, punches_total, redeemed_total)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (member_id, program_id) DO UPDATE SET
             punches_total = punches_total + excluded.punches_total,
             redeemed_total = redeemed_total + excluded.redeemed_total
         RETURNING punches_total, redeemed_total",
    )
    .bind(member_id)
    .bind(program_id)
    .bind(delta.punches_total)
    .bind(delta.redeemed_total)
    .fetch_one(&mut **tx)
    .await?;
    Ok(CardTotals {
        punches_total,
        redeemed_total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use proptest::prelude::*;
    use rstest::rstest;

    fn event(kind: EventKind, amount: i64, voids: Option<Uuid>) -> Event {
        Event {
            id: Uuid::now_v7(),
            device_id: Uuid::nil(),
            seq: 1,
            shop_id: Uuid::nil(),
            staff_id: Uuid::nil(),
            at: Utc::now(),
            kind,
            member_id: Uuid::nil(),
            program_id: Some(Uuid::nil()),
            amount,
            voids,
            reason_code: None,
            reason: None,
        }
    }

    fn punches(n: i64) -> CardTotals {
        CardTotals {
            punches_total: n,
            redeemed_total: 0,
        }
    }

    #[rstest]
    #[case::eight_of_nine_is_no_reward_yet(8, 8, 0)]
    #[case::nine_of_nine_earns_one_and_starts_over(9, 0, 1)]
    #[case::ten_is_one_reward_and_one_stamp(10, 1, 1)]
    #[case::nineteen_is_two_rewards_and_one_stamp(19, 1, 2)]
    fn punches_to_reward_at_the_boundary(
        #[case] total: i64,
        #[case] stamps: i64,
        #[case] rewards: i64,
    ) {
        let card = punches(total);
        assert_eq!(card.punches(9), stamps);
        assert_eq!(card.rewards_available(9), rewards);
    }

    #[test]
    fn a_voided_punch_counts_for_nothing() {
        let punch = event(EventKind::Punch, 3, None);
        let void = event(EventKind::Void, 3, Some(punch.id));
        let kept = event(EventKind::Punch, 1, None);
        let totals = CardTotals::from_events(&[punch, void, kept]);
        assert_eq!(totals, punches(1));
    }

    #[test]
    fn the_same_event_received_twice_counts_once() {
        let punch = event(EventKind::Punch, 2, None);
        let totals = CardTotals::from_events(&[punch.clone(), punch]);
        assert_eq!(totals, punches(2));
    }

    fn arbitrary_history() -> impl Strategy<Value = Vec<Event>> {
        prop::collection::vec((0..3u8, 1..5i64, any::<prop::sample::Index>()), 1..40).prop_map(
            |specs| {
                let mut events: Vec<Event> = Vec::new();
                for (kind, amount, target) in specs {
                    let e = match kind {
                        0 => event(EventKind::Punch, amount, None),
                        1 => event(EventKind::Redeem, 1, None),
                        _ if !events.is_empty() => {
                            let t = &events[target.index(events.len())];
                            event(EventKind::Void, t.amount, Some(t.id))
                        }
                        _ => event(EventKind::Punch, amount, None),
                    };
                    events.push(e);
                }
                events
            },
        )
    }

    proptest! {
        /// Two tills that hold the same events agree, whatever order sync brought them in.
        #[test]
        fn card_state_is_a_function_of_the_set_of_events(
            events in arbitrary_history(),
            seed in any::<u64>(),
        ) {
            use rand::seq::SliceRandom;
            use rand::SeedableRng;
            let mut shuffled = events.clone();
            shuffled.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
            prop_assert_eq!(CardTotals::from_events(&events), CardTotals::from_events(&shuffled));
        }
    }
}
