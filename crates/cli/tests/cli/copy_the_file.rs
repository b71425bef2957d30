//! Whoever copies `tessera.db` alone after a command has finished gets every acknowledged write:
//! the CLI moves the `-wal` file's contents into the database file before it exits.

use crate::common::{block_on, Till};
use sqlx::{ConnectOptions, Connection};

/// The events in a copy of the database file alone (no `-wal`, no `-shm`).
fn events_in_a_copy_of_the_file(till: &Till) -> i64 {
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("copy.db");
    std::fs::copy(&till.db, &copy).unwrap();
    block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&copy)
            .read_only(true)
            .connect()
            .await
            .unwrap();
        let count = sqlx::query_scalar("SELECT count(*) FROM event")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        count
    })
}

#[test]
fn every_acknowledged_punch_is_in_the_database_file_itself_after_the_command() {
    let till = Till::new();
    let code = till.with_shop();
    let mut acknowledged = events_in_a_copy_of_the_file(&till);
    for punch in 1..=25 {
        till.ok(&["punch", &code]);
        acknowledged += 1;
        assert_eq!(
            events_in_a_copy_of_the_file(&till),
            acknowledged,
            "punch {punch}: the copied file lacks an acknowledged event"
        );
    }
}
