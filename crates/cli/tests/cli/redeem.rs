//! `tessera redeem`.

use rstest::rstest;

use crate::common::{refused, Till};

#[rstest]
#[case::nothing_to_redeem(&["redeem", "{code}"], "nothing_to_redeem")]
#[case::unknown_program_name(&["redeem", "{code}", "--program", "Tea card"], "program_not_found")]
#[case::mistyped_code(&["redeem", "{typo}"], "mistyped_code")]
#[case::another_shops_code(&["redeem", "{unknown}"], "unknown_code")]
fn redeem_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}

#[test]
fn a_reward_is_redeemed_once() {
    let till = Till::new();
    let code = till.with_shop();
    till.ok(&["punch", &code, "--count", "9"]);
    let redeem = till.ok(&["redeem", &code]);
    assert_eq!(redeem["event"]["kind"], "redeem");
    assert_eq!(redeem["card"]["rewards_available"], 0);
    assert_eq!(redeem["rewards_earned_now"], 0);
    assert_eq!(
        till.run(&["redeem", &code]).error_code(),
        "nothing_to_redeem"
    );
}
