//! `tessera history`: newest first, who did each, what was voided (the story checks a long
//! one).

use rstest::rstest;

use crate::common::{refused, Till};

#[rstest]
#[case::a_name(&["history", "Claire"], "not_a_code")]
#[case::mistyped_code(&["history", "{typo}"], "mistyped_code")]
#[case::another_shops_code(&["history", "{unknown}"], "unknown_code")]
fn history_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}

#[test]
fn the_limit_keeps_the_newest() {
    let till = Till::new();
    let code = till.with_shop();
    till.ok(&["punch", &code, "--count", "2"]);
    let history = till.ok(&["history", &code, "--limit", "1"]);
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["kind"], "punch");
    assert_eq!(history[0]["amount"], 2);
    assert_eq!(history[0]["voided"], false);
}
