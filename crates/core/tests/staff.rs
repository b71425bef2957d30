//! Staff and sign-in, through the real store on a real SQLite file: managing staff, the guard
//! against PIN guessing (waits, then a lock a manager lifts), and the audit trail.

mod common;

use chrono::{DateTime, Duration, Utc};
use tessera_core::audit::AuditKind;
use tessera_core::people::shop::{Actor, Role};
use tessera_core::people::sign_in::{wait_after, FREE_FAILURES, LOCK_AFTER};
use tessera_core::Store;

struct Shop {
    store: Store,
    manager: Actor,
    _dir: tempfile::TempDir,
}

/// A shop whose manager is Ana (PIN 1234), with Sam, a cashier (PIN 0000).
async fn shop() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    Shop {
        store,
        manager,
        _dir: dir,
    }
}

impl Shop {
    async fn sign_in_at(&self, name: &str, pin: &str, at: DateTime<Utc>) -> Result<String, String> {
        self.store
            .sign_in_at(name, pin, at)
            .await
            .map(|staff| staff.name)
            .map_err(|e| {
                let body = e.body();
                match body.args.get("seconds") {
                    Some(seconds) => format!("{}:{seconds}", body.code),
                    None => body.code,
                }
            })
    }

    async fn audit(&self) -> Vec<(AuditKind, Option<String>, Option<String>)> {
        let mut trail = self
            .store
            .audit_trail(
                &self.manager,
                DateTime::<Utc>::UNIX_EPOCH,
                Utc::now() + Duration::days(1),
                1000,
            )
            .await
            .unwrap();
        trail.reverse();
        trail
            .into_iter()
            .map(|entry| (entry.kind, entry.subject, entry.detail))
            .collect()
    }

    async fn staff_id(&self, name: &str) -> tessera_core::ids::StaffId {
        self.store.staff_named(name).await.unwrap().id
    }
}

#[test]
fn the_wait_grows_after_the_free_failures_and_stops_at_five_minutes() {
    let waits: Vec<i64> = (1..=12)
        .map(|n| wait_after(n).map_or(0, |w| w.num_seconds()))
        .collect();
    assert_eq!(waits, [0, 0, 5, 10, 20, 40, 80, 160, 300, 300, 300, 300]);
    assert_eq!(FREE_FAILURES, 2);
}

#[tokio::test]
async fn wrong_pins_make_the_next_try_wait_longer_then_lock_the_name_until_a_manager_lifts_it() {
    let shop = shop().await;
    let t0 = Utc::now();
    let at = |seconds: i64| t0 + Duration::seconds(seconds);
    // Two mistakes cost nothing.
    assert_eq!(
        shop.sign_in_at("Sam", "1111", at(0)).await,
        Err("wrong_pin".into())
    );
    assert_eq!(
        shop.sign_in_at("Sam", "2222", at(1)).await,
        Err("wrong_pin".into())
    );
    // The third makes the next try wait 5 s: even the right PIN is not checked before then.
    assert_eq!(
        shop.sign_in_at("Sam", "3333", at(2)).await,
        Err("wrong_pin".into())
    );
    assert_eq!(
        shop.sign_in_at("Sam", "0000", at(3)).await,
        Err("sign_in_wait:4".into())
    );
    assert_eq!(
        shop.sign_in_at("Ana", "1234", at(3)).await,
        Err("sign_in_wait:4".into()),
        "the till as a whole waits too: guessing through other names gains nothing"
    );
    // The fourth, after the wait, makes the next one wait 10 s.
    assert_eq!(
        shop.sign_in_at("Sam", "4444", at(7)).await,
        Err("wrong_pin".into())
    );
    assert_eq!(
        shop.sign_in_at("Sam", "0000", at(16)).await,
        Err("sign_in_wait:1".into())
    );
    // The fifth locks the name.
    assert_eq!(
        shop.sign_in_at("Sam", "5555", at(17)).await,
        Err("sign_in_locked".into())
    );
    assert_eq!(LOCK_AFTER, 5);
    let an_hour_later = at(3600);
    assert_eq!(
        shop.sign_in_at("Sam", "0000", an_hour_later).await,
        Err("sign_in_locked".into()),
        "the right PIN after the lock is refused, however long after"
    );
    assert!(shop.store.staff_members(&shop.manager).await.unwrap()[1].locked);

    // The manager (not locked: the till only waited) lifts it.
    assert_eq!(
        shop.sign_in_at("Ana", "1234", an_hour_later).await,
        Ok("Ana".into())
    );
    let sam = shop.staff_id("Sam").await;
    shop.store.unlock_staff(&shop.manager, sam).await.unwrap();
    assert_eq!(
        shop.sign_in_at("sam", "0000", an_hour_later).await,
        Ok("Sam".into())
    );
    assert!(!shop.store.staff_members(&shop.manager).await.unwrap()[1].locked);

    let trail = shop.audit().await;
    let failed = trail
        .iter()
        .filter(|(kind, subject, _)| {
            *kind == AuditKind::PinFailed && *subject == Some(sam.to_string())
        })
        .count();
    assert_eq!(
        failed, 5,
        "every wrong PIN is in the audit trail: {trail:?}"
    );
    assert!(trail.contains(&(AuditKind::SignInLocked, Some(sam.to_string()), None)));
    assert!(trail.contains(&(AuditKind::StaffUnlocked, Some(sam.to_string()), None)));
}

