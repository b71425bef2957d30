//! Opening a till database cannot be fooled: odd file names are names, not URLs; another
//! program's file, an empty file or random bytes are refused untouched; a newer or altered
//! schema says so; many processes opening a new file at once migrate it once. (That a clean
//! exit leaves every write in the file itself is tested through the CLI: crates/cli/tests/cli/copy_the_file.rs.)

use std::path::{Path, PathBuf};

use rstest::rstest;
use sqlx::{ConnectOptions, Connection};
use tessera_core::counter::programs::NewProgram;
use tessera_core::first_run::NewShop;
use tessera_core::people::shop::Actor;
use tessera_core::Store;

async fn set_up(store: &Store) -> Actor {
    let set_up = store
        .init_shop(&NewShop {
            shop_name: "Café Lumière".into(),
            language: "fr".into(),
            currency: "EUR".into(),
            manager_name: "Ana".into(),
            manager_pin: "1234".into(),
        })
        .await
        .unwrap();
    let manager = Actor::from(&set_up.manager);
    store
        .add_program(
            &manager,
            &NewProgram {
                name: "Coffee card".into(),
                punches_needed: 9,
                reward: "Free coffee".into(),
                ..NewProgram::default()
            },
        )
        .await
        .unwrap();
    manager
}

/// Every file in `dir`, with a digest of its bytes: what "untouched" is checked against.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64)> {
    use std::hash::{Hash, Hasher};
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(&p).unwrap().hash(&mut hasher);
            (p, hasher.finish())
        })
        .collect();
    files.sort();
    files
}

/// The database file's own bytes, as a digest.
fn digest(path: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::fs::read(path).unwrap().hash(&mut hasher);
    hasher.finish()
}

#[rstest]
#[case::percent_sequences_are_characters("p%41th/t.db")]
#[case::a_question_mark_in_a_folder("why?/t.db")]
#[case::url_options_in_a_file_name("till.db?mode=memory")]
#[case::a_hash("café #2.db")]
#[tokio::test]
async fn a_path_is_a_file_name_never_a_url(#[case] name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let store = Store::open(&path).await.unwrap();
    set_up(&store).await;
    store.close().await;
    assert!(
        path.is_file(),
        "{} was written where it was asked",
        path.display()
    );
    let decoded = dir.path().join("pAth/t.db");
    assert!(!decoded.exists(), "the name was decoded as a URL");
    let reopened = Store::open(&path).await.unwrap();
    assert!(reopened.shop().await.unwrap().is_some());
}

async fn foreign_sqlite_file(path: &Path) {
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::query("CREATE TABLE recipes (name TEXT)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

#[rstest]
#[case::another_programs_sqlite_file("sqlite")]
#[case::an_empty_file("empty")]
#[case::random_bytes("random")]
#[case::a_text_file("text")]
#[tokio::test]
async fn a_file_that_is_not_a_tessera_database_is_refused_untouched(#[case] kind: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    match kind {
        "sqlite" => foreign_sqlite_file(&path).await,
        "empty" => std::fs::write(&path, b"").unwrap(),
        "random" => std::fs::write(
            &path,
            (0..4096).map(|i| (i * 37 % 251) as u8).collect::<Vec<_>>(),
        )
        .unwrap(),
        _ => std::fs::write(&path, "name;email\nClaire;claire@example.fr\n").unwrap(),
    }
    let before = snapshot(dir.path());
    let error = Store::open(&path).await.unwrap_err();
    assert_eq!(error.code(), "not_a_tessera_database");
    assert_eq!(error.body().args["path"], path.display().to_string());
    assert_eq!(snapshot(dir.path()), before, "the file was touched");
}

#[tokio::test]
async fn a_database_from_a_newer_tessera_is_refused_with_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    let store = Store::open(&path).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9001, 'from the future', TRUE, x'00', 0)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;
    let before = digest(&path);
    let error = Store::open(&path).await.unwrap_err();
    assert_eq!(error.code(), "database_too_new");
    assert_eq!(error.body().args["found"], "9001");
    assert_eq!(
        error.body().args["supported"],
        tessera_core::store::schema::latest_version().to_string()
    );
    assert_eq!(digest(&path), before, "a newer database is not changed");
}

/// `PRAGMA user_version` as the file's header holds it (bytes 60–63, big-endian).
fn header_stamp(path: &Path) -> u32 {
    let bytes = std::fs::read(path).unwrap();
    u32::from_be_bytes(bytes[60..64].try_into().unwrap())
}

