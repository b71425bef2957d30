//! The doctor's routine check (decision 0034): a sound check leaves a mark, and the next one
//! asks its questions only of what the events past it can have changed. Damage there is found;
//! damage no new event could have caused is left to `--full`; whatever rewrites the tables kept
//! from the ledger other than through an event sends the next check back to everything.

mod common;

use chrono::{DateTime, Utc};
use tessera_core::counter::programs::NewProgram;
use tessera_core::ids::{EventId, MemberId, ProgramId};
use tessera_core::ledger::{EventKind, ReasonCode, VoidReason};
use tessera_core::people::members::NewMember;
use tessera_core::people::shop::{Actor, ShopSettings};
use tessera_core::support::doctor::{Doctor, DoctorReport, DoctorScope};
use tessera_core::Store;

struct Shop {
    store: Store,
    manager: Actor,
    coffee: ProgramId,
    /// Punched today, after the mark.
    anna: MemberId,
    /// Punched once, weeks ago.
    bela: MemberId,
    bela_punch: EventId,
    bela_punched_at: DateTime<Utc>,
    /// Never touched after the mark.
    csilla: MemberId,
    _dir: tempfile::TempDir,
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A shop with three members and a few weeks of punches, checked once (the mark), then Anna
/// punched twice at the counter.
async fn shop() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let coffee = store
        .add_program(&manager, &NewProgram::stamps("Coffee", 5, "A coffee"))
        .await
        .unwrap()
        .id;
    let staff = manager.staff_id;
    let mut w = store.history_writer().await.unwrap();
    let mut enrol = async |name: &str, when: &str| {
        let new = NewMember {
            name: name.into(),
            ..NewMember::default()
        };
        w.enrol(staff, &new, at(when)).await.unwrap()
    };
    let anna = enrol("Anna Arany", "2026-10-01T09:00:00Z").await;
    let bela = enrol("Béla Bodnár", "2026-10-01T10:00:00Z").await;
    let csilla = enrol("Csilla Cseh", "2026-10-02T11:00:00Z").await;
    for (member, when) in [
        (anna, "2026-10-03T08:00:00Z"),
        (anna, "2026-10-10T08:00:00Z"),
        (csilla, "2026-10-12T16:30:00Z"),
        (csilla, "2026-10-20T23:50:00Z"),
    ] {
        w.event(staff, EventKind::Punch, member, Some(coffee), 1, at(when))
            .await
            .unwrap();
    }
    // Weeks of Csilla's coffees: the events past the mark stay a small part of the ledger.
    for day in 1..=24 {
        let when = at(&format!("2026-11-{day:02}T07:45:00Z"));
        w.event(staff, EventKind::Punch, csilla, Some(coffee), 1, when)
            .await
            .unwrap();
    }
    let bela_punched_at = at("2026-10-05T12:00:00Z");
    let bela_punch = w
        .event(
            staff,
            EventKind::Punch,
            bela,
            Some(coffee),
            2,
            bela_punched_at,
        )
        .await
        .unwrap()
        .id();
    w.finish().await.unwrap();
    let shop = Shop {
        store,
        manager,
        coffee,
        anna,
        bela,
        bela_punch,
        bela_punched_at,
        csilla,
        _dir: dir,
    };
    let first = shop.routine().await;
    assert!(first.ok, "{:?}", first.checks);
    assert_eq!(first.scope, DoctorScope::Everything, "no mark yet");
    for _ in 0..2 {
        shop.store
            .punch(&shop.manager, shop.anna, Some(shop.coffee), 1)
            .await
            .unwrap();
    }
    shop
}

impl Shop {
    async fn routine(&self) -> DoctorReport {
        self.doctor(Doctor::SinceLastCheck).await
    }

    /// A routine run that had to look at everything, and found it sound.
    async fn routine_looks_at_everything(&self) {
        let report = self.routine().await;
        assert!(report.ok, "{:?}", report.checks);
        assert_eq!(report.scope, DoctorScope::Everything);
    }

    async fn doctor(&self, doctor: Doctor) -> DoctorReport {
        self.store
            .doctor_with_progress(&self.manager, doctor, &mut |_, _| {})
            .await
            .unwrap()
    }

    /// Runs `statement` behind the store's back, `?1` standing for `member`, once the report
    /// tables have counted every event (after its commit, they may lag a batch).
    async fn damage(&self, statement: &str, member: MemberId) {
        self.store.count_for_reports().await.unwrap();
        let query = sqlx::query(statement);
        let query = if statement.contains("?1") {
            query.bind(member)
        } else {
            query
        };
        let done = query.execute(self.store.pool()).await.unwrap();
        assert!(done.rows_affected() > 0, "damaged nothing: {statement}");
    }
}

fn since_events(report: &DoctorReport) -> i64 {
    match report.scope {
        DoctorScope::SinceLastCheck { events, .. } => events,
        DoctorScope::Everything => panic!("looked at everything: {report:?}"),
    }
}

fn failed(report: &DoctorReport) -> Vec<&str> {
    report
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.name.as_str())
        .collect()
}

