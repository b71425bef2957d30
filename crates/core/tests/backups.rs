//! The daily automatic backup: one a day, the newest seven kept, other files left alone.

use std::time::{Duration, SystemTime};

use tessera_core::first_run::NewShop;
use tessera_core::support::backup::{backup_dir, list_backups, AUTOMATIC_KEEP};
use tessera_core::Store;

#[tokio::test]
async fn one_automatic_backup_a_day_and_only_the_newest_seven_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tessera.db");
    let store = Store::open(&db).await.unwrap();
    store
        .init_shop(&NewShop {
            shop_name: "Brutăria".into(),
            language: "ro".into(),
            currency: "ron".into(),
            manager_name: "Ioana".into(),
            manager_pin: "1234".into(),
        })
        .await
        .unwrap();
    let backups = backup_dir(&db);
    std::fs::create_dir_all(&backups).unwrap();
    // Eight earlier automatic backups, a day apart, and a manager's own backup, older still.
    let day = Duration::from_secs(86_400);
    let mut earlier = Vec::new();
    for n in 1..=8u32 {
        let path = backups.join(format!("tessera-2026-01-{n:02}.db"));
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(SystemTime::now() - day * (20 - n))
            .unwrap();
        earlier.push(path);
    }
    let own = backups.join("before-the-move.db");
    std::fs::File::create(&own)
        .unwrap()
        .set_modified(SystemTime::now() - day * 100)
        .unwrap();

    let made = store.automatic_backup(&backups).await.unwrap().unwrap();
    assert!(
        store.automatic_backup(&backups).await.unwrap().is_none(),
        "a second one the same day"
    );
    let listed: Vec<String> = list_backups(&backups)
        .unwrap()
        .into_iter()
        .map(|b| b.path)
        .collect();
    let mut expected = vec![made.path.clone()];
    expected.extend(
        earlier
            .iter()
            .rev()
            .take(AUTOMATIC_KEEP - 1)
            .map(|p| p.display().to_string()),
    );
    expected.push(own.display().to_string());
    assert_eq!(
        listed, expected,
        "newest first; the oldest automatic ones gone"
    );
    // The backup is a database that opens.
    let copy = Store::open_existing(std::path::Path::new(&made.path))
        .await
        .unwrap();
    assert_eq!(copy.require_shop().await.unwrap().name, "Brutăria");
}