/// A single command knows the schema is current from the header's stamp, with no statement
/// (issue 12); the stamp is written by each upgrade, and into a store upgraded before it existed
/// by the next open that finds the store current.
#[tokio::test]
async fn every_upgrade_stamps_its_schema_in_the_header_and_a_single_command_trusts_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    Store::open(&path).await.unwrap().close().await;
    let stamp = header_stamp(&path);
    assert_ne!(stamp, 0, "a new store is stamped");

    // Upgraded before the stamp existed: stamped by the next open.
    let store = Store::open(&path).await.unwrap();
    sqlx::query("PRAGMA user_version = 0")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    assert_eq!(header_stamp(&path), 0);
    Store::open_for_one_command(&path)
        .await
        .unwrap()
        .close()
        .await;
    assert_eq!(header_stamp(&path), stamp);

    // With the stamp in place, a single command does not read the bookkeeping at all (a
    // bookkeeping emptied behind Tessera's back goes unnoticed by it); the app does.
    change_a_migration_behind_tessera_s_back(&path).await;
    Store::open_for_one_command(&path)
        .await
        .unwrap()
        .close()
        .await;
    let error = Store::open(&path).await.unwrap_err();
    assert_eq!(error.code(), "database_damaged");
}

/// A newer Tessera writes its own stamp; while its upgrade may still sit in the write-ahead log
/// (the main file's header not yet rewritten), the header is not trusted.
#[tokio::test]
async fn a_newer_schema_is_refused_to_a_single_command_even_from_the_write_ahead_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    Store::open(&path).await.unwrap().close().await;
    let ours = header_stamp(&path);
    // The newer Tessera, still running: its upgrade is in the log, not yet in the file.
    let mut newer = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql(
        "PRAGMA wal_autocheckpoint = 0;
         BEGIN;
         INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9001, 'from the future', TRUE, x'00', 0);
         PRAGMA user_version = 7;
         COMMIT;",
    )
    .execute(&mut newer)
    .await
    .unwrap();
    assert_eq!(header_stamp(&path), ours, "the upgrade is still in the log");
    let error = Store::open_for_one_command(&path).await.unwrap_err();
    assert_eq!(error.code(), "database_too_new");

    // Once it is in the file, the stamp is not this build's.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut newer)
        .await
        .unwrap();
    newer.close().await.unwrap();
    assert_eq!(header_stamp(&path), 7);
    let error = Store::open_for_one_command(&path).await.unwrap_err();
    assert_eq!(error.code(), "database_too_new");
}

/// The bookkeeping says the first migration had another checksum than this build's.
async fn change_a_migration_behind_tessera_s_back(path: &Path) {
    let store = Store::open(path).await.unwrap();
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 1")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
}

#[tokio::test]
async fn a_database_whose_applied_migration_changed_is_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    change_a_migration_behind_tessera_s_back(&path).await;
    let error = Store::open(&path).await.unwrap_err();
    assert_eq!(error.code(), "database_damaged");
}

/// A till database copied short (a USB stick pulled out, a disk that lost its end): its header
/// still says Tessera's, its pages are missing.
#[rstest]
#[case::half_of_it(2)]
#[case::its_first_page_only(0)]
#[tokio::test]
async fn a_tessera_database_cut_short_is_damaged_and_left_untouched(#[case] divisor: u64) {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.db");
    let store = Store::open(&whole).await.unwrap();
    set_up(&store).await;
    store.close().await;
    let bytes = std::fs::read(&whole).unwrap();
    let page_size = 4096;
    let kept = if divisor == 0 {
        page_size
    } else {
        bytes.len() / divisor as usize
    };
    assert!(kept < bytes.len());

    let cut = tempfile::tempdir().unwrap();
    let path = cut.path().join("till.db");
    std::fs::write(&path, &bytes[..kept]).unwrap();
    let before = snapshot(cut.path());
    let error = Store::open(&path).await.unwrap_err();
    assert_eq!(error.code(), "database_damaged", "not someone else's file");
    assert_eq!(snapshot(cut.path()), before, "the damaged file was touched");
}

