//! A member's card in one program, derived from the ledger. Rewards are never stored as events:
//! they follow from the totals, so two tills holding the same set of events agree whatever
//! order the events arrived in.
//!
//!   punches_total  = Σ amount of punches not voided
//!   redeemed_total = Σ amount of redemptions not voided (nor forgiven: a settled conflict)
//!   rewards earned = punches_total / punches_needed   (the card starts over each time it fills)
//!   stamps on card = punches_total % punches_needed
//!   available      = earned − redeemed_total

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use chrono::{DateTime, Duration, Utc};

use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::counter::programs::{PointsReward, Program, ProgramKind, ProgramStatus};
use crate::error::Result;
use crate::ids::{EventId, MemberId, ProgramId};
use crate::ledger::{Event, EventKind};
use crate::store::{lists, WriteTx};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CardTotals {
    pub punches_total: i64,
    pub redeemed_total: i64,
}

impl CardTotals {
    /// The totals of one card from the set of its events (any order; duplicates by id count
    /// once): the definition, stated as plainly as possible. Production applies events one by
    /// one through [`effect`]; the property tests check both agree for every arrival order.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event> + Clone) -> CardTotals {
        let voided: HashSet<EventId> = events
            .clone()
            .into_iter()
            .filter(|e| e.kind.cancels())
            .filter_map(|e| e.voids)
            .collect();
        let mut seen = HashSet::new();
        let mut totals = CardTotals::default();
        for event in events {
            if !seen.insert(event.id) || voided.contains(&event.id) {
                continue;
            }
            match event.kind {
                EventKind::Punch => totals.punches_total += event.amount,
                EventKind::Redeem => totals.redeemed_total += event.amount,
                EventKind::Enroll
                | EventKind::Void
                | EventKind::Forgive
                | EventKind::ChargeBack
                | EventKind::Merge
                | EventKind::CouponRedeem => {}
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

/// The facts of an event that a card's state depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct Fact {
    pub id: EventId,
    pub kind: EventKind,
    pub member_id: MemberId,
    pub program_id: Option<ProgramId>,
    pub amount: i64,
    pub voids: Option<EventId>,
}

impl From<&Event> for Fact {
    fn from(e: &Event) -> Fact {
        Fact {
            id: e.id,
            kind: e.kind,
            member_id: e.member_id,
            program_id: e.program_id,
            amount: e.amount,
            voids: e.voids,
        }
    }
}

/// What had arrived before an event that decides what the event does to a card.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Before {
    /// For a punch or a redemption: a void of it had already arrived (sync may deliver the
    /// void first).
    pub cancelled: bool,
    /// For a void: the event it cancels, if it had arrived, and whether another void had
    /// already cancelled it (two tills may void the same event).
    pub target: Option<(Fact, bool)>,
}

/// What a punch or a redemption adds to its card's totals while it stands (nothing for any
/// other event). A void takes exactly this back.
pub(crate) fn contribution(fact: &Fact) -> Option<CardTotals> {
    match fact.kind {
        EventKind::Punch => Some(CardTotals {
            punches_total: fact.amount,
            redeemed_total: 0,
        }),
        EventKind::Redeem => Some(CardTotals {
            punches_total: 0,
            redeemed_total: fact.amount,
        }),
        EventKind::Enroll
        | EventKind::Void
        | EventKind::Forgive
        | EventKind::ChargeBack
        | EventKind::Merge
        | EventKind::CouponRedeem => None,
    }
}

/// **The one rule** of how an event changes a card, given what had arrived before it: the
/// counter's actions, sync ingestion and `doctor --rebuild` all go through it, so the totals
/// are the same whatever order the events arrive in (a function of the set of events).
pub(crate) fn effect(event: &Fact, before: &Before) -> Option<(MemberId, ProgramId, CardTotals)> {
    match event.kind {
        EventKind::Punch | EventKind::Redeem if !before.cancelled => {
            Some((event.member_id, event.program_id?, contribution(event)?))
        }
        EventKind::Void | EventKind::Forgive => match &before.target {
            Some((target, false)) => {
                let taken = contribution(target)?;
                let back = CardTotals {
                    punches_total: -taken.punches_total,
                    redeemed_total: -taken.redeemed_total,
                };
                Some((target.member_id, target.program_id?, back))
            }
            _ => None,
        },
        _ => None,
    }
}

/// What the ledger held before `event` (which may already be in it: it is left out).
async fn before(tx: &mut WriteTx, event: &Fact, arrival: Arrival) -> Result<Before> {
    let voided_sql = format!(
        "SELECT EXISTS (SELECT 1 FROM ledger WHERE voids = ? AND id != ? AND kind IN {})",
        crate::ledger::CANCELLING_KINDS
    );
    let voided = |id: EventId| {
        sqlx::query_scalar::<_, bool>(&voided_sql)
            .bind(id)
            .bind(event.id)
    };
    Ok(match (event.kind, event.voids) {
        (EventKind::Void | EventKind::Forgive, Some(target_id)) => {
            let target: Option<Fact> = sqlx::query_as(
                "SELECT id, kind, member_id, program_id, amount, voids FROM event WHERE id = ?",
            )
            .bind(target_id)
            .fetch_optional(&mut **tx)
            .await?;
            let target = match target {
                Some(t) => Some((t, voided(t.id).fetch_one(&mut **tx).await?)),
                None => None,
            };
            Before {
                cancelled: false,
                target,
            }
        }
        _ => Before {
            cancelled: match arrival {
                // Nothing can cancel an id that did not exist a moment ago.
                Arrival::JustMade => false,
                Arrival::Received => voided(event.id).fetch_one(&mut **tx).await?,
            },
            target: None,
        },
    })
}

/// Where an event being applied comes from: this till's counter a moment ago (its id is new),
/// or anywhere else (a sync, a till's own history replayed), where a void may have come first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arrival {
    JustMade,
    Received,
}