#[tokio::test]
async fn a_sound_check_leaves_a_mark_the_next_routine_check_starts_from() {
    let shop = shop().await;
    let before = Utc::now();
    let second = shop.routine().await;
    assert!(second.ok, "{:?}", second.checks);
    assert_eq!(since_events(&second), 2, "Anna's two punches");
    let DoctorScope::SinceLastCheck { checked_at, .. } = second.scope else {
        unreachable!()
    };
    assert!(checked_at <= before, "the mark of the first check");

    // That run was sound too: the next starts where it ended.
    shop.store
        .punch(&shop.manager, shop.csilla, Some(shop.coffee), 1)
        .await
        .unwrap();
    let third = shop.routine().await;
    assert!(third.ok, "{:?}", third.checks);
    assert_eq!(since_events(&third), 1);
    let nothing_new = shop.routine().await;
    assert!(nothing_new.ok, "{:?}", nothing_new.checks);
    assert_eq!(since_events(&nothing_new), 0);
    // Asked for everything, it looks at everything.
    assert_eq!(
        shop.doctor(Doctor::Full).await.scope,
        DoctorScope::Everything
    );
}

/// The member, the quarter hour and the local day Anna's punches fall in, damaged one table at
/// a time: the routine check finds each.
#[tokio::test]
async fn damage_where_the_new_events_landed_is_found_by_the_routine_check() {
    let anna = "(SELECT n FROM short_id WHERE id = ?1)";
    let cases = [
        (
            "UPDATE card SET punches_total = punches_total + 1 WHERE member_id = ?1".to_string(),
            "card_totals_match_ledger",
        ),
        (
            format!(
                "UPDATE report_activity SET punches = punches + 1
                 WHERE member = {anna} AND slot = (SELECT max(slot) FROM report_activity)"
            ),
            "report_activity_matches_ledger",
        ),
        (
            format!("UPDATE report_card_day SET before = before + 1 WHERE member = {anna}"),
            "report_days_match_activity",
        ),
        (
            format!("UPDATE report_member_day SET enrol_slots = 7 WHERE member = {anna}"),
            "report_days_match_activity",
        ),
        (
            "UPDATE report_day SET events = events + 1 WHERE day = (SELECT max(day) FROM report_day)"
                .to_string(),
            "report_days_match_activity",
        ),
        (
            "UPDATE report_return SET members = members + 1
             WHERE day = (SELECT max(day) FROM report_return)"
                .to_string(),
            "report_days_match_activity",
        ),
        (
            "UPDATE report_staff_day SET voids = voids + 1
             WHERE day = (SELECT max(day) FROM report_staff_day)"
                .to_string(),
            "report_days_match_activity",
        ),
    ];
    for (statement, check) in cases {
        let shop = shop().await;
        shop.damage(&statement, shop.anna).await;
        let report = shop.routine().await;
        assert_eq!(since_events(&report), 2, "{statement}");
        assert_eq!(failed(&report), [check], "{statement}");
    }
}

#[tokio::test]
async fn damage_no_new_event_could_have_caused_is_left_to_the_full_check() {
    let shop = shop().await;
    shop.damage(
        "UPDATE card SET punches_total = punches_total + 1 WHERE member_id = ?1",
        shop.csilla,
    )
    .await;
    let routine = shop.routine().await;
    assert!(
        routine.ok,
        "Csilla's card is not among the questions: {routine:?}"
    );
    assert_eq!(since_events(&routine), 2);

    let full = shop.doctor(Doctor::Full).await;
    assert_eq!(failed(&full), ["card_totals_match_ledger"]);
    assert_eq!(full.differences.len(), 1);
    assert_eq!(full.differences[0].member_id, shop.csilla);
}

/// A void names an event from before the mark: its member's card and its quarter hour weeks ago
/// are among the questions.
#[tokio::test]
async fn a_void_of_an_old_punch_brings_its_card_and_its_quarter_hour_into_the_check() {
    // The void took the punch's quarter hour away; the damage puts it back.
    let restored = "INSERT INTO report_activity
                        (slot, member, program, events, punches, rewards, redemptions)
                    VALUES (?2, (SELECT n FROM short_id WHERE id = ?1),
                            (SELECT n FROM short_id WHERE id = ?3), 1, 2, 0, 0)";
    let cases = [
        (
            "UPDATE card SET punches_total = punches_total + 2 WHERE member_id = ?1",
            "card_totals_match_ledger",
        ),
        (restored, "report_activity_matches_ledger"),
        (
            // Its day's figures (a shop in UTC), as if it still stood.
            "INSERT INTO report_day (day, program, events, punches, rewards, redemptions, fills)
             VALUES (?2 * 15 / 1440, (SELECT n FROM short_id WHERE id = ?3), 1, 2, 0, 0, 0)",
            "report_days_match_activity",
        ),
    ];
    for (damage, check) in [(None, None)]
        .into_iter()
        .chain(cases.map(|(d, c)| (Some(d), Some(c))))
    {
        let shop = shop().await;
        assert!(shop.routine().await.ok, "the mark past Anna's punches");
        let reason = VoidReason::code(ReasonCode::WrongMember);
        shop.store
            .void(&shop.manager, shop.bela_punch, &reason)
            .await
            .unwrap();
        if let Some(damage) = damage {
            shop.store.count_for_reports().await.unwrap();
            let done = sqlx::query(damage)
                .bind(shop.bela)
                .bind(shop.bela_punched_at.timestamp() / 900)
                .bind(shop.coffee)
                .execute(shop.store.pool())
                .await
                .unwrap();
            assert_eq!(done.rows_affected(), 1, "{damage}");
        }
        let report = shop.routine().await;
        assert_eq!(since_events(&report), 1, "the void");
        match check {
            None => assert!(report.ok, "{:?}", report.checks),
            Some(check) => assert_eq!(failed(&report), [check], "{damage:?}"),
        }
    }
}

