//! Upgrades keep every stamp: databases made by earlier versions of Tessera
//! (`tests/fixtures/upgrade/`, each written by the code of its version with
//! `scripts/make-upgrade-fixture.sh`) open in this one, migrated, with every event, member and
//! card as it was, a copy of them as they were taken first, and `doctor` finding nothing wrong.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::ConnectOptions;
use tessera_core::people::shop::Actor;
use tessera_core::store::schema::latest_version;
use tessera_core::support::backup::{backup_dir, list_backups};
use tessera_core::Store;

/// The demo café's manager, in every version so far.
const MANAGER: (&str, &str) = ("Alex", "1234");

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/upgrade");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "db"))
        .collect();
    found.sort();
    assert!(found.len() >= 3, "fixtures of earlier versions: {found:?}");
    found
}

/// An event as every version can say it: its columns of the first schema, its time as a time
/// (migration 0025 keeps it as nanoseconds, and reads it back with nine digits).
type KeptEvent = (
    Vec<u8>,
    Vec<u8>,
    i64,
    Vec<u8>,
    Vec<u8>,
    chrono::DateTime<chrono::FixedOffset>,
    String,
    Vec<u8>,
    Option<Vec<u8>>,
    i64,
    Option<Vec<u8>>,
    Option<String>,
);

/// What must survive an upgrade, read with plain SQL from tables every version has.
#[derive(Debug, PartialEq, Eq)]
struct Kept {
    events: BTreeSet<KeptEvent>,
    members: BTreeSet<Vec<u8>>,
    /// (member, program, punches, redeemed) of every card.
    cards: BTreeSet<(Vec<u8>, Vec<u8>, i64, i64)>,
    schema: i64,
}

async fn kept(path: &Path) -> Kept {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .unwrap();
    let events: Vec<KeptEvent> = sqlx::query_as(
        "SELECT id, device_id, seq, shop_id, staff_id, at, kind, member_id, program_id, amount,
                voids, reason
         FROM event",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let members: Vec<(Vec<u8>,)> = sqlx::query_as("SELECT id FROM member")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let cards: Vec<(Vec<u8>, Vec<u8>, i64, i64)> =
        sqlx::query_as("SELECT member_id, program_id, punches_total, redeemed_total FROM card")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let schema: i64 = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    Kept {
        events: events.into_iter().collect(),
        members: members.into_iter().map(|(id,)| id).collect(),
        cards: cards.into_iter().collect(),
        schema,
    }
}

#[tokio::test]
async fn every_earlier_database_opens_migrated_with_everything_kept() {
    for fixture in fixtures() {
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("tessera.db");
        std::fs::copy(&fixture, &db).unwrap();
        let before = kept(&db).await;
        assert!(
            before.schema < latest_version() && !before.events.is_empty(),
            "{name}: an earlier schema with a history ({before:?})"
        );

        let store = Store::open(&db)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let staff = store.sign_in(MANAGER.0, MANAGER.1).await.unwrap();
        let report = store.doctor(&Actor::from(&staff), false).await.unwrap();
        assert!(report.ok, "{name}: doctor after the upgrade: {report:?}");
        assert!(report.differences.is_empty(), "{name}: {report:?}");
        store.close().await;

        let after = kept(&db).await;
        assert_eq!(after.schema, latest_version(), "{name}: migrated");
        assert_eq!(after.events, before.events, "{name}: every event kept");
        assert_eq!(after.members, before.members, "{name}: every member kept");
        assert_eq!(after.cards, before.cards, "{name}: every card kept");

        // The copy taken before the upgrade is the database as it was.
        let backups = list_backups(&backup_dir(&db)).unwrap();
        assert_eq!(backups.len(), 1, "{name}: {backups:?}");
        let copy = Path::new(&backups[0].path);
        let copy_name = copy.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            copy_name.starts_with(&format!("before-upgrade-{:04}-", before.schema)),
            "{name}: {copy_name}"
        );
        assert_eq!(
            kept(copy).await,
            before,
            "{name}: the copy is the old database"
        );

        // Up to date now: opening it again takes no second copy.
        Store::open(&db).await.unwrap().close().await;
        assert_eq!(list_backups(&backup_dir(&db)).unwrap().len(), 1, "{name}");
    }
}

#[tokio::test]
async fn a_database_already_up_to_date_is_not_copied_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tessera.db");
    Store::open(&db).await.unwrap().close().await;
    Store::open(&db).await.unwrap().close().await;
    assert!(list_backups(&backup_dir(&db)).unwrap().is_empty());
}

#[tokio::test]
async fn no_copy_no_upgrade_the_old_database_stays_as_it_was() {
    let fixture = &fixtures()[0];
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tessera.db");
    std::fs::copy(fixture, &db).unwrap();
    let before = kept(&db).await;
    // Where the copy would go is taken by a file: no folder can be made there.
    std::fs::write(backup_dir(&db), b"not a folder").unwrap();
    let error = Store::open(&db).await.unwrap_err();
    assert_eq!(error.code(), "file_unwritable", "{error}");
    assert_eq!(kept(&db).await, before, "nothing migrated");
}

/// Members enrolled before phone tails existed (schema 3) get theirs in the upgrade's own
/// transaction: found by the end of their number as soon as the till opens, and never left
/// without one by an upgrade cut short (the next open would no longer look).
#[tokio::test]
async fn members_without_a_phone_tail_get_it_in_the_upgrade() {
    let fixture = &fixtures()[0];
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tessera.db");
    std::fs::copy(fixture, &db).unwrap();
    let mut conn = SqliteConnectOptions::new()
        .filename(&db)
        .connect()
        .await
        .unwrap();
    let (name, phone): (String, String) =
        sqlx::query_as("SELECT name, phone FROM member WHERE phone IS NOT NULL LIMIT 1")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    sqlx::query("UPDATE member SET phone_tail = NULL")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);

    let store = Store::open(&db).await.unwrap();
    let missing: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM member WHERE phone_digits IS NOT NULL AND phone_tail IS NULL",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(missing, 0, "every phone has its tail after the upgrade");
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let found = store
        .find_members(&digits[digits.len() - 6..])
        .await
        .unwrap();
    assert!(
        found.iter().any(|m| m.name == name),
        "{name} found by the end of {phone}: {found:?}"
    );
}
