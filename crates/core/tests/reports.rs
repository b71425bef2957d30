//! Reports (issue 11, part 3; decision 0023) on a history whose answers were worked out by
//! hand, in two time zones: Paris (UTC+1, summer time from 29 March 2026) and New York
//! (UTC−5, summer time from 8 March 2026). Events sit near midnight and next to both changes,
//! so that a day counted in UTC, or with the winter offset after the change, gives another
//! answer. The working is written next to each expectation.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use tessera_core::counter::programs::{NewProgram, PointsReward};
use tessera_core::ids::{MemberId, ProgramId, StaffId};
use tessera_core::ledger::EventKind;
use tessera_core::people::members::NewMember;
use tessera_core::people::shop::{Actor, Role, ShopSettings};
use tessera_core::reports::summary::Summary;
use tessera_core::reports::Period;
use tessera_core::support::history::HistoryWriter;
use tessera_core::Store;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

struct Shop {
    store: Store,
    manager: Actor,
    cashier: Actor,
    coffee: ProgramId,
    points: ProgramId,
    members: Members,
    _dir: tempfile::TempDir,
}

/// Who the history is about.
struct Members {
    a: MemberId,
}

async fn in_zone(shop: &Shop, zone: &str) {
    let current = shop.store.require_shop().await.unwrap();
    shop.store
        .set_shop_settings(
            &shop.manager,
            &ShopSettings {
                name: current.name,
                language: current.language,
                currency: current.currency,
                time_zone: Some(zone.into()),
                survey_interval_days: None,
            },
        )
        .await
        .unwrap();
}

async fn enrol(w: &mut HistoryWriter<'_>, staff: StaffId, name: &str, when: &str) -> MemberId {
    let new = NewMember {
        name: name.into(),
        ..NewMember::default()
    };
    w.enrol(staff, &new, at(when)).await.unwrap()
}

