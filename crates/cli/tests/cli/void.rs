//! `tessera void`: a compensating event, a manager's (a cashier's refusal is in `sign_in`).

use rstest::rstest;

use crate::common::{refused, Till};

#[rstest]
#[case::unknown_event(&["void", "01a2094c-d7a8-76a4-b636-368f7e6edc29", "--reason", "x"], "event_not_found")]
#[case::garbage_id(&["void", "yesterday", "--reason", "x"], "event_not_found")]
#[case::reason_with_an_escape(&["void", "01a2094c-d7a8-76a4-b636-368f7e6edc29", "--reason", "oops\x1b[2J"], "invalid_characters")]
#[case::reason_too_long(&["void", "01a2094c-d7a8-76a4-b636-368f7e6edc29", "--reason", &"x".repeat(201)], "too_long")]
fn void_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}

#[test]
fn an_event_is_voided_once_and_a_void_or_an_enrolment_never() {
    let till = Till::new();
    let code = till.with_shop();
    let punch = till.ok(&["punch", &code]);
    let punch_id = punch["event"]["id"].as_str().unwrap();
    let void = till.ok(&["void", punch_id, "--reason", "scanned-twice"]);
    assert_eq!(void["event"]["voids"], punch_id);
    assert_eq!(void["event"]["reason_code"], "scanned_twice");
    assert_eq!(void["card"]["punches"], 0);

    let before = till.footprint();
    let again = till.run(&["void", punch_id, "--reason", "scanned-twice"]);
    assert_eq!(again.error_code(), "already_voided");
    let void_id = void["event"]["id"].as_str().unwrap();
    let of_the_void = till.run(&["void", void_id, "--reason", "oops"]);
    assert_eq!(of_the_void.error_code(), "not_voidable");
    let history = till.ok(&["history", &code]);
    let enrolment = history.as_array().unwrap().last().unwrap();
    assert_eq!(enrolment["kind"], "enroll");
    let enrolment_id = enrolment["id"].as_str().unwrap();
    let of_the_enrolment = till.run(&["void", enrolment_id, "--reason", "oops"]);
    assert_eq!(of_the_enrolment.error_code(), "not_voidable");
    assert_eq!(till.footprint(), before, "a refused void wrote something");
}