/// Applies an event that has just been written to the ledger to the materialised card
/// totals, in the same transaction. Returns the card's totals before and after, if it changed.
pub(crate) async fn apply(
    tx: &mut WriteTx,
    event: &Event,
    arrival: Arrival,
) -> Result<Option<(CardTotals, CardTotals)>> {
    let fact = Fact::from(event);
    let before = before(tx, &fact, arrival).await?;
    let Some((member_id, program_id, delta)) = effect(&fact, &before) else {
        return Ok(None);
    };
    // A merged member's events count on the card of the member they stand for now.
    let changed = add_to_totals(tx, member_id, program_id, delta).await?;
    let new = changed.totals;
    let old = CardTotals {
        punches_total: new.punches_total - delta.punches_total,
        redeemed_total: new.redeemed_total - delta.redeemed_total,
    };
    crate::counter::conflicts::watch_changed(tx, &changed).await?;
    Ok(Some((old, new)))
}

/// [`apply`] for events received together (a pulled page), already written to the ledger in
/// this order: each gets the effect it would have had applied right after its own write, with
/// a few statements for the whole page instead of several for each event. What the ledger held
/// before the page is read first (`before_page`, before the page is written); within the page,
/// what came earlier is kept in memory ([`InOrder`]). The cards are then written once each,
/// and every card whose balance went below zero at any point is noted for the conflict queue,
/// as [`apply`] notes it after each event.
///
/// The caller keeps merges and events on a foreign card out of such a page: both move totals
/// between members, which needs the page applied one event at a time.
pub(crate) async fn apply_received(
    tx: &mut WriteTx,
    events: &[&Event],
    before_page: LedgerBefore,
) -> Result<()> {
    let mut in_order = InOrder::after(before_page);
    let changes: Vec<(MemberId, ProgramId, CardTotals)> = events
        .iter()
        .filter_map(|event| in_order.next(&Fact::from(*event)))
        .collect();
    if changes.is_empty() {
        return Ok(());
    }

    // No merge in the page: who each member stands for is the same for all of it.
    let members: Vec<MemberId> = changes.iter().map(|(m, _, _)| *m).collect();
    let stands_for = crate::counter::merge::canonical_of_all(tx, &members).await?;
    let canonical = |m: MemberId| stands_for.get(&m).copied().unwrap_or(m);
    let holders: BTreeSet<MemberId> = members.iter().map(|m| canonical(*m)).collect();
    let mut cards: HashMap<(MemberId, ProgramId), CardTotals> = totals_of(tx, &holders).await?;
    let needed: HashMap<ProgramId, i64> =
        sqlx::query_as::<_, (ProgramId, i64)>("SELECT id, punches_needed FROM program")
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
    let mut touched: Vec<(MemberId, ProgramId)> = Vec::new();
    let mut watched: HashSet<(MemberId, ProgramId)> = HashSet::new();
    let mut added: HashMap<(MemberId, ProgramId), CardTotals> = HashMap::new();
    for (member, program, delta) in changes {
        let key = (canonical(member), program);
        let card = cards.entry(key).or_default();
        card.punches_total += delta.punches_total;
        card.redeemed_total += delta.redeemed_total;
        if crate::counter::conflicts::needs_watching(*card, needed.get(&program).copied()) {
            watched.insert(key);
        }
        let sum = added.entry(key).or_insert_with(|| {
            touched.push(key);
            CardTotals::default()
        });
        sum.punches_total += delta.punches_total;
        sum.redeemed_total += delta.redeemed_total;
    }
    for key in touched {
        add_to_totals(tx, key.0, key.1, added[&key]).await?;
    }
    for (member, program) in watched {
        crate::counter::conflicts::note(tx, member, program).await?;
    }
    Ok(())
}

