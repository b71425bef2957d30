//! Bad input through the real binary: each case fails with its stable error code and writes
//! nothing (the row counts of every table stay the same).

mod common;

use common::{run_at, Till};
use rstest::rstest;

#[rstest]
#[case::empty_member_name(&["member", "add", "--name", ""], "empty_field")]
#[case::blank_member_name(&["member", "add", "--name", "   "], "empty_field")]
#[case::five_hundred_character_name(&["member", "add", "--name", &"Ő".repeat(500)], "too_long")]
#[case::bad_email(&["member", "add", "--name", "Ana", "--email", "ana-at-example"], "invalid_email")]
#[case::bad_language(&["member", "add", "--name", "Ana", "--language", "xx"], "invalid_language")]
#[case::zero_punches_needed(&["program", "add", "--name", "X", "--punches", "0", "--reward", "R"], "invalid_punches_needed")]
#[case::negative_punches_needed(&["program", "add", "--name", "X", "--punches", "-3", "--reward", "R"], "invalid_punches_needed")]
#[case::empty_reward(&["program", "add", "--name", "X", "--punches", "5", "--reward", ""], "empty_field")]
#[case::unknown_program_id(&["punch", "{code}", "--program", "01a2094c-d7a8-76a4-b636-368f7e6edc29"], "program_not_found")]
#[case::unknown_program_name(&["punch", "{code}", "--program", "Tea card"], "program_not_found")]
#[case::zero_count(&["punch", "{code}", "--count", "0"], "invalid_count")]
#[case::negative_count(&["punch", "{code}", "--count", "-2"], "invalid_count")]
#[case::redeem_with_nothing(&["redeem", "{code}"], "nothing_to_redeem")]
#[case::mistyped_code(&["punch", "{typo}"], "mistyped_code")]
#[case::unknown_code(&["punch", "{unknown}"], "unknown_code")]
#[case::not_a_code(&["punch", "Claire"], "not_a_code")]
#[case::void_unknown_event(&["void", "01a2094c-d7a8-76a4-b636-368f7e6edc29", "--reason", "x"], "event_not_found")]
#[case::void_garbage_id(&["void", "yesterday", "--reason", "x"], "event_not_found")]
#[case::init_twice(&["init", "--shop", "Again", "--manager", "Bo", "--pin", "1111"], "shop_already_set_up")]
fn refused_with_its_code_and_nothing_written(#[case] args: &[&str], #[case] code: &str) {
    let till = Till::new();
    let member_code = till.with_shop();
    let typo = {
        let mut chars: Vec<char> = member_code.chars().collect();
        chars[0] = if chars[0] == 'Z' { 'Y' } else { 'Z' };
        chars.into_iter().collect::<String>()
    };
    // A well-formed code with a valid check character that nobody has.
    let unknown = till.ok(&["member", "add", "--name", "Placeholder"]);
    let unknown_code = unknown["code"].as_str().unwrap().to_string();
    let other_till = Till::new();
    other_till.with_shop();
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.replace("{code}", &member_code)
                .replace("{typo}", &typo)
                .replace("{unknown}", &unknown_code)
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // Unknown codes are checked on the other till, which never saw this member.
    let target = if args.contains(&unknown_code.as_str()) {
        &other_till
    } else {
        &till
    };

    let before = target.footprint();
    assert_eq!(target.run(&args).error_code(), code);
    assert_eq!(
        target.footprint(),
        before,
        "a refused command wrote something"
    );
}

#[test]
fn init_refuses_bad_pins_and_leaves_no_shop() {
    let till = Till::new();
    let run = till.run(&["init", "--shop", "Café", "--manager", "Ana", "--pin", "12"]);
    assert_eq!(run.error_code(), "invalid_pin");
    assert_eq!(till.footprint(), vec![0; 8]);
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
    let run = common::block_on(async {
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
    let message = run.json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("not-a-folder"),
        "the message names the path: {message}"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_reported_as_corrupt_and_left_alone() {
    let till = Till::new();
    let garbage = b"this is a spreadsheet, not a database ".repeat(200);
    std::fs::write(&till.db, &garbage).unwrap();
    let run = till.run(&["program", "list"]);
    assert_eq!(run.error_code(), "store_corrupt");
    assert_eq!(
        std::fs::read(&till.db).unwrap(),
        garbage,
        "the file was not touched"
    );
}

#[test]
fn a_usage_mistake_under_json_is_still_one_json_document() {
    let till = Till::new();
    till.with_shop();
    let run = till.run(&["punch"]);
    assert_eq!(run.error_code(), "invalid_arguments");
    assert_eq!(run.output.status.code(), Some(2));
}