/// The history. Times are UTC; what each is in Paris and New York is worked out where it
/// matters. The coffee card needs 3 stamps.
async fn history() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let sam = store.staff_named("Sam").await.unwrap();
    let cashier = Actor {
        staff_id: sam.id,
        role: Role::Cashier,
    };
    let coffee = store
        .add_program(&manager, &NewProgram::stamps("Coffee", 3, "A coffee"))
        .await
        .unwrap()
        .id;
    let tier = PointsReward {
        points: 10,
        reward: "A croissant".into(),
    };
    let points = store
        .add_program(
            &manager,
            &NewProgram::points("Pastry points", 1, vec![tier]),
        )
        .await
        .unwrap()
        .id;
    let (ana, sam) = (manager.staff_id, cashier.staff_id);
    let mut w = store.history_writer().await.unwrap();
    let punch = EventKind::Punch;
    let redeem = EventKind::Redeem;

    // F: a weekly regular in June 2025 who then stopped (every 7 days, last 23 June).
    let f = enrol(&mut w, ana, "Fanni Fehér", "2025-06-01T10:00:00Z").await;
    for when in ["02", "09", "16", "23"] {
        let t = at(&format!("2025-06-{when}T10:00:00Z"));
        w.event(ana, punch, f, Some(coffee), 1, t).await.unwrap();
    }
    // H: three visits in February 2026 by Paris days (10, 11, 12: 23:30 and 00:30 fall on
    // either side of Paris midnight) but two by New York days (10 and 12).
    let h = enrol(&mut w, ana, "Hugo Hajdú", "2025-11-01T10:00:00Z").await;
    for when in [
        "2026-02-10T22:30:00Z",
        "2026-02-10T23:30:00Z",
        "2026-02-12T10:00:00Z",
    ] {
        w.event(ana, punch, h, Some(coffee), 1, at(when))
            .await
            .unwrap();
    }
    // D: a member since December; a points visit at 23:30 UTC on 31 March: 1 April in
    // Paris, 31 March in New York.
    let d = enrol(&mut w, ana, "Dóra Deák", "2025-12-01T10:00:00Z").await;
    // E: enrolled at 23:30 UTC on 31 January: 1 February in Paris (00:30), 31 January in New
    // York (18:30). Comes at 10:00 UTC on 1 February: the same day in Paris (not a return),
    // the next day in New York. Again on 20 March (an override by Sam).
    let e = enrol(&mut w, ana, "Emese Erdős", "2026-01-31T23:30:00Z").await;
    w.event(ana, punch, e, Some(coffee), 1, at("2026-02-01T10:00:00Z"))
        .await
        .unwrap();
    // A: enrolled 15 February, 2 stamps on the 20th.
    let a = enrol(&mut w, ana, "Anna Antal", "2026-02-15T12:00:00Z").await;
    w.event(ana, punch, a, Some(coffee), 2, at("2026-02-20T10:00:00Z"))
        .await
        .unwrap();
    // 23:30 UTC on 28 February: 1 March in Paris (fills A's card), 28 February in New York.
    w.event(ana, punch, a, Some(coffee), 1, at("2026-02-28T23:30:00Z"))
        .await
        .unwrap();
    // C: enrolled by Sam on 8 March at 06:30 UTC (01:30 in New York, before its change).
    enrol(&mut w, sam, "Csaba Czakó", "2026-03-08T06:30:00Z").await;
    // 04:30 UTC on 9 March: 00:30 on the 9th in New York's summer time (23:30 on the 8th
    // with the winter offset); 05:30 on the 9th in Paris.
    w.event(ana, punch, a, Some(coffee), 1, at("2026-03-09T04:30:00Z"))
        .await
        .unwrap();
    // Sam punches A by mistake on the 15th; Ana voids it a minute later: no visit, no stamp.
    let wrong = w
        .event(sam, punch, a, Some(coffee), 1, at("2026-03-15T12:00:00Z"))
        .await
        .unwrap();
    w.void(ana, wrong, at("2026-03-15T12:01:00Z"))
        .await
        .unwrap();
    w.override_punch(
        sam,
        e,
        coffee,
        "two coffees, two visits",
        at("2026-03-20T10:00:00Z"),
    )
    .await
    .unwrap();
    // 22:30 UTC on 29 March: 00:30 on the 30th in Paris, now on summer time (23:30 on the
    // 29th with the winter offset); 18:30 on the 29th in New York. Two stamps (the card's
    // sixth: filled again) and a coffee given.
    for when in ["2026-03-29T22:30:00Z", "2026-03-29T22:45:00Z"] {
        w.event(ana, punch, a, Some(coffee), 1, at(when))
            .await
            .unwrap();
    }
    w.event(ana, redeem, a, Some(coffee), 1, at("2026-03-29T22:50:00Z"))
        .await
        .unwrap();
    // B: enrolled at 22:30 UTC on 31 March: 1 April in Paris, 31 March in New York.
    enrol(&mut w, ana, "Bence Balogh", "2026-03-31T22:30:00Z").await;
    w.event(ana, punch, d, Some(points), 12, at("2026-03-31T23:30:00Z"))
        .await
        .unwrap();
    w.event(ana, redeem, d, Some(points), 10, at("2026-03-31T23:40:00Z"))
        .await
        .unwrap();
    w.finish().await.unwrap();
    Shop {
        store,
        manager,
        cashier,
        coffee,
        points,
        members: Members { a },
        _dir: dir,
    }
}

fn march() -> Period {
    Period::new(day("2026-03-01"), day("2026-03-31")).unwrap()
}

fn values(points: &[tessera_core::reports::Point]) -> Vec<(String, i64)> {
    points
        .iter()
        .filter(|p| p.value != 0)
        .map(|p| (p.start.to_string(), p.value))
        .collect()
}

fn pairs(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(d, v)| (d.to_string(), *v)).collect()
}