#[tokio::test]
async fn a_merge_brings_both_members_into_the_check() {
    let shop = shop().await;
    assert!(shop.routine().await.ok, "the mark past Anna's punches");
    shop.store
        .merge_members(&shop.manager, shop.bela, shop.csilla)
        .await
        .unwrap();
    let sound = shop.routine().await;
    assert!(sound.ok, "{:?}", sound.checks);
    assert_eq!(since_events(&sound), 1, "the merge");

    shop.store
        .merge_members(&shop.manager, shop.anna, shop.bela)
        .await
        .unwrap();
    // Csilla's stamps now count on Anna's card, through Béla: damage it.
    shop.damage(
        "UPDATE card SET punches_total = punches_total - 1 WHERE member_id = ?1",
        shop.anna,
    )
    .await;
    let report = shop.routine().await;
    assert_eq!(failed(&report), ["card_totals_match_ledger"]);
    assert_eq!(report.differences.len(), 1);
    assert_eq!(report.differences[0].member_id, shop.anna);
}

#[tokio::test]
async fn a_failed_check_leaves_the_mark_where_it_was() {
    let shop = shop().await;
    shop.damage(
        "UPDATE card SET redeemed_total = redeemed_total + 1 WHERE member_id = ?1",
        shop.anna,
    )
    .await;
    assert!(!shop.routine().await.ok);
    shop.store
        .punch(&shop.manager, shop.csilla, Some(shop.coffee), 1)
        .await
        .unwrap();
    let again = shop.routine().await;
    assert_eq!(failed(&again), ["card_totals_match_ledger"]);
    assert_eq!(
        since_events(&again),
        3,
        "Anna's two punches are still past the mark"
    );

    // The rebuild mends the card; what it wrote was never checked, so the next run looks at
    // everything, and leaves a mark again.
    assert!(shop.doctor(Doctor::Rebuild).await.rebuilt);
    shop.routine_looks_at_everything().await;
    assert_eq!(since_events(&shop.routine().await), 0);
}

/// A new time zone (every day table counted again) and a changed program (its stamps needed
/// shown on every card's days) rewrite tables kept from the ledger without an event.
#[tokio::test]
async fn what_changes_the_kept_tables_without_an_event_sends_the_next_check_back_to_everything() {
    let shop = shop().await;
    let current = shop.store.require_shop().await.unwrap();
    shop.store
        .set_shop_settings(
            &shop.manager,
            &ShopSettings {
                name: current.name,
                language: current.language,
                currency: current.currency,
                time_zone: Some("America/New_York".into()),
                survey_interval_days: None,
            },
        )
        .await
        .unwrap();
    shop.routine_looks_at_everything().await;

    shop.store
        .pause_program(&shop.manager, shop.coffee)
        .await
        .unwrap();
    shop.routine_looks_at_everything().await;
    assert_eq!(since_events(&shop.routine().await), 0);
}

/// Past a quarter of the ledger, the events since the mark are the bulk of it: looking at what
/// they touched would be looking at nearly everything, a member at a time.
#[tokio::test]
async fn a_mark_left_long_ago_is_not_gone_on_from() {
    let shop = shop().await;
    let punch_csilla = async |times: i64| {
        for _ in 0..times {
            shop.store
                .punch(&shop.manager, shop.csilla, Some(shop.coffee), 1)
                .await
                .unwrap();
        }
    };
    let ledger: i64 = sqlx::query_scalar("SELECT count(*) FROM event")
        .fetch_one(shop.store.pool())
        .await
        .unwrap();
    // Anna's 2 events are past the mark. The most that may join them: 4 × (2 + k) ≤ ledger + k.
    let more = (ledger - 8) / 3;
    punch_csilla(more).await;
    assert_eq!(since_events(&shop.routine().await), 2 + more);

    // The mark is at the end now; then more than a quarter of the ledger comes after it.
    let ledger = ledger + more;
    let past = ledger / 3 + 1;
    assert!(4 * past > ledger + past);
    punch_csilla(past).await;
    shop.routine_looks_at_everything().await;
}