/// What the ledger held before a page of received events, as far as their effects depend on
/// it: how many voids each event of the page, or each event one of them voids, already had;
/// and the events the page's voids name that were already there.
#[derive(Debug, Default)]
pub(crate) struct LedgerBefore {
    cancels: HashMap<EventId, i64>,
    targets: HashMap<EventId, Fact>,
}

impl LedgerBefore {
    /// Read before the page is written.
    pub(crate) async fn read(tx: &mut WriteTx, events: &[&Event]) -> Result<LedgerBefore> {
        let named: Vec<EventId> = events
            .iter()
            .flat_map(|e| [Some(e.id), e.voids])
            .flatten()
            .collect();
        let targets: Vec<EventId> = events
            .iter()
            .filter(|e| e.kind.cancels())
            .filter_map(|e| e.voids)
            .collect();
        let voided: Vec<(EventId,)> = lists::fetch_in(
            tx,
            &format!(
                "SELECT voids FROM ledger WHERE kind IN {} AND voids IN ",
                crate::ledger::CANCELLING_KINDS
            ),
            &named,
        )
        .await?;
        let mut cancels = HashMap::new();
        for (id,) in voided {
            *cancels.entry(id).or_default() += 1;
        }
        let found: Vec<Fact> = lists::fetch_in(
            tx,
            "SELECT id, kind, member_id, program_id, amount, voids FROM event WHERE id IN ",
            &targets,
        )
        .await?;
        Ok(LedgerBefore {
            cancels,
            targets: found.into_iter().map(|f| (f.id, f)).collect(),
        })
    }
}

/// The cards of `members` as they stand.
async fn totals_of(
    tx: &mut WriteTx,
    members: &BTreeSet<MemberId>,
) -> Result<HashMap<(MemberId, ProgramId), CardTotals>> {
    let members: Vec<MemberId> = members.iter().copied().collect();
    let rows: Vec<(MemberId, ProgramId, i64, i64)> = lists::fetch_in(
        tx,
        "SELECT member_id, program_id, punches_total, redeemed_total FROM card WHERE member_id IN ",
        &members,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(m, p, punches_total, redeemed_total)| {
            let totals = CardTotals {
                punches_total,
                redeemed_total,
            };
            ((m, p), totals)
        })
        .collect())
}

