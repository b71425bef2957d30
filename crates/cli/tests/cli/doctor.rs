//! `tessera doctor`: every check on a sound store, with its progress on stderr (one line per
//! question answered, in the person's language) while stdout stays the one JSON answer.

use crate::common::{Till, MANAGER, MANAGER_PIN};

#[test]
fn doctor_answers_on_stdout_and_shows_each_question_answered_on_stderr() {
    let till = Till::new();
    let code = till.with_shop();
    till.ok(&["punch", &code]);

    let run = till.run_with_env(&["doctor"], &[("LANG", "fr_FR.UTF-8")]);
    assert!(run.ok, "{}", run.json);
    assert_eq!(run.json["ok"], true, "{}", run.json);
    let checks: Vec<&str> = run.json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        checks,
        [
            "sqlite_integrity",
            "foreign_keys",
            "sequence_gap_free",
            "card_totals_match_ledger",
            "report_activity_matches_ledger",
            "report_days_match_activity"
        ]
    );

    let stderr = String::from_utf8_lossy(&run.output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    // Integrity, foreign keys, gaps, cards, activity, and the five day tables.
    assert_eq!(lines.len(), 10, "{stderr}");
    for (i, line) in lines.iter().enumerate() {
        let done = format!("{} contrôles faits sur 10", i + 1);
        assert!(line.contains(&done), "line {i}: {line}");
    }
}

/// The doctor goes on from its last sound check (decision 0034); `--full` looks at everything.
#[test]
fn the_next_doctor_looks_at_what_came_since_the_last_sound_one() {
    let till = Till::new();
    let code = till.with_shop();
    // A few weeks of coffees: what comes after the check stays a small part of the ledger.
    for _ in 0..10 {
        till.ok(&["punch", &code]);
    }
    let first = till.ok(&["doctor"]);
    assert_eq!(first["scope"]["looked_at"], "everything", "{first}");
    till.ok(&["punch", &code]);
    till.ok(&["punch", &code]);

    let next = till.ok(&["doctor"]);
    assert_eq!(next["ok"], true, "{next}");
    assert_eq!(next["scope"]["looked_at"], "since_last_check", "{next}");
    assert_eq!(next["scope"]["events"], 2, "{next}");
    let full = till.ok(&["doctor", "--full"]);
    assert_eq!(full["scope"]["looked_at"], "everything", "{full}");

    // What a person reads, in their language: how much was looked at, since when.
    till.ok(&["punch", &code]);
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--db")
        .arg(&till.db)
        .arg("doctor")
        .env("LANG", "hu_HU.UTF-8")
        .env("TESSERA_STAFF", MANAGER)
        .env("TESSERA_PIN", MANAGER_PIN)
        .output()
        .unwrap();
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("óta történt 1 esemény"),
        "the events since the last check, in Hungarian: {text}"
    );
    let year = chrono::Local::now().format("%Y").to_string();
    assert!(text.contains(&year), "the day of the last check: {text}");
}