async fn summary(shop: &Shop) -> Summary {
    shop.store
        .summary_report(&shop.manager, march())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_month_at_a_glance_counts_the_shops_own_days() {
    let shop = history().await;

    in_zone(&shop, "Europe/Paris").await;
    let paris = summary(&shop).await;
    assert_eq!(paris.time_zone, "Europe/Paris");
    // Visits in March, Paris days: A on 1, 9 and 30 March, E on the 20th (the voided punch of
    // the 15th is none; D's of 31 March 23:30 UTC is in April). Both were members before.
    assert_eq!(paris.returning_members, 2);
    assert_eq!(
        values(&paris.returning_series),
        pairs(&[
            ("2026-03-01", 1),
            ("2026-03-09", 1),
            ("2026-03-20", 1),
            ("2026-03-30", 1)
        ])
    );
    assert_eq!(
        paris.returning_series.len(),
        31,
        "a bar for every day of March"
    );
    // Weeks from Monday: 1 March is a Sunday (week of 23 February), 30 March a Monday.
    assert_eq!(
        values(&paris.visits_per_week),
        pairs(&[
            ("2026-02-23", 1),
            ("2026-03-09", 1),
            ("2026-03-16", 1),
            ("2026-03-30", 1)
        ])
    );
    assert_eq!(paris.visits_per_week.len(), 6);
    // A's coffee on the 30th; D's croissant is April's. New: C (B's 31 March is April here).
    assert_eq!((paris.rewards_given, paris.new_members), (1, 1));
    assert_eq!(values(&paris.rewards_series), pairs(&[("2026-03-30", 1)]));
    assert_eq!(
        values(&paris.new_members_series),
        pairs(&[("2026-03-08", 1)])
    );
    // Coffee: A 1 + 1 + 2 and E 1 = 5 stamps. A's card had 2 before March and 6 after it: it
    // filled at 3 and at 6, twice. E's went from 1 to 2: none.
    let coffee = &paris.programs[0];
    assert_eq!((coffee.program_id, coffee.punches), (shop.coffee, 5));
    assert_eq!(
        (coffee.rewards_earned, coffee.rewards_redeemed),
        (Some(2), 1)
    );
    let points = &paris.programs[1];
    assert_eq!(points.program_id, shop.points);
    assert_eq!(
        (
            points.punches,
            points.rewards_earned,
            points.rewards_redeemed
        ),
        (0, None, 0)
    );

    in_zone(&shop, "America/New_York").await;
    let new_york = summary(&shop).await;
    // A on 9 March (summer time already) and 29 March, E on the 20th, D on the 31st.
    assert_eq!(new_york.returning_members, 3);
    assert_eq!(
        values(&new_york.returning_series),
        pairs(&[
            ("2026-03-09", 1),
            ("2026-03-20", 1),
            ("2026-03-29", 1),
            ("2026-03-31", 1)
        ])
    );
    assert_eq!(
        values(&new_york.visits_per_week),
        pairs(&[
            ("2026-03-09", 1),
            ("2026-03-16", 1),
            ("2026-03-23", 1),
            ("2026-03-30", 1)
        ])
    );
    // A's coffee and D's croissant (one reward, whatever its points). New: C and B.
    assert_eq!((new_york.rewards_given, new_york.new_members), (2, 2));
    assert_eq!(
        values(&new_york.new_members_series),
        pairs(&[("2026-03-08", 1), ("2026-03-31", 1)])
    );
    // Coffee: A 1 + 2, E 1 = 4; A's card went from 3 to 6: filled once.
    let coffee = &new_york.programs[0];
    assert_eq!(
        (
            coffee.punches,
            coffee.rewards_earned,
            coffee.rewards_redeemed
        ),
        (4, Some(1), 1)
    );
    let points = &new_york.programs[1];
    assert_eq!(
        (
            points.punches,
            points.rewards_earned,
            points.rewards_redeemed
        ),
        (12, None, 1)
    );
}

#[tokio::test]
async fn cohorts_count_a_return_only_on_a_later_day_of_the_shop() {
    let shop = history().await;
    let quarter = Period::new(day("2026-01-01"), day("2026-03-31")).unwrap();
    let shares = |r: &tessera_core::reports::retention::Retention| -> Vec<(String, i64, Vec<i64>)> {
        r.cohorts
            .iter()
            .map(|c| {
                let back = c.windows.iter().map(|w| w.members).collect();
                (c.month.to_string(), c.enrolled, back)
            })
            .collect()
    };

    in_zone(&shop, "Europe/Paris").await;
    let paris = shop
        .store
        .retention_report(&shop.manager, quarter)
        .await
        .unwrap();
    // February: E (1 February, 00:30) and A. A is back on the 20th, 5 days later. E's visit
    // at 11:00 the same day is no return; she is back on 20 March, 47 days later. March: C,
    // never back (B enrolled on 1 April here).
    assert_eq!(
        shares(&paris),
        [
            ("2026-01-01".to_string(), 0, vec![0, 0, 0]),
            ("2026-02-01".to_string(), 2, vec![1, 2, 2]),
            ("2026-03-01".to_string(), 1, vec![0, 0, 0]),
        ]
    );
    let february = &paris.cohorts[1].windows;
    assert_eq!(february[0].share, Some(0.5));
    assert!(february.iter().all(|w| w.complete), "90 days have passed");
    assert_eq!(paris.cohorts[0].windows[0].share, None, "nobody enrolled");

    in_zone(&shop, "America/New_York").await;
    let new_york = shop
        .store
        .retention_report(&shop.manager, quarter)
        .await
        .unwrap();
    // E enrolled on 31 January (18:30) and came back the next day; A in February; B and C
    // in March, neither back.
    assert_eq!(
        shares(&new_york),
        [
            ("2026-01-01".to_string(), 1, vec![1, 1, 1]),
            ("2026-02-01".to_string(), 1, vec![1, 1, 1]),
            ("2026-03-01".to_string(), 2, vec![0, 0, 0]),
        ]
    );
}

#[tokio::test]
async fn regulars_away_for_twice_their_usual_interval_are_at_risk() {
    let shop = history().await;
    let names = |r: &tessera_core::reports::at_risk::AtRisk| -> Vec<(String, i64, i64)> {
        r.members
            .iter()
            .map(|m| (m.name.clone(), m.visits, m.days_away))
            .collect()
    };

    in_zone(&shop, "Europe/Paris").await;
    let paris = shop
        .store
        .at_risk_report(&shop.manager, day("2026-03-31"), None)
        .await
        .unwrap();
    // H: 3 visits a day apart, away 47 days (47 times the usual). F: 4 visits 7 days apart,
    // away 281 days (40 times). A: 4 visits, the last yesterday. E: 2 visits, no regular.
    assert_eq!(
        names(&paris),
        [
            ("Hugo Hajdú".to_string(), 3, 47),
            ("Fanni Fehér".to_string(), 4, 281)
        ]
    );
    assert_eq!(paris.total, 2);
    assert_eq!(paris.members[1].usual_interval_days, 7.0);
    assert_eq!(paris.members[1].last_visit, day("2025-06-23"));

    in_zone(&shop, "America/New_York").await;
    let new_york = shop
        .store
        .at_risk_report(&shop.manager, day("2026-03-31"), Some(10))
        .await
        .unwrap();
    // H's 23:30 and 00:30 UTC are both the evening of 10 February: two visits, no regular.
    assert_eq!(names(&new_york), [("Fanni Fehér".to_string(), 4, 281)]);

    let cut = shop
        .store
        .at_risk_report(&shop.manager, day("2026-03-31"), Some(0))
        .await
        .unwrap();
    assert_eq!(
        (cut.total, cut.members.len()),
        (1, 0),
        "the total stays when the list is cut"
    );
}

#[tokio::test]
async fn each_staff_member_s_enrolments_voids_and_overrides() {
    let shop = history().await;
    in_zone(&shop, "Europe/Paris").await;
    let report = shop
        .store
        .staff_report(&shop.manager, march())
        .await
        .unwrap();
    let rows: Vec<_> = report
        .staff
        .iter()
        .map(|s| {
            let name = s.name.clone().unwrap();
            (
                name,
                s.enrolments,
                s.punches,
                s.redemptions,
                s.voids,
                s.overrides,
                s.cancelled,
            )
        })
        .collect();
    // Ana: A's stamps of 1, 9 and 30 March (4), A's coffee, the void. Sam: C's enrolment, the
    // punch Ana voided, E's override. B and D's events of 31 March 23:30 UTC are April's.
    assert_eq!(
        rows,
        [
            ("Ana".to_string(), 0, 4, 1, 1, 0, 0),
            ("Sam".to_string(), 1, 2, 0, 0, 1, 1)
        ]
    );
    assert_eq!(report.staff[1].staff_id, shop.cashier.staff_id);
}

#[tokio::test]
async fn reports_are_for_managers_and_refuse_a_backward_period() {
    let shop = history().await;
    let error = shop
        .store
        .summary_report(&shop.cashier, march())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "manager_only");
    for refused in [
        shop.store
            .retention_report(&shop.cashier, march())
            .await
            .err(),
        shop.store.staff_report(&shop.cashier, march()).await.err(),
        shop.store
            .at_risk_report(&shop.cashier, day("2026-03-31"), None)
            .await
            .err(),
    ] {
        assert_eq!(refused.map(|e| e.code()), Some("manager_only"));
    }
    let backward = Period::new(day("2026-03-31"), day("2026-03-01")).unwrap_err();
    assert_eq!(backward.code(), "invalid_period");
    // As the app's JSON arrives: a period never built by Period::new is checked all the same.
    let backward = Period {
        from: day("2026-03-31"),
        to: day("2026-03-01"),
    };
    for refused in [
        shop.store
            .summary_report(&shop.manager, backward)
            .await
            .err(),
        shop.store
            .retention_report(&shop.manager, backward)
            .await
            .err(),
        shop.store.staff_report(&shop.manager, backward).await.err(),
    ] {
        assert_eq!(refused.map(|e| e.code()), Some("invalid_period"));
    }
}

