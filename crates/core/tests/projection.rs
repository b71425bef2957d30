//! A card's state is a function of the set of events, through the real store: random histories
//! (punches, redemptions, voids, voids of the same event by two tills, events received twice)
//! are received in a shuffled order into a real SQLite file, and the materialised `card` table
//! must equal the set's totals, with `doctor` finding nothing to rebuild. The reports' roll-up
//! (`report_activity`, counted from the ledger in batches at random points) must equal the set's standing events counted by
//! quarter hour, member and program, and the counts per local day kept from it (in Budapest,
//! across a change to summer time) must equal a fresh count, as `doctor` checks.

use std::collections::HashMap;

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use tessera_core::counter::card::CardTotals;
use tessera_core::counter::programs::NewProgram;
use tessera_core::first_run::NewShop;
use tessera_core::ids::{DeviceId, EventId, MemberId, ProgramId, ShopId};
use tessera_core::ledger::{Event, EventKind};
use tessera_core::people::members::NewMember;
use tessera_core::people::shop::{Actor, ShopSettings};
use tessera_core::reports::Period;
use tessera_core::sync::ingest::Received;
use tessera_core::Store;

struct Chain {
    store: Store,
    manager: Actor,
    shop: ShopId,
    members: Vec<MemberId>,
    programs: Vec<ProgramId>,
    _dir: tempfile::TempDir,
}

