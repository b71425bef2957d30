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
