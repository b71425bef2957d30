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

/// The shop's own rules: what the till proposes for each category, in the manager's words or
/// its own; a category left without a rule proposes nothing; only a manager sets them.
#[tokio::test]
async fn a_manager_s_own_rules_decide_what_a_complaint_proposes() {
    use tessera_core::care::complaints::{default_rules, CompensationRule};
    use tessera_core::codes::coupon_token::CouponKind;

    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let sam = tessera_core::people::shop::Actor::from(&store.sign_in("Sam", "0000").await.unwrap());
    assert_eq!(store.compensation_rules().await.unwrap(), default_rules());
    let log = |category| {
        let store = &store;
        let sam = &sam;
        async move {
            store
                .add_complaint(
                    sam,
                    &NewComplaint {
                        member_id: None,
                        category,
                        severity: Severity::Low,
                        note: "Noted".into(),
                    },
                )
                .await
                .unwrap()
                .proposed_coupon
        }
    };
    // The built-in rules: a price problem proposes nothing; a wait, 10 % off in Hungarian.
    assert_eq!(log(Category::Price).await, None);
    let wait = log(Category::Wait).await.unwrap();
    assert_eq!((wait.kind, wait.value), (CouponKind::PercentOff, 10));
    assert_eq!(wait.text, "10% kedvezmény a várakozásért");

    let rules = vec![
        CompensationRule {
            category: Category::Price,
            kind: CouponKind::AmountOff,
            value: 500,
            text: Some("500 Ft a következő vásárlásból".into()),
            days: 60,
        },
        CompensationRule {
            category: Category::Cleanliness,
            kind: CouponKind::FreeItem,
            value: 1,
            text: None,
            days: 7,
        },
    ];
    let refused = store
        .set_compensation_rules(&sam, &rules)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "manager_only");
    store
        .set_compensation_rules(&manager, &rules)
        .await
        .unwrap();
    assert_eq!(store.compensation_rules().await.unwrap(), rules);

    let price = log(Category::Price).await.unwrap();
    assert_eq!((price.kind, price.value), (CouponKind::AmountOff, 500));
    assert_eq!(price.text, "500 Ft a következő vásárlásból");
    let today = store
        .require_shop()
        .await
        .unwrap()
        .today(chrono::Utc::now());
    assert_eq!(price.expires_on, Some(today + chrono::Duration::days(60)));
    // No words given: the till's own, in the shop's language.
    assert_eq!(
        log(Category::Cleanliness).await.unwrap().text,
        "Bocsánatkérésünk jeléül"
    );
    // The wait has no rule any more.
    assert_eq!(log(Category::Wait).await, None);
    let audited = common::audited(
        &store,
        &manager,
        tessera_core::audit::AuditKind::SettingsChanged,
    )
    .await;
    assert_eq!(
        audited[0].as_deref(),
        Some("compensation: price amount_off 500 60d, cleanliness free_item 1 7d")
    );
}