async fn chain() -> Chain {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("till.db")).await.unwrap();
    let set_up = store
        .init_shop(&NewShop {
            shop_name: "Pékség".into(),
            language: "hu".into(),
            currency: "HUF".into(),
            manager_name: "Réka".into(),
            manager_pin: "1357".into(),
        })
        .await
        .unwrap();
    let manager = Actor::from(&set_up.manager);
    store
        .set_shop_settings(
            &manager,
            &ShopSettings {
                name: "Pékség".into(),
                language: "hu".into(),
                currency: "HUF".into(),
                time_zone: Some("Europe/Budapest".into()),
                survey_interval_days: None,
            },
        )
        .await
        .unwrap();
    let mut programs = Vec::new();
    for (name, needed) in [("Kávé", 9), ("Kifli", 4)] {
        let program = store
            .add_program(
                &manager,
                &NewProgram {
                    name: name.into(),
                    punches_needed: needed,
                    reward: "Ajándék".into(),
                    ..NewProgram::default()
                },
            )
            .await
            .unwrap();
        programs.push(program.id);
    }
    let mut members = Vec::new();
    for name in ["Kovács Anna", "Szabó Ödön"] {
        let member = store
            .enroll(
                &manager,
                &NewMember {
                    name: name.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        members.push(member.id);
    }
    Chain {
        store,
        manager,
        shop: set_up.shop.id,
        members,
        programs,
        _dir: dir,
    }
}

/// One event as another till would have made it.
fn made_elsewhere(
    chain: &Chain,
    device: DeviceId,
    seq: i64,
    kind: EventKind,
    card: (usize, usize),
    amount: i64,
    voids: Option<EventId>,
) -> Event {
    Event {
        id: EventId::new(),
        device_id: device,
        seq,
        shop_id: chain.shop,
        staff_id: chain.manager.staff_id,
        at: Utc::now(),
        kind,
        member_id: chain.members[card.0],
        program_id: Some(chain.programs[card.1]),
        amount,
        voids,
        reason_code: voids.map(|_| tessera_core::ledger::ReasonCode::ScannedTwice),
        reason: None,
        other_member: None,
        card_code: None,
        coupon_id: None,
    }
}

/// (kind 0 punch / 1 redeem / 2 void, card, amount, which earlier event a void cancels,
/// minutes into the ten days)
type Spec = (u8, (usize, usize), i64, prop::sample::Index, i64);

fn history(chain: &Chain, specs: &[Spec]) -> Vec<Event> {
    let devices = [DeviceId::new(), DeviceId::new()];
    let mut events: Vec<Event> = Vec::new();
    for (n, (kind, card, amount, target, minutes)) in specs.iter().enumerate() {
        let device = devices[n % 2];
        let seq = (n / 2 + 1) as i64;
        let event = match kind {
            1 => made_elsewhere(chain, device, seq, EventKind::Redeem, *card, 1, None),
            2 if !events.is_empty() => {
                // A void of an earlier punch or redemption (possibly one already voided by the
                // other till: both voids stay in the ledger).
                let candidates: Vec<&Event> = events
                    .iter()
                    .filter(|e| matches!(e.kind, EventKind::Punch | EventKind::Redeem))
                    .collect();
                if candidates.is_empty() {
                    made_elsewhere(chain, device, seq, EventKind::Punch, *card, *amount, None)
                } else {
                    let t = candidates[target.index(candidates.len())];
                    let mut void = made_elsewhere(
                        chain,
                        device,
                        seq,
                        EventKind::Void,
                        (0, 0),
                        t.amount,
                        Some(t.id),
                    );
                    void.member_id = t.member_id;
                    void.program_id = t.program_id;
                    void
                }
            }
            _ => made_elsewhere(chain, device, seq, EventKind::Punch, *card, *amount, None),
        };
        // Spread over ten days around Budapest's change to summer time (29 March 2026, 01:00
        // UTC), so the days and the cards filled per day are exercised across midnights.
        let at = Utc.with_ymd_and_hms(2026, 3, 24, 0, 0, 0).unwrap() + Duration::minutes(*minutes);
        events.push(Event { at, ..event });
    }
    events
}

/// Each card's totals as the set of events defines them.
fn expected(events: &[Event]) -> HashMap<(MemberId, ProgramId), CardTotals> {
    let mut by_card: HashMap<(MemberId, ProgramId), Vec<Event>> = HashMap::new();
    for e in events {
        if let Some(program) = e.program_id {
            by_card
                .entry((e.member_id, program))
                .or_default()
                .push(e.clone());
        }
    }
    // A void counts with its target's card (a void names the same member and program).
    by_card
        .into_iter()
        .map(|(card, events)| (card, CardTotals::from_events(&events)))
        .filter(|(_, t)| *t != CardTotals::default())
        .collect()
}

async fn stored(store: &Store) -> HashMap<(MemberId, ProgramId), CardTotals> {
    let rows: Vec<(MemberId, ProgramId, i64, i64)> =
        sqlx::query_as("SELECT member_id, program_id, punches_total, redeemed_total FROM card")
            .fetch_all(store.pool())
            .await
            .unwrap();
    rows.into_iter()
        .map(|(m, p, punches_total, redeemed_total)| {
            (
                (m, p),
                CardTotals {
                    punches_total,
                    redeemed_total,
                },
            )
        })
        .filter(|(_, t)| *t != CardTotals::default())
        .collect()
}

/// Per (quarter hour, member, program): standing punches and redemptions, stamps given,
/// rewards' amounts and redemptions, as the set of events defines them.
type Activity = HashMap<(i64, MemberId, ProgramId), (i64, i64, i64, i64)>;

fn expected_activity(events: &[Event]) -> Activity {
    let cancelled: std::collections::HashSet<EventId> = events
        .iter()
        .filter(|e| e.kind.cancels())
        .filter_map(|e| e.voids)
        .collect();
    let mut activity = Activity::new();
    for e in events {
        let (Some(program), false) = (e.program_id, cancelled.contains(&e.id)) else {
            continue;
        };
        let (punches, rewards) = match e.kind {
            EventKind::Punch => (e.amount, 0),
            EventKind::Redeem => (0, e.amount),
            _ => continue,
        };
        let row = activity
            .entry((e.at.timestamp() / 900, e.member_id, program))
            .or_default();
        row.0 += 1;
        row.1 += punches;
        row.2 += rewards;
        row.3 += i64::from(e.kind == EventKind::Redeem);
    }
    activity
}

async fn stored_activity(store: &Store) -> Activity {
    let rows: Vec<(i64, MemberId, ProgramId, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT a.slot, m.id, p.id, a.events, a.punches, a.rewards, a.redemptions
         FROM report_activity a JOIN short_id m ON m.n = a.member JOIN short_id p ON p.n = a.program",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(slot, m, p, events, punches, rewards, redemptions)| {
            ((slot, m, p), (events, punches, rewards, redemptions))
        })
        .collect()
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..3u8,
        (0..2usize, 0..2usize),
        1..4i64,
        any::<prop::sample::Index>(),
        0..10 * 24 * 60i64,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn cards_are_the_same_whatever_order_the_events_arrive_in(
        specs in prop::collection::vec(spec(), 1..30),
        seed in any::<u64>(),
        resend in any::<prop::sample::Index>(),
        counted_after in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let chain = chain().await;
            // A first report counts the day tables; from then on the triggers keep them.
            chain.store.summary_report(&chain.manager, Period::month_to(Utc::now().date_naive()))
                .await.unwrap();
            let zone: Option<String> =
                sqlx::query_scalar("SELECT zone FROM report_calendar").fetch_one(chain.store.pool())
                    .await.unwrap();
            assert_eq!(zone.as_deref(), Some("Europe/Budapest"));
            let events = history(&chain, &specs);
            let mut arrival = events.clone();
            arrival.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
            // A batch sent twice: one event arrives again.
            arrival.push(events[resend.index(events.len())].clone());
            // The report tables count the events in batches after their commits: here at random
            // points, so that an event and its void are counted in one batch or in two.
            let counted_after: Vec<usize> =
                counted_after.iter().map(|i| i.index(arrival.len())).collect();
            let mut applied = 0;
            for (i, event) in arrival.iter().enumerate() {
                if chain.store.receive_event(event).await.unwrap() == Received::Applied {
                    applied += 1;
                }
                if counted_after.contains(&i) {
                    chain.store.count_for_reports().await.unwrap();
                }
            }
            assert_eq!(applied, events.len(), "each event applied exactly once");
            assert_eq!(stored(&chain.store).await, expected(&events));
            chain.store.count_for_reports().await.unwrap();
            assert_eq!(stored_activity(&chain.store).await, expected_activity(&events));
            let report = chain.store.doctor(&chain.manager, false).await.unwrap();
            assert!(report.differences.is_empty(), "{:?}", report.differences);
            assert!(report.ok, "{:?}", report.checks);
        });
    }
}

