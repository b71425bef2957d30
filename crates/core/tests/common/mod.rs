//! What several of core's test binaries set up the same way.

use tessera_core::audit::AuditKind;
use tessera_core::first_run::NewShop;
use tessera_core::people::shop::{Actor, Role};
use tessera_core::Store;

/// A Hungarian bakery in `dir` whose manager is Ana (PIN 1234), with Sam, a cashier (PIN
/// 0000). Returns the store and Ana.
pub async fn bakery_with_a_cashier(dir: &std::path::Path) -> (Store, Actor) {
    let store = Store::open(&dir.join("tessera.db")).await.unwrap();
    let set_up = store
        .init_shop(&NewShop {
            shop_name: "Pékség".into(),
            language: "hu".into(),
            currency: "huf".into(),
            manager_name: "Ana".into(),
            manager_pin: "1234".into(),
        })
        .await
        .unwrap();
    let manager = Actor::from(&set_up.manager);
    store
        .add_staff(&manager, "Sam", Role::Cashier, "0000")
        .await
        .unwrap();
    (store, manager)
}

/// The details of the audit lines of `kind` written in the last hour, newest first.
#[allow(dead_code)] // not every test binary reads the trail
pub async fn audited(store: &Store, manager: &Actor, kind: AuditKind) -> Vec<Option<String>> {
    let now = chrono::Utc::now();
    store
        .audit_trail(
            manager,
            now - chrono::Duration::hours(1),
            now + chrono::Duration::hours(1),
            100,
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.detail)
        .collect()
}
