//! `tessera program add|list`.

use rstest::rstest;

use crate::common::{refused, Till};

#[rstest]
#[case::terminal_escape_in_reward(&["program", "add", "--name", "X", "--punches", "5", "--reward", "Free\x1b[2J"], "invalid_characters")]
#[case::zero_punches_needed(&["program", "add", "--name", "X", "--punches", "0", "--reward", "R"], "invalid_punches_needed")]
#[case::negative_punches_needed(&["program", "add", "--name", "X", "--punches", "-3", "--reward", "R"], "invalid_punches_needed")]
#[case::empty_reward(&["program", "add", "--name", "X", "--punches", "5", "--reward", ""], "empty_field")]
#[case::empty_name(&["program", "add", "--name", " ", "--punches", "5", "--reward", "R"], "empty_field")]
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
