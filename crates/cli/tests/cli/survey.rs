//! `tessera survey` and `tessera we-did`: every refusal has its stable code and writes nothing
//! (the member never asked about the panel is not asked; a forged or unknown link is not the
//! shop's; an answer out of range names its question). The page in a browser is
//! `tests/e2e/tests/survey_page.rs`.

use rstest::rstest;

use crate::common::refused;

const FORGED: &str = "TF1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

#[rstest]
#[case::not_on_the_panel(&["survey", "ask", "--member", "{code}"], "not_on_panel")]
#[case::a_bad_link_base(&["survey", "ask", "--link-base", "till.local"], "invalid_link_base")]
#[case::a_forged_link(&["survey", "answer", FORGED, "--nps", "9"], "survey_link_invalid")]
#[case::not_a_topic(&["survey", "answer", FORGED, "--nps", "9", "--topic", "coffee"], "invalid_survey_answer")]
#[case::no_words(&["we-did", "add", "  "], "empty_field")]
#[case::no_such_entry(&["we-did", "withdraw", "01a20ef0-0000-7000-8000-000000000000"], "we_did_not_found")]
#[case::an_interval_out_of_range(&["shop", "set", "--survey-interval-days", "0"], "invalid_survey_interval")]
fn survey_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}