/// The same till, copied: what one copy receives one event at a time, the other receives in
/// pages (as a pull does), and both must end the same.
async fn twin(store: &Store) -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("twin.db");
    sqlx::query("VACUUM INTO ?")
        .bind(path.to_str().unwrap())
        .execute(store.pool())
        .await
        .unwrap();
    (Store::open(&path).await.unwrap(), dir)
}

async fn watched(store: &Store) -> Vec<(MemberId, ProgramId)> {
    sqlx::query_as("SELECT member_id, program_id FROM conflict_watch ORDER BY 1, 2")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

async fn every_card(store: &Store) -> Vec<(MemberId, ProgramId, i64, i64)> {
    sqlx::query_as(
        "SELECT member_id, program_id, punches_total, redeemed_total FROM card ORDER BY 1, 2",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A pulled page is taken in with a few statements for the whole page
    /// (`sync::ingest::receive_all`); it must do exactly what taking its events one by one
    /// does: the same cards (rows at zero included), the same cards watched for conflicts
    /// (a balance below zero at any point, not only at the end), the same report counts.
    #[test]
    fn a_page_taken_in_at_once_ends_as_its_events_one_by_one(
        specs in prop::collection::vec(spec(), 1..40),
        seed in any::<u64>(),
        resend in any::<prop::sample::Index>(),
        pages in prop::collection::vec(1..12usize, 1..8),
    ) {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let chain = chain().await;
            chain.store.summary_report(&chain.manager, Period::month_to(Utc::now().date_naive()))
                .await.unwrap();
            let (paged, _twin_dir) = twin(&chain.store).await;
            let events = history(&chain, &specs);
            let mut arrival = events.clone();
            arrival.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
            arrival.push(events[resend.index(events.len())].clone());

            let mut one_by_one = 0;
            for event in &arrival {
                if chain.store.receive_event(event).await.unwrap() == Received::Applied {
                    one_by_one += 1;
                }
            }
            let mut in_pages = 0;
            let mut rest = arrival.as_slice();
            for size in pages.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (page, after) = rest.split_at((*size).min(rest.len()));
                in_pages += paged.receive_events(page).await.unwrap();
                rest = after;
            }
            // A page that comes again changes nothing.
            assert_eq!(paged.receive_events(&arrival).await.unwrap(), 0);

            assert_eq!(in_pages, one_by_one);
            assert_eq!(every_card(&paged).await, every_card(&chain.store).await);
            assert_eq!(watched(&paged).await, watched(&chain.store).await);
            paged.count_for_reports().await.unwrap();
            chain.store.count_for_reports().await.unwrap();
            assert_eq!(stored_activity(&paged).await, stored_activity(&chain.store).await);
            assert_eq!(stored_activity(&paged).await, expected_activity(&events));
            assert_eq!(stored(&paged).await, expected(&events));
            let report = paged.doctor(&chain.manager, false).await.unwrap();
            assert!(report.ok && report.differences.is_empty(), "{report:?}");
        });
    }
}
