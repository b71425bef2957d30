//! Punch, redeem and void answer in one shape, the app's `ActionResult`: a script reads
//! `event.id`, `card` and `rewards_earned_now` the same way whichever it ran.

use serde_json::Value;

use crate::common::Till;

fn keys(answer: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = answer
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {answer}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

#[test]
fn punch_redeem_and_void_answer_in_the_same_shape() {
    let till = Till::new();
    let code = till.with_shop();
    let punch = till.ok(&["punch", &code, "--count", "9"]);
    let redeem = till.ok(&["redeem", &code]);
    let redeem_id = redeem["event"]["id"].as_str().unwrap().to_string();
    let void = till.ok(&["void", &redeem_id, "--reason", "wrong-member"]);

    for (what, answer, kind) in [
        ("punch", &punch, "punch"),
        ("redeem", &redeem, "redeem"),
        ("void", &void, "void"),
    ] {
        assert_eq!(
            keys(answer),
            ["card", "event", "rewards_earned_now"],
            "{what}: {answer}"
        );
        assert_eq!(answer["event"]["kind"], kind, "{what}");
        assert!(
            answer["event"]["id"].is_string(),
            "{what}: one event, not a list"
        );
        assert_eq!(keys(&answer["card"]), keys(&punch["card"]), "{what}'s card");
        assert_eq!(
            keys(&answer["event"]),
            keys(&punch["event"]),
            "{what}'s event"
        );
    }
    assert_eq!(punch["rewards_earned_now"], 1);
    assert_eq!(void["card"]["rewards_available"], 1, "the reward is back");
}
