//! `tessera staff` and `tessera audit`: a manager adds and manages staff from a script, a
//! cashier cannot, wrong PINs make the next try wait until a manager unlocks the name, and
//! the audit trail shows it all.

use crate::common::Till;

const SAM: [(&str, &str); 2] = [("TESSERA_STAFF", "Sam"), ("TESSERA_PIN", "0000")];

#[test]
fn a_manager_adds_a_cashier_who_then_signs_in_and_cannot_manage_staff() {
    let till = Till::new();
    let code = till.with_shop();
    let added = till.run_with_env(
        &["staff", "add", "--name", "Sam", "--role", "cashier"],
        &[("TESSERA_NEW_PIN", "0000")],
    );
    assert!(added.ok, "{}", added.json);
    assert_eq!(added.json["name"], "Sam");
    assert_eq!(added.json["role"], "cashier");

    let punched = till.run_with_env(&["punch", &code], &SAM);
    assert!(punched.ok, "the new cashier signs in: {}", punched.json);
    for args in [
        &["staff", "list"][..],
        &["staff", "add", "--name", "Eve", "--role", "manager"],
        &["staff", "role", "Sam", "manager"],
        &["audit"],
    ] {
        let refused = till.run_with_env(args, &[SAM[0], SAM[1], ("TESSERA_NEW_PIN", "9999")]);
        assert_eq!(refused.error_code(), "manager_only", "{args:?}");
    }

    let list = till.ok(&["staff", "list"]);
    let names: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["role"].as_str().unwrap()))
        .collect();
    assert_eq!(names, [("Ana", "manager"), ("Sam", "cashier")]);

    // Sam changes his own PIN; then he is made a manager and renamed.
    let own = till.run_with_env(
        &["staff", "pin", "Sam"],
        &[SAM[0], SAM[1], ("TESSERA_NEW_PIN", "2468")],
    );
    assert!(own.ok, "{}", own.json);
    till.ok(&["staff", "role", "sam", "manager"]);
    let renamed = till.ok(&["staff", "rename", "Sam", "--to", "Samuel"]);
    assert_eq!(renamed["name"], "Samuel");
    assert_eq!(renamed["role"], "manager");
    let deactivated = till.ok(&["staff", "deactivate", "Samuel"]);
    assert_eq!(deactivated["active"], false);
    let refused = till.run_with_env(
        &["punch", &code],
        &[("TESSERA_STAFF", "Samuel"), ("TESSERA_PIN", "2468")],
    );
    assert_eq!(refused.error_code(), "wrong_pin");
}

#[test]
fn wrong_pins_make_the_next_try_wait_until_a_manager_unlocks_and_the_audit_shows_them() {
    let till = Till::new();
    let code = till.with_shop();
    till.run_with_env(
        &["staff", "add", "--name", "Sam", "--role", "cashier"],
        &[("TESSERA_NEW_PIN", "0000")],
    );
    for pin in ["1111", "2222", "3333"] {
        let run = till.run_with_env(&["punch", &code], &[SAM[0], ("TESSERA_PIN", pin)]);
        assert_eq!(run.error_code(), "wrong_pin");
    }
    let waiting = till.run_with_env(&["punch", &code], &SAM);
    assert_eq!(waiting.error_code(), "sign_in_wait");
    let seconds: i64 = waiting.json["error"]["args"]["seconds"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=5).contains(&seconds), "{seconds}");

    // The manager is kept waiting too (the till waits as a whole), so the lift is done in the
    // store as a second manager's till would; then both sign in again.
    let waiting = till.run(&["staff", "unlock", "Sam"]);
    assert_eq!(waiting.error_code(), "sign_in_wait");
    crate::common::block_on(async {
        let store = tessera_core::Store::open(&till.db).await.unwrap();
        let ana = store.staff_named("Ana").await.unwrap();
        let sam = store.staff_named("Sam").await.unwrap();
        let manager = tessera_core::people::shop::Actor {
            staff_id: ana.id,
            role: ana.role,
        };
        store.unlock_staff(&manager, sam.id).await.unwrap();
        store.close().await;
    });
    let punched = till.run_with_env(&["punch", &code], &SAM);
    assert!(punched.ok, "{}", punched.json);

    let trail = till.ok(&["audit"]);
    let kinds: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "pin_failed").count(),
        3,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.first(),
        Some(&"staff_unlocked"),
        "newest first: {kinds:?}"
    );
    assert!(kinds.contains(&"staff_added"));
}

#[test]
fn a_manager_sets_the_shops_time_zone_and_a_cashier_cannot() {
    let till = Till::new();
    till.with_shop();
    let shown = till.ok(&["shop", "show"]);
    assert_eq!(shown["time_zone"], serde_json::Value::Null);
    let set = till.ok(&[
        "shop",
        "set",
        "--time-zone",
        "Europe/Bucharest",
        "--currency",
        "ron",
    ]);
    assert_eq!(set["time_zone"], "Europe/Bucharest");
    assert_eq!(set["currency"], "RON");
    assert_eq!(set["name"], "Café Lumière", "what was not given stays");
    let nowhere = till.run(&["shop", "set", "--time-zone", "Europe/Atlantis"]);
    assert_eq!(nowhere.error_code(), "invalid_time_zone");
    till.run_with_env(
        &["staff", "add", "--name", "Sam", "--role", "cashier"],
        &[("TESSERA_NEW_PIN", "0000")],
    );
    let refused = till.run_with_env(&["shop", "set", "--name", "Mine"], &SAM);
    assert_eq!(refused.error_code(), "manager_only");
    assert_eq!(till.ok(&["shop", "show"])["time_zone"], "Europe/Bucharest");
    let audit = till.ok(&["audit"]);
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["detail"] == "shop: en, RON, Europe/Bucharest, surveys every 90 days"),
        "{audit}"
    );
}