#[tokio::test]
async fn a_name_nobody_has_is_answered_and_locked_like_a_real_one_and_is_not_kept() {
    let shop = shop().await;
    let t0 = Utc::now();
    let mut answers = Vec::new();
    for (i, name) in ["Sam", "Zoltán"].into_iter().enumerate() {
        for n in 0..LOCK_AFTER {
            // Far enough apart that no wait is in the way.
            let at = t0 + Duration::hours(i as i64 * 10 + n);
            answers.push(shop.sign_in_at(name, "9876", at).await);
        }
    }
    let (sam, nobody) = answers.split_at(LOCK_AFTER as usize);
    assert_eq!(
        sam, nobody,
        "the answers tell a real name from an unknown one"
    );
    assert_eq!(nobody.last().unwrap(), &Err("sign_in_locked".to_string()));

    let trail = shop.audit().await;
    assert!(trail.contains(&(AuditKind::PinFailed, None, Some("unknown_name".into()))));
    let db = std::fs::read(shop.store.path()).unwrap();
    let wal = std::fs::read(format!("{}-wal", shop.store.path().display())).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(
            !bytes
                .windows("Zoltán".len())
                .any(|w| w == "Zoltán".as_bytes()),
            "a name typed at sign-in is kept"
        );
    }
}

#[tokio::test]
async fn a_manager_renames_promotes_resets_and_deactivates_staff_and_each_change_is_audited() {
    let shop = shop().await;
    let sam = shop.staff_id("Sam").await;
    shop.store
        .rename_staff(&shop.manager, sam, "Samuel")
        .await
        .unwrap();
    assert_eq!(
        shop.store.sign_in("samuel", "0000").await.unwrap().name,
        "Samuel"
    );
    assert_eq!(
        shop.store
            .rename_staff(&shop.manager, sam, "ana")
            .await
            .unwrap_err()
            .code(),
        "staff_name_taken"
    );

    shop.store
        .set_pin(&shop.manager, sam, "2468")
        .await
        .unwrap();
    assert_eq!(
        shop.store
            .sign_in("Samuel", "0000")
            .await
            .unwrap_err()
            .code(),
        "wrong_pin"
    );
    let samuel = Actor::from(&shop.store.sign_in("Samuel", "2468").await.unwrap());
    // A cashier sets their own PIN, nobody else's.
    shop.store.set_pin(&samuel, sam, "1357").await.unwrap();
    assert_eq!(
        shop.store
            .set_pin(&samuel, shop.manager.staff_id, "1111")
            .await
            .unwrap_err()
            .code(),
        "manager_only"
    );

    shop.store
        .set_staff_role(&shop.manager, sam, Role::Manager)
        .await
        .unwrap();
    assert_eq!(
        shop.store.sign_in("Samuel", "1357").await.unwrap().role,
        Role::Manager
    );
    shop.store
        .set_staff_active(&shop.manager, sam, false)
        .await
        .unwrap();
    assert_eq!(
        shop.store
            .sign_in("Samuel", "1357")
            .await
            .unwrap_err()
            .code(),
        "wrong_pin",
        "a deactivated staff member cannot sign in, and is told no more than a wrong PIN"
    );
    assert!(shop
        .store
        .staff_list()
        .await
        .unwrap()
        .iter()
        .all(|s| s.name != "Samuel"));
    let listed = shop.store.staff_members(&shop.manager).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|s| (s.name.as_str(), s.active))
            .collect::<Vec<_>>(),
        [("Ana", true), ("Samuel", false)]
    );
    shop.store
        .set_staff_active(&shop.manager, sam, true)
        .await
        .unwrap();
    assert!(shop.store.sign_in("Samuel", "1357").await.is_ok());

    let kinds: Vec<AuditKind> = shop
        .audit()
        .await
        .into_iter()
        .filter(|(_, subject, _)| *subject == Some(sam.to_string()))
        .map(|(kind, ..)| kind)
        .collect();
    use AuditKind::*;
    assert_eq!(
        kinds,
        [
            StaffAdded,
            StaffRenamed,
            PinSet,
            PinFailed,
            PinSet,
            StaffRoleChanged,
            StaffDeactivated,
            StaffReactivated
        ]
    );
}

#[tokio::test]
async fn the_last_active_manager_can_be_neither_deactivated_nor_made_a_cashier() {
    let shop = shop().await;
    let ana = shop.manager.staff_id;
    for refused in [
        shop.store.set_staff_active(&shop.manager, ana, false).await,
        shop.store
            .set_staff_role(&shop.manager, ana, Role::Cashier)
            .await,
    ] {
        assert_eq!(refused.unwrap_err().code(), "last_manager");
    }
    let sam = shop.staff_id("Sam").await;
    shop.store
        .set_staff_role(&shop.manager, sam, Role::Manager)
        .await
        .unwrap();
    shop.store
        .set_staff_active(&shop.manager, ana, false)
        .await
        .unwrap();
    assert_eq!(
        shop.store.sign_in("Ana", "1234").await.unwrap_err().code(),
        "wrong_pin"
    );
}
