//! What every refusal looks like under `--json`: the app's `ErrorBody` (`code`, `key`, `args`,
//! `storage_failure`) and the translated `message`, exit code 1; a usage mistake the same shape
//! with `invalid_arguments`, exit code 2. And refusals that are not one command's: the database
//! file locked, unwritable, or not a Tessera database.

use crate::common::{block_on, run_at, Till};

#[test]
fn a_refusal_is_the_apps_error_body_and_a_translated_message() {
    let till = Till::new();
    let code = till.with_shop();
    let run = till.run(&["punch", &code, "--count", "0"]);
    assert_eq!(run.output.status.code(), Some(1));
    let error = &run.json["error"];
    let mut fields: Vec<&str> = error
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["args", "code", "key", "message", "storage_failure"]
    );
    assert_eq!(error["code"], "invalid_count");
    assert_eq!(error["key"], "error-invalid-count");
    let max = error["args"]["max"].as_str().expect("args are strings");
    assert_eq!(error["storage_failure"], false);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(max),
        "the message uses its args: {message}"
    );
}

#[test]
fn messages_follow_the_language_asked_for() {
    let till = Till::new();
    till.with_shop();
    let english = till.run(&["scan", "Claire"]);
    let hungarian = till.run(&["--lang", "hu", "scan", "Claire"]);
    assert_eq!(english.error_code(), "not_a_code");
    assert_eq!(hungarian.error_code(), "not_a_code");
    assert_eq!(english.json["error"]["key"], hungarian.json["error"]["key"]);
    assert_ne!(
        english.json["error"]["message"], hungarian.json["error"]["message"],
        "the message is translated, the code and key are not"
    );
}

#[test]
fn a_usage_mistake_under_json_is_still_one_json_document_of_the_same_shape() {
    let till = Till::new();
    till.with_shop();
    let run = till.run(&["punch"]);
    assert_eq!(run.error_code(), "invalid_arguments");
    assert_eq!(run.output.status.code(), Some(2));
    let error = &run.json["error"];
    assert_eq!(error["key"], "error-invalid-arguments");
    assert_eq!(error["storage_failure"], false);
    let detail = error["args"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("<CODE>"),
        "clap says what is missing: {detail}"
    );
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(detail) && message != detail,
        "a sentence around clap's words: {message}"
    );
    let french = till.run(&["--lang", "fr", "punch"]);
    assert_eq!(french.error_code(), "invalid_arguments");
    assert_ne!(french.json["error"]["message"], error["message"]);
    let unknown = till.run(&["frobnicate"]);
    assert_eq!(unknown.error_code(), "invalid_arguments");
    assert_eq!(unknown.output.status.code(), Some(2));
}

/// Another program holds SQLite's write lock (here: this test process, through its own
/// connection, while `tessera` runs as a separate process). The punch waits for the busy
/// timeout, then gives up with `database_locked`; once the lock is gone, nothing was written.
#[test]
fn a_locked_database_is_reported_and_nothing_is_written() {
    let till = Till::new();
    let code = till.with_shop();
    let before = till.footprint();
    let db = till.db.clone();
    let run = block_on(async {
        use sqlx::Connection;
        let mut holder = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut holder)
            .await
            .unwrap();
        let run = till.run_with_env(&["punch", &code], &[("TESSERA_BUSY_TIMEOUT_MS", "200")]);
        sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
        run
    });
    assert_eq!(run.error_code(), "database_locked");
    assert_eq!(run.json["error"]["storage_failure"], true);
    assert_eq!(till.footprint(), before);
    // And the till works again once the other program lets go.
    assert!(till.run(&["punch", &code]).ok);
}

#[test]
fn an_unwritable_path_is_reported() {
    let till = Till::new();
    // A path below a regular file cannot be created, even by root.
    let blocker = till.dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let run = run_at(&blocker.join("tessera.db"), &["program", "list"], &[]);
    assert_eq!(run.error_code(), "store_unwritable");
    let path = run.json["error"]["args"]["path"].as_str().unwrap();
    assert!(path.contains("not-a-folder"), "{path}");
    let message = run.json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("not-a-folder"),
        "the message names the path: {message}"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let till = Till::new();
    let garbage = b"this is a spreadsheet, not a database ".repeat(200);
    std::fs::write(&till.db, &garbage).unwrap();
    let run = till.run(&["program", "list"]);
    assert_eq!(run.error_code(), "not_a_tessera_database");
    assert_eq!(
        std::fs::read(&till.db).unwrap(),
        garbage,
        "the file was not touched"
    );
}

/// Separate processes opening one new file at the same moment: each succeeds, and the file is
/// migrated once (no "table device already exists").
#[test]
fn many_processes_opening_a_new_database_at_once_all_succeed() {
    let till = Till::new();
    let children: Vec<_> = (0..12)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
                .arg("--db")
                .arg(&till.db)
                .args(["--json", "program", "list"])
                .env("LANG", "C")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start tessera")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    let versions: Vec<i64> = block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", till.db.display()))
            .await
            .unwrap();
        let versions = sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        versions
    });
    assert_eq!(versions, (1..=versions.len() as i64).collect::<Vec<_>>());
    assert_eq!(
        versions.len() as i64,
        tessera_core::store::schema::latest_version()
    );
}

/// `tessera … | head -1`: the reader goes away before the answer is written. The command ends
/// quietly (141, as if the broken pipe had killed it), never with a panic on the terminal.
#[test]
fn an_answer_nobody_reads_any_more_ends_quietly() {
    let till = Till::new();
    till.with_shop();
    for json in [true, false] {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"));
        command.arg("--db").arg(&till.db);
        if json {
            command.arg("--json");
        }
        let mut child = command
            .args(["program", "list"])
            .env("TESSERA_STAFF", crate::common::MANAGER)
            .env("TESSERA_PIN", crate::common::MANAGER_PIN)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Nobody reads: the pipe's only reader closes before the command has opened the store.
        drop(child.stdout.take());
        let done = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert!(!stderr.contains("panicked"), "json {json}: {stderr}");
        assert_eq!(done.status.code(), Some(141), "json {json}: {stderr}");
    }
}