/// [`effect`] applied to events one after another, in memory, given what had arrived before
/// the first of them: `doctor`'s [`replay`] (nothing before) and a pulled page
/// ([`apply_received`]: what the ledger held) share it.
#[derive(Default)]
struct InOrder {
    /// The events gone through so far.
    seen: HashMap<EventId, Fact>,
    /// How many voids (or forgivings) of each id have arrived, before the first event included.
    cancels: HashMap<EventId, i64>,
    /// Events there before the first one, that its voids may name.
    earlier: HashMap<EventId, Fact>,
}

impl InOrder {
    fn after(before: LedgerBefore) -> InOrder {
        InOrder {
            seen: HashMap::new(),
            cancels: before.cancels,
            earlier: before.targets,
        }
    }

    /// What `event` does to a card, arriving now. The same event twice counts once.
    fn next(&mut self, event: &Fact) -> Option<(MemberId, ProgramId, CardTotals)> {
        if self.seen.contains_key(&event.id) {
            return None;
        }
        let cancelled = |id: &EventId| self.cancels.get(id).is_some_and(|n| *n > 0);
        let before = Before {
            cancelled: cancelled(&event.id),
            target: event.voids.and_then(|t| {
                self.seen
                    .get(&t)
                    .or_else(|| self.earlier.get(&t))
                    .map(|fact| (*fact, cancelled(&t)))
            }),
        };
        let change = effect(event, &before);
        self.seen.insert(event.id, *event);
        if let Some(target) = event.voids.filter(|_| event.kind.cancels()) {
            *self.cancels.entry(target).or_default() += 1;
        }
        change
    }
}

/// Every card's totals from a set of events, replayed one by one through [`effect`] in the
/// order given (any order gives the same result): what `doctor` checks and rebuilds with.
pub(crate) fn replay(events: &[Fact]) -> HashMap<(MemberId, ProgramId), CardTotals> {
    let mut in_order = InOrder::default();
    let mut cards: HashMap<(MemberId, ProgramId), CardTotals> = HashMap::new();
    for (member_id, program_id, delta) in events.iter().filter_map(|e| in_order.next(e)) {
        let card = cards.entry((member_id, program_id)).or_default();
        card.punches_total += delta.punches_total;
        card.redeemed_total += delta.redeemed_total;
    }
    cards
}

/// A card as the cashier sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CardView {
    pub program_id: ProgramId,
    pub program_name: String,
    pub kind: ProgramKind,
    /// Paused and retired programs show only while the card still has something to redeem.
    pub status: ProgramStatus,
    pub reward: String,
    pub punches: i64,
    pub punches_needed: i64,
    /// Stamps: rewards ready. Points: the points balance.
    pub rewards_available: i64,
    /// Every reward this card has earned since it was first punched (points: every point).
    pub rewards_earned: i64,
    /// Points program: its rewards, cheapest first (those at or under the balance can be had).
    pub tiers: Vec<PointsReward>,
    /// Rewards that lapsed unredeemed (a program whose rewards expire).
    pub rewards_lapsed: i64,
    /// When the oldest reward ready now lapses, if the program's rewards expire.
    pub next_lapse: Option<DateTime<Utc>>,
}

impl CardView {
    pub fn new(program: &Program, totals: CardTotals) -> CardView {
        let needed = program.punches_needed;
        CardView {
            program_id: program.id,
            program_name: program.name.clone(),
            kind: program.kind,
            status: program.status(),
            reward: program.reward.clone(),
            punches: totals.punches(needed),
            punches_needed: needed,
            rewards_available: totals.rewards_available(needed).max(0),
            rewards_earned: totals.rewards_earned(needed),
            tiers: program.tiers.clone(),
            rewards_lapsed: 0,
            next_lapse: None,
        }
    }

    /// What a redemption on this card gave: the reward, or the points program's tier it spent.
    pub fn reward_of(&self, redemption: &Event) -> &str {
        self.tiers
            .iter()
            .find(|tier| tier.points == redemption.amount)
            .map_or(&self.reward, |tier| &tier.reward)
    }

    /// The card with the rewards that lapsed taken off what is ready.
    fn with(mut self, lapse: &Lapse) -> CardView {
        self.rewards_lapsed = lapse.lapsed;
        self.rewards_available = (self.rewards_available - lapse.lapsed).max(0);
        self.next_lapse = lapse.next;
        self
    }

