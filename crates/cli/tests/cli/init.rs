//! `tessera init` and `tessera demo`: a shop and its first manager, once.

use rstest::rstest;

use crate::common::{refused, Till};

#[rstest]
#[case::a_second_time(&["init", "--shop", "Again", "--manager", "Bo", "--pin", "1111"], "shop_already_set_up")]
#[case::a_demo_over_a_shop(&["demo"], "shop_already_set_up")]
#[case::terminal_escape_in_the_managers_name(&["init", "--shop", "Again", "--manager", "Bo\x1b[5m", "--pin", "1111"], "invalid_characters")]
fn init_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}

#[rstest]
#[case::too_short(&["--pin", "12"], "invalid_pin")]
#[case::letters(&["--pin", "abcd"], "invalid_pin")]
#[case::bad_currency(&["--pin", "1234", "--currency", "euro"], "invalid_currency")]
#[case::bad_language(&["--pin", "1234", "--language", "xx"], "invalid_language")]
fn init_refuses_and_leaves_no_shop(#[case] extra: &[&str], #[case] code: &str) {
    let till = Till::new();
    let mut args = vec!["init", "--shop", "Café", "--manager", "Ana"];
    args.extend(extra);
    assert_eq!(till.run(&args).error_code(), code);
    assert!(till.footprint().iter().all(|rows| *rows == 0));
}

#[test]
fn the_demo_sets_up_a_cafe_with_two_programs_and_members() {
    let till = Till::new();
    let demo = till.ok(&["demo", "--language", "fr"]);
    assert_eq!(demo["shop"]["language"], "fr");
    assert_eq!(demo["manager"]["role"], "manager");
    assert_eq!(till.ok(&["program", "list"]).as_array().unwrap().len(), 2);
}

#[test]
fn the_first_managers_pin_can_come_from_the_environment_instead_of_the_command_line() {
    let till = Till::new();
    let set_up = till.run_with_env(
        &["init", "--shop", "Café", "--manager", "Ana"],
        &[("TESSERA_NEW_PIN", "2468")],
    );
    assert!(set_up.ok, "{}", set_up.json);
    let signed_in = till.run_with_env(
        &["member", "add", "--name", "Claire"],
        &[("TESSERA_STAFF", "Ana"), ("TESSERA_PIN", "2468")],
    );
    assert!(
        signed_in.ok,
        "the PIN from the environment is the manager's: {}",
        signed_in.json
    );
}

#[test]
fn with_no_pin_anywhere_and_no_terminal_init_refuses() {
    let till = Till::new();
    let run = till.run(&["init", "--shop", "Café", "--manager", "Ana"]);
    assert_eq!(run.error_code(), "invalid_pin");
    assert!(till.footprint().iter().all(|rows| *rows == 0));
}
