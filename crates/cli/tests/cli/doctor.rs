//! `tessera doctor`: every check on a sound store, with its progress on stderr (one line per
//! question answered, in the person's language) while stdout stays the one JSON answer.

use crate::common::Till;

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
