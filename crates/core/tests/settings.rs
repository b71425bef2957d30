//! This till's settings: defaults until a manager changes them, bounds, audited, and a
//! cashier cannot change them.

mod common;

use tessera_core::audit::AuditKind;
use tessera_core::people::shop::Actor;
use tessera_core::support::settings::TillSettings;

#[tokio::test]
async fn a_manager_sets_the_idle_sign_out_and_the_change_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    assert_eq!(
        store.till_settings().await.unwrap(),
        TillSettings::default()
    );
    let wanted = TillSettings {
        idle_sign_out_minutes: 0,
        pin_again_minutes: 2,
        sounds: false,
        card_layout: "a4-10".into(),
        printer: Some("Office".into()),
        pages_address: Some("0.0.0.0:8470".into()),
    };
    assert_eq!(
        store.set_till_settings(&manager, &wanted).await.unwrap(),
        wanted
    );
    assert_eq!(store.till_settings().await.unwrap(), wanted);
    // The same settings again: nothing changed, nothing audited.
    store.set_till_settings(&manager, &wanted).await.unwrap();
    let changes = common::audited(&store, &manager, AuditKind::SettingsChanged).await;
    assert_eq!(
        changes,
        [Some(
            "idle_sign_out_minutes=0, pin_again_minutes=2, sounds=false, card_layout=a4-10, \
             printer=Office, pages_address=0.0.0.0:8470"
                .to_string()
        )]
    );

    let cashier = Actor::from(&store.sign_in("Sam", "0000").await.unwrap());
    let refused = store
        .set_till_settings(&cashier, &TillSettings::default())
        .await;
    assert_eq!(refused.unwrap_err().code(), "manager_only");
    for (out_of_bounds, field) in [
        (
            TillSettings {
                pin_again_minutes: 0,
                ..TillSettings::default()
            },
            "pin_again_minutes",
        ),
        (
            TillSettings {
                idle_sign_out_minutes: 24 * 60,
                ..TillSettings::default()
            },
            "idle_sign_out_minutes",
        ),
    ] {
        let refused = store
            .set_till_settings(&manager, &out_of_bounds)
            .await
            .unwrap_err();
        assert_eq!(refused.args()["field"], field);
    }
    let no_address = TillSettings {
        pages_address: Some("the shop".into()),
        ..TillSettings::default()
    };
    let refused = store.set_till_settings(&manager, &no_address).await;
    assert_eq!(refused.unwrap_err().code(), "invalid_pages_address");
    let no_such_layout = TillSettings {
        card_layout: "a5".into(),
        ..TillSettings::default()
    };
    let refused = store.set_till_settings(&manager, &no_such_layout).await;
    assert_eq!(refused.unwrap_err().code(), "invalid_layout");
    assert_eq!(store.till_settings().await.unwrap(), wanted);

    // A blank printer is the system's default.
    let default_printer = TillSettings {
        printer: Some("  ".into()),
        ..wanted.clone()
    };
    let saved = store
        .set_till_settings(&manager, &default_printer)
        .await
        .unwrap();
    assert_eq!(saved.printer, None);
    assert_eq!(store.till_settings().await.unwrap().printer, None);
}
