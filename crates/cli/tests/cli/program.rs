//! `tessera program add|edit|pause|resume|retire|list`, and punches and redemptions in what
//! they make: points for an amount, a reward tier, an override of the minimum time.

use rstest::rstest;

use crate::common::{refused, Till};

#[rstest]
#[case::terminal_escape_in_reward(&["program", "add", "--name", "X", "--punches", "5", "--reward", "Free\x1b[2J"], "invalid_characters")]
#[case::zero_punches_needed(&["program", "add", "--name", "X", "--punches", "0", "--reward", "R"], "invalid_punches_needed")]
#[case::negative_punches_needed(&["program", "add", "--name", "X", "--punches", "-3", "--reward", "R"], "invalid_punches_needed")]
#[case::empty_reward(&["program", "add", "--name", "X", "--punches", "5", "--reward", ""], "empty_field")]
#[case::empty_name(&["program", "add", "--name", " ", "--punches", "5", "--reward", "R"], "empty_field")]
#[case::points_without_rewards(&["program", "add", "--name", "X", "--points-per-unit", "1"], "invalid_tiers")]
#[case::zero_points_per_unit(&["program", "add", "--name", "X", "--points-per-unit", "0", "--tier", "10=R"], "invalid_number")]
#[case::negative_expiry(&["program", "add", "--name", "X", "--punches", "5", "--reward", "R", "--expires-after", "-1"], "invalid_number")]
fn program_add_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}

#[test]
fn a_program_added_is_listed_with_its_id() {
    let till = Till::new();
    till.with_shop();
    let added = till.ok(&[
        "program",
        "add",
        "--name",
        "Pastry card",
        "--punches",
        "6",
        "--reward",
        "Croissant",
    ]);
    assert_eq!(added["punches_needed"], 6);
    assert_eq!(added["active"], true);
    let list = till.ok(&["program", "list"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Pastry card"), "{names:?}");
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == added["id"]));
}

#[test]
fn a_manager_edits_pauses_resumes_and_retires_a_program_from_a_script() {
    let till = Till::new();
    let code = till.with_shop();
    till.ok(&["punch", &code, "--count", "9"]);
    let renamed = till.ok(&[
        "program",
        "edit",
        "coffee card",
        "--name",
        "Café",
        "--reward",
        "Un café",
    ]);
    assert_eq!(renamed["program"]["name"], "Café");
    assert_eq!(renamed["replaced"], serde_json::Value::Null);

    let paused = till.ok(&["program", "pause", "Café"]);
    assert_eq!(paused["active"], false);
    assert_eq!(
        till.run(&["punch", &code]).error_code(),
        "no_active_program"
    );
    till.ok(&["program", "resume", "Café"]);

    // Ten stamps instead of nine: a new program; Claire's reward stays on the old one.
    let old_id = renamed["program"]["id"].as_str().unwrap().to_string();
    let remade = till.ok(&["program", "edit", "Café", "--punches", "10"]);
    assert_eq!(remade["replaced"], old_id.as_str());
    assert_eq!(remade["program"]["punches_needed"], 10);
    let redeemed = till.ok(&["redeem", &code, "--program", &old_id]);
    assert_eq!(redeemed["card"]["program_id"], old_id.as_str());
    let punched = till.ok(&["punch", &code]);
    assert_eq!(punched["card"]["program_id"], remade["program"]["id"]);

    let retired = till.ok(&["program", "retire", "Café"]);
    assert!(retired["retired_at"].is_string());
    assert_eq!(
        till.run(&["program", "resume", "Café"]).error_code(),
        "program_retired"
    );
    let statuses: Vec<(bool, bool)> = till
        .ok(&["program", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["active"].as_bool().unwrap(), p["retired_at"].is_string()))
        .collect();
    assert_eq!(statuses, [(false, true), (false, true)]);
}

#[test]
fn points_for_an_amount_a_reward_tier_and_an_override_of_the_minimum_time() {
    let till = Till::new();
    let code = till.with_shop();
    till.ok(&["program", "retire", "Coffee card"]);
    let added = till.ok(&[
        "program",
        "add",
        "--name",
        "Points",
        "--points-per-unit",
        "1",
        "--tier",
        "50=A croissant",
        "--tier",
        "20=A coffee",
        "--min-gap",
        "10",
    ]);
    assert_eq!(added["kind"], "points");
    assert_eq!(added["tiers"][0]["points"], 20);

    let earned = till.ok(&["punch", &code, "--amount", "42,80"]);
    assert_eq!(earned["event"]["amount"], 42);
    assert_eq!(earned["card"]["rewards_available"], 42);
    let too_soon = till.run(&["punch", &code, "--amount", "5"]);
    assert_eq!(too_soon.error_code(), "punch_too_soon");
    let overridden = till.ok(&[
        "punch",
        &code,
        "--amount",
        "5",
        "--override",
        "second purchase",
    ]);
    assert_eq!(overridden["event"]["reason"], "second purchase");

    assert_eq!(till.run(&["redeem", &code]).error_code(), "reward_required");
    let coffee = till.ok(&["redeem", &code, "--reward", "20"]);
    assert_eq!(coffee["card"]["rewards_available"], 27);
    let audit = till.ok(&["audit"]);
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "override" && e["detail"] == "second purchase"),
        "{audit}"
    );
}