/// A till killed in the middle of a checkpoint (the CLI checkpoints as it exits): the file's
/// first page already counts pages that are still only in the WAL beside it. That is no damage:
/// SQLite finishes the checkpoint from the WAL. `make test`'s sync fault harness once met it as
/// `database_damaged` on the next command.
#[tokio::test]
async fn a_file_shorter_than_its_header_says_with_its_wal_beside_it_opens_whole() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("till.db");
    let store = Store::open(&live).await.unwrap();
    let manager = set_up(&store).await;
    // Written to the WAL only: far fewer pages than SQLite's automatic checkpoint waits for.
    for i in 0..40 {
        let member = tessera_core::people::members::NewMember {
            name: format!("Member {i}"),
            ..Default::default()
        };
        store.enroll(&manager, &member).await.unwrap();
    }
    // The files as a kill would leave them, the store still open (so its WAL is whole).
    let killed = tempfile::tempdir().unwrap();
    let path = killed.path().join("till.db");
    std::fs::copy(&live, &path).unwrap();
    let wal_path = killed.path().join("till.db-wal");
    std::fs::copy(dir.path().join("till.db-wal"), &wal_path).unwrap();
    store.close().await;

    // The checkpoint got as far as the first page: the newest copy of page 1 from the WAL
    // (frames of a 24-byte header and a page, after the WAL's own 32-byte header).
    let wal = std::fs::read(&wal_path).unwrap();
    let page_size = u32::from_be_bytes(wal[8..12].try_into().unwrap()) as usize;
    let page_one = wal[32..]
        .chunks_exact(24 + page_size)
        .rev()
        .find(|frame| u32::from_be_bytes(frame[0..4].try_into().unwrap()) == 1)
        .expect("page 1 is in the WAL")[24..]
        .to_vec();
    let mut file = std::fs::read(&path).unwrap();
    file[..page_size].copy_from_slice(&page_one);
    std::fs::write(&path, &file).unwrap();
    let pages = u64::from(u32::from_be_bytes(file[28..32].try_into().unwrap()));
    assert!(
        (file.len() as u64) < pages * page_size as u64,
        "the header counts {pages} pages, the file holds {}",
        file.len() / page_size
    );

    let store = Store::open(&path).await.unwrap();
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM member")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(members, 40);
}

#[tokio::test]
async fn many_processes_opening_a_new_file_at_once_all_succeed_and_migrate_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    // Separate stores are separate connection pools: to SQLite, separate processes.
    let opens: Vec<_> = (0..16)
        .map(|_| {
            let path = path.clone();
            tokio::spawn(async move { Store::open(&path).await.map(|_| ()).map_err(|e| e.code()) })
        })
        .collect();
    for open in opens {
        assert_eq!(open.await.unwrap(), Ok(()));
    }
    let store = Store::open(&path).await.unwrap();
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let expected: Vec<i64> = (1..=tessera_core::store::schema::latest_version()).collect();
    assert_eq!(versions, expected, "each migration once");
    let mark: i64 = sqlx::query_scalar("PRAGMA application_id")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mark, tessera_core::store::schema::APPLICATION_ID);
}

#[tokio::test]
async fn scanning_on_a_till_that_is_not_set_up_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("till.db")).await.unwrap();
    let code = tessera_core::codes::member_code::MemberCode::generate(&mut rand::thread_rng());
    let error = store.lookup(code.as_str(), &[]).await.unwrap_err();
    assert_eq!(error.code(), "shop_not_set_up");
}

/// The `-shm` files this process has mapped (SQLite's shared index of the write-ahead log).
fn mapped_shm_files() -> Vec<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let mut files: Vec<String> = maps
        .lines()
        .filter(|l| l.contains("-shm"))
        .filter_map(|l| l.split_whitespace().nth(5).map(|s| s.to_string()))
        .collect();
    files.sort();
    files.dedup();
    files
}

#[tokio::test]
async fn a_new_database_shares_its_own_wal_index_with_other_processes() {
    // A new database is built under a temporary name and linked into place (the same file).
    // The store must then use `tessera.db-shm`, the index every other process opening
    // `tessera.db` uses: an index left over from the temporary name would let another process
    // empty the log under this one's feet (SQLITE_IOERR_SHORT_READ, 522).
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tessera.db");
    let store = Store::open(&db).await.unwrap();
    set_up(&store).await;
    let ours: Vec<String> = mapped_shm_files()
        .into_iter()
        .filter(|f| f.starts_with(&dir.path().display().to_string()))
        .collect();
    assert_eq!(ours, [format!("{}-shm", db.display())]);
    store.close().await;
}

/// Closing a store moves what it wrote from the `-wal` file into the database file, even while
/// another process keeps the database open (so SQLite's own checkpoint at the last close does
/// not run): a copy of `tessera.db` alone then holds the shop.
#[tokio::test]
async fn closing_moves_the_writes_into_the_database_file_while_another_keeps_it_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    let other = Store::open(&path).await.unwrap();
    let store = Store::open(&path).await.unwrap();
    set_up(&store).await;
    store.close().await;

    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).unwrap();
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&copy)
        .connect()
        .await
        .unwrap();
    let shops: i64 = sqlx::query_scalar("SELECT count(*) FROM shop")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(shops, 1, "the database file alone holds the shop");
    conn.close().await.unwrap();
    other.close().await;
}
