//! `tessera member add|find`.

use rstest::rstest;

use crate::common::{refused, Till};

#[rstest]
#[case::empty_name(&["member", "add", "--name", ""], "empty_field")]
#[case::blank_name(&["member", "add", "--name", "   "], "empty_field")]
#[case::five_hundred_character_name(&["member", "add", "--name", &"Ő".repeat(500)], "too_long")]
#[case::zero_width_name(&["member", "add", "--name", "\u{200B}\u{200B}"], "empty_field")]
#[case::terminal_escape_in_name(&["member", "add", "--name", "Ana\x1b[31m"], "invalid_characters")]
#[case::bad_email(&["member", "add", "--name", "Ana", "--email", "ana-at-example"], "invalid_email")]
#[case::email_with_two_dots(&["member", "add", "--name", "Ana", "--email", "a@b..c"], "invalid_email")]
#[case::thousand_digit_phone(&["member", "add", "--name", "Ana", "--phone", &"0".repeat(1006)], "too_long")]
#[case::bad_language(&["member", "add", "--name", "Ana", "--language", "xx"], "invalid_language")]
#[case::the_name_of_a_member(&["member", "add", "--name", "claire dubois"], "likely_duplicate")]
fn member_add_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}

#[test]
fn a_likely_duplicate_names_the_member_and_is_enrolled_when_allowed() {
    let till = Till::new();
    let claire = till.with_shop();
    let run = till.run(&["member", "add", "--name", "Claire Dubois"]);
    assert_eq!(run.error_code(), "likely_duplicate");
    let args = &run.json["error"]["args"];
    assert_eq!(args["name"], "Claire Dubois");
    assert_eq!(args["code"], claire.as_str());
    let second = till.ok(&[
        "member",
        "add",
        "--name",
        "Claire Dubois",
        "--allow-duplicate",
    ]);
    assert_ne!(second["code"], claire.as_str());
    assert_eq!(
        till.ok(&["member", "find", "Claire"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn finding_nobody_is_an_empty_list_not_an_error() {
    let till = Till::new();
    till.with_shop();
    assert_eq!(
        till.ok(&["member", "find", "Zoltán"]),
        serde_json::json!([])
    );
}
