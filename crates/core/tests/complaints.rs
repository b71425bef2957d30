//! Complaints through the real store: the coupon a complaint's rule proposes is given once,
//! even when two tills' requests race (docs/decisions/0030-complaints.md). The story through
//! the CLI is `crates/cli/tests/cli/complaint.rs`; across two tills, `tests/sync/tests/care.rs`.

mod common;

use tessera_core::care::complaints::{Category, NewComplaint, Severity};
use tessera_core::CoreError;

#[tokio::test]
async fn two_requests_to_compensate_one_complaint_give_one_coupon() {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let logged = store
        .add_complaint(
            &manager,
            &NewComplaint {
                member_id: None,
                category: Category::Quality,
                severity: Severity::High,
                note: "Burnt bread".into(),
            },
        )
        .await
        .unwrap();
    assert!(logged.proposed_coupon.is_some());
    let (first, second) = tokio::join!(
        store.compensate_complaint(&manager, logged.id),
        store.compensate_complaint(&manager, logged.id),
    );
    let outcomes = format!("{first:?} / {second:?}");
    let (given, refused): (Vec<_>, Vec<_>) = [first, second].into_iter().partition(Result::is_ok);
    assert_eq!(given.len(), 1, "{outcomes}");
    assert!(
        matches!(refused[0], Err(CoreError::ComplaintCompensated)),
        "{outcomes}"
    );
    let given: Vec<_> = given.into_iter().map(Result::unwrap).collect();
    // Nothing half-written: one coupon in the store, and it is the complaint's.
    let coupons: i64 = sqlx::query_scalar("SELECT count(*) FROM coupon")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(coupons, 1);
    assert_eq!(
        store.complaint(logged.id).await.unwrap().coupon_id,
        Some(given[0].id)
    );
}

#[tokio::test]
async fn the_staff_report_counts_the_complaints_each_one_logged_and_put_right() {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let sam = tessera_core::people::shop::Actor::from(&store.sign_in("Sam", "0000").await.unwrap());
    let log = |actor, note: &'static str| {
        let store = &store;
        async move {
            store
                .add_complaint(
                    actor,
                    &NewComplaint {
                        member_id: None,
                        category: Category::Wait,
                        severity: Severity::Low,
                        note: note.into(),
                    },
                )
                .await
                .unwrap()
                .id
        }
    };
    // Sam logs two and puts one right; Ana, a manager, logs one and puts right both others.
    let first = log(&sam, "Queue out of the door").await;
    let second = log(&sam, "Coffee machine down").await;
    let third = log(&manager, "Card reader slow").await;
    store
        .resolve_complaint(&sam, first, "Second till opened")
        .await
        .unwrap();
    store
        .resolve_complaint(&manager, second, "Repaired")
        .await
        .unwrap();
    store
        .resolve_complaint(&manager, third, "New reader")
        .await
        .unwrap();

    let today = store
        .require_shop()
        .await
        .unwrap()
        .today(chrono::Utc::now());
    let period = tessera_core::reports::Period {
        from: today,
        to: today,
    };
    let report = store.staff_report(&manager, period).await.unwrap();
    let rows: Vec<_> = report
        .staff
        .iter()
        .map(|s| {
            let name = s.name.clone().unwrap();
            (name, s.complaints_logged, s.complaints_resolved)
        })
        .collect();
    // Neither punched nor enrolled anyone: they are in the report for their complaints alone.
    assert_eq!(rows, [("Ana".to_string(), 1, 2), ("Sam".to_string(), 2, 1)]);
    let csv = String::from_utf8(
        report
            .to_csv(tessera_core::reports::csv::CsvStyle::for_language("en"))
            .unwrap(),
    )
    .unwrap();
    assert!(
        csv.contains("complaints_logged,complaints_resolved,feedback_collected"),
        "{csv}"
    );
}
