//! Coupons through the real store on a real SQLite file: issued, scanned, used once, refused
//! when used, expired, withdrawn, forged or only good in another shop
//! (docs/decisions/0029-coupons.md). Two tills apart are `tests/sync/tests/coupons.rs`.

mod common;

use chrono::{Duration, Utc};
use tessera_core::codes::coupon_token::{CouponKind, CouponTerms};
use tessera_core::codes::token::ChainKey;
use tessera_core::counter::coupons::{default_expiry, CouponState, NewCoupon};
use tessera_core::counter::lookup::ScanOutcome;
use tessera_core::ids::{CouponId, MemberId, ShopId};
use tessera_core::ledger::EventKind;
use tessera_core::people::members::NewMember;
use tessera_core::people::shop::{Actor, Role};
use tessera_core::{CoreError, Store};

struct Shop {
    store: Store,
    manager: Actor,
    cashier: Actor,
    _dir: tempfile::TempDir,
}

async fn shop() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let cashier = store
        .staff_list()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.role == Role::Cashier)
        .map(|s| Actor::from(&s))
        .unwrap();
    Shop {
        store,
        manager,
        cashier,
        _dir: dir,
    }
}

fn free_coffee() -> NewCoupon {
    NewCoupon {
        kind: CouponKind::FreeItem,
        value: 1,
        text: "Egy kávé".into(),
        member_id: None,
        expires_on: None,
        only_here: false,
    }
}

/// A coupon made elsewhere under this chain's key, as another till would have issued it: its
/// record has not arrived here, so only its token speaks for it.
async fn from_another_till(store: &Store, terms: &CouponTerms) -> String {
    let key: ChainKey = store.chain_keys().await.unwrap().remove(0);
    key.issue_coupon(terms)
}

fn terms() -> CouponTerms {
    CouponTerms {
        id: CouponId::new(),
        kind: CouponKind::PercentOff,
        value: 10,
        expires_on: None,
        only_at: None,
    }
}

#[tokio::test]
async fn a_coupon_is_issued_scanned_used_once_and_then_refused_as_used() {
    let shop = shop().await;
    let coupon = shop
        .store
        .issue_coupon(&shop.manager, &free_coffee())
        .await
        .unwrap();
    assert_eq!(coupon.state, CouponState::Open);
    assert_eq!(coupon.text.as_deref(), Some("Egy kávé"));
    assert!(coupon.token.starts_with("TC1"), "{}", coupon.token);

    // The counter's one decoding reads it, as typed, in lower case, with a scanner's suffix.
    for scanned in [
        coupon.token.clone(),
        coupon.token.to_lowercase(),
        format!("{}\t", coupon.token),
    ] {
        match shop.store.lookup(&scanned, &[]).await.unwrap() {
            ScanOutcome::Coupon(view) => assert_eq!(view.id, coupon.id),
            other => panic!("{scanned}: {other:?}"),
        }
    }

    let used = shop
        .store
        .redeem_coupon(&shop.cashier, &coupon.token)
        .await
        .unwrap();
    assert_eq!(used.event.kind, EventKind::CouponRedeem);
    assert_eq!(used.event.coupon_id, Some(coupon.id));
    assert_eq!(
        used.event.member_id,
        MemberId::nil(),
        "a voucher for whoever brings it"
    );
    assert!(
        matches!(used.coupon.state, CouponState::Used { use_event, .. } if use_event == used.event.id)
    );

    let again = shop.store.redeem_coupon(&shop.cashier, &coupon.token).await;
    assert!(
        matches!(again, Err(CoreError::CouponUsed { .. })),
        "{again:?}"
    );
    // Scanned again, it shows why it cannot be used.
    let ScanOutcome::Coupon(view) = shop.store.lookup(&coupon.token, &[]).await.unwrap() else {
        panic!("not a coupon");
    };
    assert_eq!(view.refusal.unwrap().code, "coupon_used");
    assert!(shop.store.doctor(&shop.manager, false).await.unwrap().ok);
}

#[tokio::test]
async fn a_coupon_for_a_member_shows_with_them_until_it_is_used() {
    let shop = shop().await;
    let member = shop
        .store
        .enroll(
            &shop.cashier,
            &NewMember {
                name: "Kiss Anna".into(),
                ..NewMember::default()
            },
        )
        .await
        .unwrap();
    let coupon = shop
        .store
        .issue_coupon(
            &shop.manager,
            &NewCoupon {
                member_id: Some(member.id),
                ..free_coffee()
            },
        )
        .await
        .unwrap();
    assert_eq!(coupon.member_name.as_deref(), Some("Kiss Anna"));
    let open = shop.store.open_coupons_of(member.id).await.unwrap();
    assert_eq!(open.iter().map(|c| c.id).collect::<Vec<_>>(), [coupon.id]);

    let used = shop
        .store
        .redeem_coupon(&shop.cashier, &coupon.token)
        .await
        .unwrap();
    assert_eq!(used.event.member_id, member.id);
    assert!(shop
        .store
        .open_coupons_of(member.id)
        .await
        .unwrap()
        .is_empty());
    // The member's history says it.
    let history = shop.store.history(member.id, 10).await.unwrap();
    assert_eq!(history[0].event.kind, EventKind::CouponRedeem);
}