    /// The card of `member_id` in `program` as it stands `now`: its totals, and for a program
    /// whose rewards expire, what lapsed (read from the card's events).
    pub(crate) async fn read(
        conn: &mut sqlx::SqliteConnection,
        program: &Program,
        member_id: MemberId,
        totals: CardTotals,
        now: DateTime<Utc>,
    ) -> Result<CardView> {
        let view = CardView::new(program, totals);
        let Some(days) = program.reward_days else {
            return Ok(view);
        };
        let events: Vec<(DateTime<Utc>, EventKind, i64)> = sqlx::query_as(&format!(
            "SELECT e.at, e.kind, e.amount FROM event e
             WHERE e.member_n IN {}
               AND e.program_id = ?2 AND e.kind_code IN (2, 3)
               AND NOT EXISTS (SELECT 1 FROM ledger v WHERE v.voids = e.id AND v.kind IN {})
             ORDER BY e.at_ns, e.kind_code = 3",
            crate::ledger::MEMBER_AND_ALIASES,
            crate::ledger::CANCELLING_KINDS
        ))
        .bind(member_id)
        .bind(program.id)
        .fetch_all(&mut *conn)
        .await?;
        Ok(view.with(&Lapse::of(
            &events,
            program.punches_needed,
            Duration::days(days),
            now,
        )))
    }
}

/// What lapsed on a card whose rewards expire.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Lapse {
    pub lapsed: i64,
    pub next: Option<DateTime<Utc>>,
}

impl Lapse {
    /// From a card's standing punches and redemptions in time order: a reward is earned by
    /// the punch that fills the card and lapses `valid_for` later; a redemption takes the
    /// oldest reward still good at its time. A function of the set of events, as the totals
    /// are (time order is the events' own times, not their arrival).
    pub fn of(
        events: &[(DateTime<Utc>, EventKind, i64)],
        needed: i64,
        valid_for: Duration,
        now: DateTime<Utc>,
    ) -> Lapse {
        let mut good: VecDeque<DateTime<Utc>> = VecDeque::new();
        let mut lapse = Lapse::default();
        let mut punched = 0;
        let expire = |good: &mut VecDeque<DateTime<Utc>>, at: DateTime<Utc>, lapsed: &mut i64| {
            while good.front().is_some_and(|earned| *earned + valid_for <= at) {
                good.pop_front();
                *lapsed += 1;
            }
        };
        for &(at, kind, amount) in events {
            match kind {
                EventKind::Punch => {
                    let before = punched / needed;
                    punched += amount;
                    for _ in before..punched / needed {
                        good.push_back(at);
                    }
                }
                EventKind::Redeem => {
                    expire(&mut good, at, &mut lapse.lapsed);
                    for _ in 0..amount {
                        good.pop_front();
                    }
                }
                _ => {}
            }
        }
        expire(&mut good, now, &mut lapse.lapsed);
        lapse.next = good.front().map(|earned| *earned + valid_for);
        lapse
    }
}

pub(crate) async fn totals(
    tx: &mut WriteTx,
    member_id: MemberId,
    program_id: ProgramId,
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

/// Adds to the materialised totals in the same transaction as the event that changes them, on
/// the card of whoever `member_id` stands for now (a merged member's events count on the card
/// of the member they were merged into).
pub(crate) async fn add_to_totals(
    tx: &mut WriteTx,
    member_id: MemberId,
    program_id: ProgramId,
    delta: CardTotals,
) -> Result<Changed> {
    // One statement (issue 12: each is a round trip to sqlx's worker): whom the member stands
    // for, the card, and what its program needs for the conflict queue's watch.
    let (holder, punches_total, redeemed_total, punches_needed): (MemberId, i64, i64, Option<i64>) =
        sqlx::query_as(
            "INSERT INTO card (member_id, program_id, punches_total, redeemed_total)
             VALUES (COALESCE((SELECT member_id FROM member_alias WHERE alias_id = ?1), ?1),
                     ?2, ?3, ?4)
             ON CONFLICT (member_id, program_id) DO UPDATE SET
                 punches_total = punches_total + excluded.punches_total,
                 redeemed_total = redeemed_total + excluded.redeemed_total
             RETURNING member_id, punches_total, redeemed_total,
                       (SELECT punches_needed FROM program WHERE id = ?2)",
        )
        .bind(member_id)
        .bind(program_id)
        .bind(delta.punches_total)
        .bind(delta.redeemed_total)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Changed {
        holder,
        program_id,
        totals: CardTotals {
            punches_total,
            redeemed_total,
        },
        punches_needed,
    })
}

