//! Bad input through the real binary: each case fails with its stable error code and writes
//! nothing (the row counts of every table stay the same).

mod common;

use common::{run_at, Till};
use rstest::rstest;

#[rstest]
#[case::empty_member_name(&["member", "add", "--name", ""], "empty_field")]
#[case::blank_member_name(&["member", "add", "--name", "   "], "empty_field")]
#[case::five_hundred_character_name(&["member", "add", "--name", &"Ő".repeat(500)], "too_long")]
#[case::zero_width_member_name(&["member", "add", "--name", "\u{200B}\u{200B}"], "empty_field")]
#[case::terminal_escape_in_member_name(&["member", "add", "--name", "Ana\x1b[31m"], "invalid_characters")]
#[case::bad_email(&["member", "add", "--name", "Ana", "--email", "ana-at-example"], "invalid_email")]
#[case::email_with_two_dots(&["member", "add", "--name", "Ana", "--email", "a@b..c"], "invalid_email")]
#[case::thousand_digit_phone(&["member", "add", "--name", "Ana", "--phone", &"0".repeat(1006)], "too_long")]
#[case::terminal_escape_in_reward(&["program", "add", "--name", "X", "--punches", "5", "--reward", "Free\x1b[2J"], "invalid_characters")]
#[case::terminal_escape_in_staff_name_at_set_up(&["init", "--shop", "Again", "--manager", "Bo\x1b[5m", "--pin", "1111"], "invalid_characters")]
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
#[case::void_reason_with_an_escape(&["void", "01a2094c-d7a8-76a4-b636-368f7e6edc29", "--reason", "oops\x1b[2J"], "invalid_characters")]
#[case::void_reason_too_long(&["void", "01a2094c-d7a8-76a4-b636-368f7e6edc29", "--reason", &"x".repeat(201)], "too_long")]
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

#[test]
fn a_usage_mistake_under_json_is_still_one_json_document() {
    let till = Till::new();
    till.with_shop();
    let run = till.run(&["punch"]);
    assert_eq!(run.error_code(), "invalid_arguments");
    assert_eq!(run.output.status.code(), Some(2));
}

/// `tessera --db <db> <args>` in text mode (no `--json`): what a person's terminal receives.
/// Text mode, signed in as the manager, whose name the test below fills with an escape.
fn run_text(till: &Till, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--db")
        .arg(&till.db)
        .args(args)
        .env("LANG", "C")
        .env("TESSERA_STAFF", "Ana\u{1b}[8m")
        .env("TESSERA_PIN", common::MANAGER_PIN)
        .output()
        .expect("run tessera")
}

/// Core refuses control characters on input, but a database can be written by something else
/// (here: plain SQL). Text mode still never hands the terminal a control character from stored
/// text: an ESC in a name must not recolour, clear or retitle the cashier's terminal.
#[test]
fn text_output_never_carries_control_characters_from_a_tampered_database() {
    let till = Till::new();
    let code = till.with_shop();
    let dana = till.ok(&[
        "member",
        "add",
        "--name",
        "Dana Pop",
        "--email",
        "dana@example.ro",
        "--phone",
        "0721 234 567",
    ]);
    let dana = dana["code"].as_str().unwrap().to_string();
    till.ok(&["punch", &code]);
    let db = till.db.clone();
    common::block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query(
            "UPDATE member SET name = 'Dana' || char(27) || '[31mPop' || char(155) || '2J',
                 email = 'dana' || char(27) || '[5m@example.ro',
                 phone = '0721' || char(27) || '[2J234567'
             WHERE code = ?",
        )
        .bind(&dana)
        .execute(&pool)
        .await
        .unwrap();
        for statement in [
            "UPDATE program SET name = 'Coffee' || char(27) || ']0;pwned' || char(7),
                 reward = 'Free' || char(27) || '[2J coffee' || char(10) || 'fake line'",
            "UPDATE staff SET name = 'Ana' || char(27) || '[8m'",
        ] {
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
        pool.close().await;
    });

    let commands: [&[&str]; 7] = [
        &["member", "find", &dana],
        &["member", "find", "Dana"],
        &["scan", &dana],
        &["program", "list"],
        &["punch", &code],
        &["history", &code],
        // Refused as a likely duplicate of Dana (same phone): the error names her, on stderr.
        &["member", "add", "--name", "Eva", "--phone", "0721 234 567"],
    ];
    for args in commands {
        let output = run_text(&till, args);
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            let text = String::from_utf8(bytes.clone()).expect("UTF-8 output");
            let raw: Vec<char> = text
                .chars()
                .filter(|&c| c.is_control() && c != '\n')
                .collect();
            assert!(
                raw.is_empty() && !bytes.contains(&0x1b),
                "tessera {args:?} printed control characters {raw:?} on {stream}:\n{text}"
            );
        }
        let printed = String::from_utf8_lossy(&output.stdout);
        assert!(
            !printed.lines().any(|l| l.starts_with("fake line")),
            "a stored line break started a new line:\n{printed}"
        );
        // Each command did print tampered text (so the check above is not vacuous).
        let said = printed + String::from_utf8_lossy(&output.stderr);
        assert!(
            said.contains('\u{FFFD}'),
            "tessera {args:?} showed no stored text:\n{said}"
        );
    }
    // The names are still shown, with the control characters visibly replaced.
    let found = run_text(&till, &["member", "find", &dana]);
    let found = String::from_utf8(found.stdout).unwrap();
    assert!(found.contains("Dana\u{FFFD}[31mPop\u{FFFD}2J"), "{found}");
    let duplicate = run_text(
        &till,
        &["member", "add", "--name", "Eva", "--phone", "0721234567"],
    );
    let said = String::from_utf8(duplicate.stderr).unwrap();
    assert!(
        said.contains("Dana\u{FFFD}[31mPop") && said.contains("[likely_duplicate]"),
        "{said}"
    );
}