/// The coupons a scan shows (the counter offers them with the card): the scan learns in its one
/// statement whether the member holds any, and reads them only then.
#[tokio::test]
async fn a_scan_shows_the_member_s_coupons_and_those_of_a_member_merged_into_them() {
    let shop = shop().await;
    let enroll = |name: &str| {
        let new = NewMember {
            name: name.into(),
            ..NewMember::default()
        };
        let shop = &shop;
        async move { shop.store.enroll(&shop.cashier, &new).await.unwrap() }
    };
    let anna = enroll("Kiss Anna").await;
    let again = enroll("Kiss Anna (again)").await;
    let scanned_coupons = |code: String| {
        let shop = &shop;
        async move {
            match shop.store.lookup(&code, &[]).await.unwrap() {
                ScanOutcome::Member(view) => view.coupons.iter().map(|c| c.id).collect::<Vec<_>>(),
                other => panic!("the card was not found: {other:?}"),
            }
        }
    };
    assert!(scanned_coupons(anna.code.clone()).await.is_empty());

    let issue = |member_id: MemberId| {
        let shop = &shop;
        async move {
            let new = NewCoupon {
                member_id: Some(member_id),
                ..free_coffee()
            };
            shop.store.issue_coupon(&shop.manager, &new).await.unwrap()
        }
    };
    // A coupon given to the card she had enrolled twice with is hers once the two are merged.
    let merged = issue(again.id).await;
    shop.store
        .merge_members(&shop.manager, anna.id, again.id)
        .await
        .unwrap();
    assert_eq!(scanned_coupons(anna.code.clone()).await, [merged.id]);

    let hers = issue(anna.id).await;
    let mut shown = scanned_coupons(anna.code.clone()).await;
    shown.sort();
    let mut both = vec![hers.id, merged.id];
    both.sort();
    assert_eq!(shown, both);
    assert_eq!(scanned_coupons(again.code.clone()).await.len(), 2);

    // Used or withdrawn, a coupon is no longer shown.
    shop.store
        .redeem_coupon(&shop.cashier, &hers.token)
        .await
        .unwrap();
    shop.store
        .withdraw_coupon(&shop.manager, merged.id)
        .await
        .unwrap();
    assert!(scanned_coupons(anna.code.clone()).await.is_empty());
}

#[tokio::test]
async fn an_expired_coupon_is_refused_and_a_last_day_in_the_past_is_not_issued() {
    let shop = shop().await;
    let yesterday = Utc::now().date_naive() - Duration::days(2);
    let refused = shop
        .store
        .issue_coupon(
            &shop.manager,
            &NewCoupon {
                expires_on: Some(yesterday),
                ..free_coffee()
            },
        )
        .await;
    assert!(matches!(refused, Err(CoreError::ExpiryPast)), "{refused:?}");

    let token = from_another_till(
        &shop.store,
        &CouponTerms {
            expires_on: Some(yesterday),
            ..terms()
        },
    )
    .await;
    let view = shop.store.scan_coupon(&token).await.unwrap();
    assert_eq!(view.state, CouponState::Expired);
    assert_eq!(view.text, None, "its record has not arrived");
    let used = shop.store.redeem_coupon(&shop.cashier, &token).await;
    assert!(
        matches!(used, Err(CoreError::CouponExpired { .. })),
        "{used:?}"
    );

    // Its last day is still a good day.
    let today = from_another_till(
        &shop.store,
        &CouponTerms {
            expires_on: Some(Utc::now().date_naive() + Duration::days(1)),
            ..terms()
        },
    )
    .await;
    shop.store
        .redeem_coupon(&shop.cashier, &today)
        .await
        .unwrap();
    assert!(default_expiry(Utc::now().date_naive()) > Utc::now().date_naive());
}