#[tokio::test]
async fn erasing_a_member_leaves_the_reports_as_they_were() {
    let shop = history().await;
    in_zone(&shop, "Europe/Paris").await;
    let quarter = Period::new(day("2026-01-01"), day("2026-03-31")).unwrap();
    let before = (
        summary(&shop).await,
        shop.store
            .retention_report(&shop.manager, quarter)
            .await
            .unwrap(),
        shop.store
            .staff_report(&shop.manager, march())
            .await
            .unwrap(),
    );
    shop.store
        .erase_member(&shop.manager, shop.members.a)
        .await
        .unwrap();
    let after = (
        summary(&shop).await,
        shop.store
            .retention_report(&shop.manager, quarter)
            .await
            .unwrap(),
        shop.store
            .staff_report(&shop.manager, march())
            .await
            .unwrap(),
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn the_history_writer_leaves_a_store_doctor_finds_sound() {
    let shop = history().await;
    let report = shop.store.doctor(&shop.manager, false).await.unwrap();
    assert!(report.ok, "{:?}", report.checks);
}

/// Damages what the reports read behind the triggers' back: the summary changes, `doctor`
/// names the `check` that fails (the cards are sound), and `--rebuild` restores the figures.
async fn damaged_found_and_rebuilt(damage: &[&str], check: &str) {
    let shop = history().await;
    in_zone(&shop, "Europe/Paris").await;
    let before = summary(&shop).await;
    for statement in damage {
        sqlx::query(statement)
            .execute(shop.store.pool())
            .await
            .unwrap();
    }
    assert_ne!(summary(&shop).await, before);
    let report = shop.store.doctor(&shop.manager, false).await.unwrap();
    let found = report.checks.iter().find(|c| c.name == check).unwrap();
    assert!(!found.ok && !report.ok, "{:?}", report.checks);
    assert!(report.differences.is_empty(), "the cards are sound");

    let report = shop.store.doctor(&shop.manager, true).await.unwrap();
    assert!(report.rebuilt);
    assert_eq!(summary(&shop).await, before);
    let report = shop.store.doctor(&shop.manager, false).await.unwrap();
    assert!(report.ok, "{:?}", report.checks);
}

#[tokio::test]
async fn report_figures_damaged_behind_the_stores_back_are_found_and_rebuilt() {
    // The quarter-hour roll-up the day tables are kept from.
    damaged_found_and_rebuilt(
        &[
            "UPDATE report_activity SET punches = punches + 1 WHERE program <> 0",
            "DELETE FROM report_activity WHERE program = 0",
        ],
        "report_activity_matches_ledger",
    )
    .await;
}

#[tokio::test]
async fn day_counts_damaged_behind_the_stores_back_are_found_and_rebuilt() {
    // What the summary reads per day: a day's visits lost, enrolments added.
    damaged_found_and_rebuilt(
        &[
            "DELETE FROM report_return WHERE day = (SELECT MIN(day) FROM report_return)",
            "UPDATE report_day SET events = events + 5 WHERE program = 0",
        ],
        "report_days_match_activity",
    )
    .await;
}

#[tokio::test]
async fn a_merged_members_stamps_fill_the_card_of_the_member_they_now_stand_for() {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let coffee = store
        .add_program(&manager, &NewProgram::stamps("Coffee", 3, "A coffee"))
        .await
        .unwrap()
        .id;
    let staff = manager.staff_id;
    let mut w = store.history_writer().await.unwrap();
    let x = enrol(&mut w, staff, "Xénia Xantus", "2026-02-01T10:00:00Z").await;
    let y = enrol(&mut w, staff, "Xénia X.", "2026-02-02T10:00:00Z").await;
    w.event(
        staff,
        EventKind::Punch,
        x,
        Some(coffee),
        2,
        at("2026-03-05T10:00:00Z"),
    )
    .await
    .unwrap();
    w.event(
        staff,
        EventKind::Punch,
        y,
        Some(coffee),
        1,
        at("2026-03-06T10:00:00Z"),
    )
    .await
    .unwrap();
    w.finish().await.unwrap();
    let earned = |summary: Summary| summary.programs[0].rewards_earned;
    // Two cards, 2 and 1 stamps of 3: none filled.
    let apart = store.summary_report(&manager, march()).await.unwrap();
    assert_eq!(earned(apart), Some(0));

    // The same person: one card of 3 stamps, filled in March.
    store.merge_members(&manager, x, y).await.unwrap();
    let merged = store.summary_report(&manager, march()).await.unwrap();
    assert_eq!(earned(merged.clone()), Some(1));
    assert_eq!(merged.programs[0].punches, 3);
    let report = store.doctor(&manager, false).await.unwrap();
    assert!(report.ok, "{:?}", report.checks);
}

#[tokio::test]
async fn a_merged_members_visits_count_for_the_member_they_now_stand_for() {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let coffee = store
        .add_program(&manager, &NewProgram::stamps("Coffee", 9, "A coffee"))
        .await
        .unwrap()
        .id;
    let staff = manager.staff_id;
    let mut w = store.history_writer().await.unwrap();
    let x = enrol(&mut w, staff, "Xénia Xantus", "2025-12-01T10:00:00Z").await;
    let y = enrol(&mut w, staff, "Xénia X.", "2025-12-02T10:00:00Z").await;
    // Weekly in January, twice under each card.
    for (member, when) in [(x, "05"), (x, "12"), (y, "19"), (y, "26")] {
        let t = at(&format!("2026-01-{when}T10:00:00Z"));
        w.event(staff, EventKind::Punch, member, Some(coffee), 1, t)
            .await
            .unwrap();
    }
    w.finish().await.unwrap();
    let at_risk = |store: &Store| {
        let store = store.clone();
        let manager = manager.clone();
        async move {
            store
                .at_risk_report(&manager, day("2026-03-31"), Some(10))
                .await
                .unwrap()
        }
    };
    // Two visits each: no regular.
    assert_eq!(at_risk(&store).await.total, 0);

    // One regular of four weekly visits, away since 26 January.
    store.merge_members(&manager, x, y).await.unwrap();
    let report = at_risk(&store).await;
    assert_eq!(report.total, 1);
    let member = &report.members[0];
    assert_eq!((member.member_id, member.visits), (x, 4));
    assert_eq!(member.last_visit, day("2026-01-26"));
}

/// The report tables count the ledger in batches after the commits (migration 0023, decision
/// 0035): a till where nobody opens a report still has them counted, at most a batch behind,
/// and a report counts the rest before it reads.
#[tokio::test]
async fn the_report_tables_count_the_ledger_in_batches_and_a_report_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let coffee = store
        .add_program(&manager, &NewProgram::stamps("Coffee", 10, "A coffee"))
        .await
        .unwrap()
        .id;
    let member = store
        .enroll(
            &manager,
            &NewMember {
                name: "Anna Kovács".into(),
                ..NewMember::default()
            },
        )
        .await
        .unwrap()
        .id;
    let punches = 300;
    for _ in 0..punches {
        store
            .punch(&manager, member, Some(coffee), 1)
            .await
            .unwrap();
    }
    let (counted_upto, last_event): (i64, i64) =
        sqlx::query_as("SELECT (SELECT upto FROM report_counted), (SELECT max(n) FROM ledger)")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert!(
        counted_upto > 0 && counted_upto < last_event,
        "a batch counted by a punch, the last few left: {counted_upto} of {last_event}"
    );
    let (counted, standing): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COALESCE(SUM(punches), 0) FROM report_activity),
                (SELECT COUNT(*) FROM ledger WHERE kind = 2 AND n <= ?1)",
    )
    .bind(counted_upto)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(
        counted, standing,
        "every punch up to the mark, and none past it"
    );

    let today = Utc::now().date_naive();
    let summary = store
        .summary_report(&manager, Period::month_to(today))
        .await
        .unwrap();
    let coffee_figures = summary
        .programs
        .iter()
        .find(|p| p.program_id == coffee)
        .unwrap();
    assert_eq!(coffee_figures.punches, punches);
    let staff = store
        .staff_report(&manager, Period::month_to(today))
        .await
        .unwrap();
    let by_manager = staff
        .staff
        .iter()
        .find(|s| s.staff_id == manager.staff_id)
        .unwrap();
    assert_eq!(by_manager.punches, punches);
}