/// A card [`add_to_totals`] changed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Changed {
    /// Who holds the card: the member the event named, or the one they were merged into.
    pub holder: MemberId,
    pub program_id: ProgramId,
    /// The totals after the change.
    pub totals: CardTotals,
    /// The program's stamps for a reward; none while the program has not arrived.
    pub punches_needed: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{DeviceId, ShopId, StaffId};
    use chrono::Utc;
    use proptest::prelude::*;
    use rstest::rstest;
    use uuid::Uuid;

    fn event(kind: EventKind, amount: i64, voids: Option<EventId>) -> Event {
        Event {
            id: EventId::new(),
            device_id: DeviceId::nil(),
            seq: 1,
            shop_id: ShopId::nil(),
            staff_id: StaffId::nil(),
            at: Utc::now(),
            kind,
            member_id: MemberId::nil(),
            program_id: Some(Uuid::nil().into()),
            amount,
            voids,
            reason_code: None,
            reason: None,
            other_member: None,
            card_code: None,
            coupon_id: None,
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

    /// Day `n` of a month, at noon.
    fn day(n: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 3, n, 12, 0, 0).unwrap()
    }

    #[rstest]
    // 3 stamps for a reward, valid 10 days.
    #[case::still_good(&[(1, 3)], &[], 5, 0, Some(11))]
    #[case::lapsed_ten_days_after_it_was_earned(&[(1, 3)], &[], 11, 1, None)]
    #[case::earned_by_the_punch_that_filled_the_card(&[(1, 2), (6, 1)], &[], 12, 0, Some(16))]
    #[case::a_redemption_takes_the_oldest_good_one(&[(1, 3), (5, 3)], &[6], 12, 0, Some(15))]
    #[case::a_lapsed_reward_is_not_redeemed(&[(1, 3), (5, 3)], &[13], 20, 1, None)]
    #[case::two_at_once_one_left(&[(1, 6)], &[2], 9, 0, Some(11))]
    fn rewards_lapse_a_fixed_time_after_they_are_earned(
        #[case] punches: &[(u32, i64)],
        #[case] redemptions: &[u32],
        #[case] today: u32,
        #[case] lapsed: i64,
        #[case] next_lapse: Option<u32>,
    ) {
        let mut events: Vec<(DateTime<Utc>, EventKind, i64)> = punches
            .iter()
            .map(|&(d, n)| (day(d), EventKind::Punch, n))
            .chain(redemptions.iter().map(|&d| (day(d), EventKind::Redeem, 1)))
            .collect();
        events.sort_by_key(|e| e.0);
        let lapse = Lapse::of(&events, 3, Duration::days(10), day(today));
        assert_eq!(lapse.lapsed, lapsed);
        assert_eq!(lapse.next, next_lapse.map(day));
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

        /// The one-by-one rule gives the set's totals, whatever the order of arrival.
        #[test]
        fn replaying_events_in_any_order_gives_the_totals_of_the_set(
            events in arbitrary_history(),
            seed in any::<u64>(),
        ) {
            use rand::seq::SliceRandom;
            use rand::SeedableRng;
            let mut shuffled: Vec<Fact> = events.iter().map(Fact::from).collect();
            shuffled.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
            let replayed = replay(&shuffled)
                .get(&(Uuid::nil().into(), Uuid::nil().into()))
                .copied()
                .unwrap_or_default();
            prop_assert_eq!(replayed, CardTotals::from_events(&events));
        }
    }
}