#[tokio::test]
async fn a_forged_coupon_one_under_an_unknown_key_and_one_for_another_shop_are_refused() {
    let shop = shop().await;
    let genuine = from_another_till(&shop.store, &terms()).await;

    // One character changed: the value, the date or the id no longer match the MAC.
    let mut forged = genuine.clone().into_bytes();
    forged[40] = if forged[40] == b'Z' { b'Y' } else { b'Z' };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(
        shop.store.lookup(&forged, &[]).await.unwrap(),
        ScanOutcome::ForgedCoupon
    );
    let used = shop.store.redeem_coupon(&shop.cashier, &forged).await;
    assert!(matches!(used, Err(CoreError::ForgedCoupon)), "{used:?}");

    let stranger = ChainKey::from_parts("ZZ".into(), vec![9; 32]).issue_coupon(&terms());
    assert_eq!(
        shop.store.lookup(&stranger, &[]).await.unwrap(),
        ScanOutcome::UnknownCouponKey
    );
    assert_eq!(
        shop.store.lookup(&genuine[..50], &[]).await.unwrap(),
        ScanOutcome::TruncatedCoupon
    );

    let elsewhere = from_another_till(
        &shop.store,
        &CouponTerms {
            only_at: Some(ShopId::new()),
            ..terms()
        },
    )
    .await;
    assert_eq!(
        shop.store.scan_coupon(&elsewhere).await.unwrap().state,
        CouponState::OtherShop
    );
    let used = shop.store.redeem_coupon(&shop.cashier, &elsewhere).await;
    assert!(matches!(used, Err(CoreError::CouponOtherShop)), "{used:?}");

    // Nothing refused was written.
    assert!(shop
        .store
        .redeem_coupon(&shop.cashier, &genuine)
        .await
        .is_ok());
}

#[tokio::test]
async fn only_a_manager_issues_coupons_and_a_card_is_not_a_coupon() {
    let shop = shop().await;
    let refused = shop.store.issue_coupon(&shop.cashier, &free_coffee()).await;
    assert!(
        matches!(refused, Err(CoreError::ManagerOnly)),
        "{refused:?}"
    );
    for value in [0, 101] {
        let refused = shop
            .store
            .issue_coupon(
                &shop.manager,
                &NewCoupon {
                    kind: CouponKind::PercentOff,
                    value,
                    ..free_coffee()
                },
            )
            .await;
        assert!(
            matches!(refused, Err(CoreError::InvalidNumber { .. })),
            "{value}"
        );
    }
    let member = shop
        .store
        .enroll(
            &shop.cashier,
            &NewMember {
                name: "Nagy Péter".into(),
                ..NewMember::default()
            },
        )
        .await
        .unwrap();
    let used = shop.store.redeem_coupon(&shop.cashier, &member.code).await;
    assert!(matches!(used, Err(CoreError::NotACoupon)), "{used:?}");
    let coupon = shop
        .store
        .issue_coupon(&shop.manager, &free_coffee())
        .await
        .unwrap();
    let punched = shop
        .store
        .lookup(&coupon.token, &[])
        .await
        .unwrap()
        .into_result();
    assert!(
        matches!(punched, Err(CoreError::CouponNotCard)),
        "{punched:?}"
    );
}

/// A voucher taken by mistake (scanned for the wrong customer): the cashier's Undo shows it
/// and takes it back with a reason; the coupon is good again, once, and the ledger keeps both
/// the use and its void.
#[tokio::test]
async fn the_cashier_s_undo_gives_a_coupon_taken_by_mistake_back() {
    use tessera_core::ledger::{ReasonCode, VoidReason};

    let shop = shop().await;
    let signed_in = Utc::now() - Duration::minutes(1);
    let coupon = shop
        .store
        .issue_coupon(&shop.manager, &free_coffee())
        .await
        .unwrap();
    let used = shop
        .store
        .redeem_coupon(&shop.cashier, &coupon.token)
        .await
        .unwrap();
    let candidate = shop
        .store
        .last_undoable(&shop.cashier, signed_in)
        .await
        .unwrap();
    assert_eq!(candidate.event.id, used.event.id);
    assert_eq!(candidate.coupon_text.as_deref(), Some("Egy kávé"));
    assert_eq!(candidate.member_name, "", "a voucher for whoever brings it");
    // Another staff member's Undo does not reach it.
    assert!(matches!(
        shop.store.last_undoable(&shop.manager, signed_in).await,
        Err(CoreError::NothingToUndo)
    ));

    let reason = VoidReason::code(ReasonCode::WrongMember);
    let undone = shop
        .store
        .undo_coupon_use(&shop.cashier, signed_in, used.event.id, &reason)
        .await
        .unwrap();
    assert_eq!(undone.event.kind, EventKind::Void);
    assert_eq!(undone.event.voids, Some(used.event.id));
    assert_eq!(undone.event.coupon_id, Some(coupon.id));
    assert_eq!(undone.coupon.state, CouponState::Open);
    // Once: the use is undone already, and nothing else is left to undo.
    assert!(matches!(
        shop.store
            .undo_coupon_use(&shop.cashier, signed_in, used.event.id, &reason)
            .await,
        Err(CoreError::NothingToUndo)
    ));

    // Good again, for one more use.
    shop.store
        .redeem_coupon(&shop.cashier, &coupon.token)
        .await
        .unwrap();
    assert!(matches!(
        shop.store.redeem_coupon(&shop.cashier, &coupon.token).await,
        Err(CoreError::CouponUsed { .. })
    ));
    assert!(shop.store.doctor(&shop.manager, false).await.unwrap().ok);
}
