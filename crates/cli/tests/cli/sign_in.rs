//! Who the CLI acts as: every command that changes something, and every manager command, needs
//! a staff member and their PIN (`--staff` or TESSERA_STAFF; TESSERA_PIN, `--pin`, or a prompt
//! on a terminal). The core's permission table decides what they may do. Reading members,
//! cards and history stays open to whoever can read the database file (docs/decisions/0013).

use crate::common::{add_cashier, Till};
use rstest::rstest;

const NOBODY: [(&str, &str); 2] = [("TESSERA_STAFF", ""), ("TESSERA_PIN", "")];

#[rstest]
#[case::punch(&["punch", "{code}"])]
#[case::redeem(&["redeem", "{code}"])]
#[case::enrol(&["member", "add", "--name", "Eve"])]
#[case::add_a_program(&["program", "add", "--name", "X", "--punches", "3", "--reward", "Y"])]
#[case::void(&["void", "01a2094c-d7a8-76a4-b636-368f7e6edc29", "--reason", "x"])]
#[case::doctor(&["doctor"])]
#[case::show_a_card_token(&["cards", "show", "{code}"])]
fn acting_without_signing_in_is_refused_and_writes_nothing(#[case] args: &[&str]) {
    let till = Till::new();
    let code = till.with_shop();
    let before = till.footprint();
    let args: Vec<String> = args.iter().map(|a| a.replace("{code}", &code)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = till.run_with_env(&args, &NOBODY);
    assert_eq!(run.error_code(), "sign_in_required", "{args:?}");
    assert_eq!(till.footprint(), before, "{args:?} wrote something");
}

#[test]
fn a_wrong_pin_is_refused_and_writes_nothing() {
    let till = Till::new();
    let code = till.with_shop();
    let before = till.footprint();
    let run = till.run_with_env(&["punch", &code], &[("TESSERA_PIN", "9999")]);
    assert_eq!(run.error_code(), "wrong_pin");
    let run = till.run_with_env(
        &["--staff", "Ana", "--pin", "9999", "punch", &code],
        &NOBODY,
    );
    assert_eq!(run.error_code(), "wrong_pin");
    assert_eq!(till.footprint(), before);
}

#[test]
fn the_staff_member_and_pin_come_from_the_environment_or_the_options() {
    let till = Till::new();
    let code = till.with_shop();
    add_cashier(&till);
    let by_env = till.run_with_env(
        &["punch", &code],
        &[("TESSERA_STAFF", "Sam"), ("TESSERA_PIN", "0000")],
    );
    assert!(by_env.ok, "{}", by_env.json);
    let by_options = till.run_with_env(
        &["--staff", "sam", "--pin", "0000", "punch", &code],
        &NOBODY,
    );
    assert!(by_options.ok, "{}", by_options.json);
    let history = till.ok(&["history", &code]);
    assert_eq!(
        history[0]["staff_name"], "Sam",
        "the punch is the cashier's"
    );
    assert_eq!(history[1]["staff_name"], "Sam");
}

#[rstest]
#[case::read_a_card_token(&["cards", "show", "{code}"])]
#[case::run_the_doctor(&["doctor", "--rebuild"])]
#[case::void_a_managers_punch(&["void", "{event}", "--reason", "scanned twice"])]
#[case::add_a_program(&["program", "add", "--name", "X", "--punches", "3", "--reward", "Y"])]
fn a_cashier_cannot_do_a_managers_work(#[case] args: &[&str]) {
    let till = Till::new();
    let code = till.with_shop();
    let punch = till.ok(&["punch", &code]);
    let event = punch["event"]["id"].as_str().unwrap().to_string();
    add_cashier(&till);
    let before = till.footprint();
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("{code}", &code).replace("{event}", &event))
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = till.run_with_env(&args, &[("TESSERA_STAFF", "Sam"), ("TESSERA_PIN", "0000")]);
    assert_eq!(run.error_code(), "manager_only", "{args:?}");
    assert_eq!(till.footprint(), before);
}

#[rstest]
#[case::scan(&["scan", "{code}"])]
#[case::history(&["history", "{code}"])]
#[case::find_a_member(&["member", "find", "Claire"])]
#[case::list_programs(&["program", "list"])]
fn reading_needs_no_sign_in(#[case] args: &[&str]) {
    let till = Till::new();
    let code = till.with_shop();
    let args: Vec<String> = args.iter().map(|a| a.replace("{code}", &code)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = till.run_with_env(&args, &NOBODY);
    assert!(run.ok, "{args:?}: {}", run.json);
}

#[test]
fn acting_on_a_till_that_is_not_set_up_says_so_before_asking_who() {
    let till = Till::new();
    let run = till.run(&["member", "add", "--name", "Claire"]);
    assert_eq!(run.error_code(), "shop_not_set_up");
}

#[test]
fn staff_options_sign_in_with_the_pin() {
    let till = Till::new();
    let code = till.with_shop();
    let punched = till.ok(&["--staff", "Ana", "--pin", "1234", "punch", &code]);
    assert_eq!(punched["card"]["punches"], 1);
    let wrong = till.run(&["--staff", "Ana", "--pin", "9999", "punch", &code]);
    assert_eq!(wrong.error_code(), "wrong_pin");
}
