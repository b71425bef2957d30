//! `tessera backup` and `tessera restore`: a backup taken while another process punches is a
//! whole, consistent database; restore puts it in place and keeps the replaced one; what is
//! not a Tessera backup, or comes from a newer Tessera, is refused and nothing is touched.

use std::path::Path;

use crate::common::{block_on, run_at, Till};

fn event_count(db: &Path) -> i64 {
    let db = db.to_path_buf();
    block_on(async move {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let count = sqlx::query_scalar("SELECT count(*) FROM event")
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        count
    })
}

#[test]
fn a_backup_taken_while_another_process_punches_is_consistent_and_restores() {
    let till = Till::new();
    let code = till.with_shop();
    let db = till.db.clone();
    let puncher = std::thread::spawn(move || {
        for _ in 0..30 {
            let run = run_at(&db, &["punch", &code], &[]);
            assert!(run.ok, "{}", run.json);
        }
    });
    // Backups one after another for as long as the punches go on (each one begun while the
    // other process was still punching).
    let mut backups = Vec::new();
    while !puncher.is_finished() {
        let file = till.dir.path().join(format!("backup-{}.db", backups.len()));
        let taken = till.ok(&["backup", file.to_str().unwrap()]);
        assert_eq!(taken["path"], file.to_str().unwrap());
        backups.push(file);
    }
    puncher.join().unwrap();
    assert!(!backups.is_empty());
    let mut counts = Vec::new();
    for backup in &backups {
        // Each backup is a till database of its own: whole, gap-free, balances right.
        let doctor = run_at(backup, &["doctor"], &[]);
        assert!(doctor.ok, "{}", doctor.json);
        assert_eq!(doctor.json["ok"], true, "{}", doctor.json);
        counts.push(event_count(backup));
    }
    let mut sorted = counts.clone();
    sorted.sort();
    assert_eq!(
        counts, sorted,
        "a later backup holds fewer events: {counts:?}"
    );
    let now = event_count(&till.db);
    assert_eq!(now, 31, "one enrolment and 30 punches");

    // Restore the first: the till is as it was then, and the replaced database is kept.
    let restored = till.ok(&["restore", backups[0].to_str().unwrap()]);
    assert_eq!(event_count(&till.db), counts[0]);
    let kept = restored["replaced_kept_at"].as_str().unwrap();
    assert_eq!(event_count(Path::new(kept)), now);
    let doctor = till.ok(&["doctor"]);
    assert_eq!(doctor["ok"], true);
    let trail = till.ok(&["audit"]);
    assert_eq!(trail[0]["kind"], "restored", "{trail}");
}

#[test]
fn what_is_not_a_tessera_backup_is_refused_and_the_database_is_untouched() {
    let till = Till::new();
    till.with_shop();
    let notes = till.dir.path().join("notes.db");
    std::fs::write(&notes, "shopping list: milk, flour").unwrap();
    let run = till.run(&["restore", notes.to_str().unwrap()]);
    assert_eq!(run.error_code(), "not_a_tessera_database");
    assert!(run.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("notes.db"));
    let missing = till.run(&["restore", "/nowhere/backup.db"]);
    assert_eq!(missing.error_code(), "not_a_tessera_database");

    // A backup made by a newer Tessera (a migration this one does not know).
    let newer = till.dir.path().join("newer.db");
    till.ok(&["backup", newer.to_str().unwrap()]);
    block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", newer.display()))
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (99990101000000, 'from the future', TRUE, x'00', 0)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    });
    let before = std::fs::read(&till.db).unwrap();
    let run = till.run(&["restore", newer.to_str().unwrap()]);
    assert_eq!(run.error_code(), "database_too_new");
    let run = till.run(&["restore", notes.to_str().unwrap()]);
    assert_eq!(run.error_code(), "not_a_tessera_database");

    assert_eq!(
        std::fs::read(&till.db).unwrap(),
        before,
        "the database was touched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(till.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restore") || n.contains("replaced"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_cashier_cannot_back_up_and_a_database_that_no_longer_opens_is_restored_without_sign_in() {
    let till = Till::new();
    till.with_shop();
    crate::common::add_cashier(&till);
    let backup = till.dir.path().join("b.db");
    let refused = till.run_with_env(
        &["backup", backup.to_str().unwrap()],
        &[("TESSERA_STAFF", "Sam"), ("TESSERA_PIN", "0000")],
    );
    assert_eq!(refused.error_code(), "manager_only");
    assert!(!backup.exists());

    till.ok(&["backup", backup.to_str().unwrap()]);
    std::fs::write(&till.db, vec![0x5a; 8192]).unwrap();
    let _ = std::fs::remove_file(format!("{}-wal", till.db.display()));
    let restored = till.run_with_env(
        &["restore", backup.to_str().unwrap()],
        &[("TESSERA_STAFF", ""), ("TESSERA_PIN", "")],
    );
    assert!(restored.ok, "{}", restored.json);
    assert!(till.ok(&["staff", "list"]).as_array().unwrap().len() == 2);
}
