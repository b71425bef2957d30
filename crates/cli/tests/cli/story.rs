//! The whole cashier loop through the real `tessera` binary, as a script or support would run it.

use crate::common::Till;
use serde_json::Value;

fn card(scan: &Value) -> (i64, i64, i64) {
    let card = &scan["cards"][0];
    (
        card["punches"].as_i64().unwrap(),
        card["punches_needed"].as_i64().unwrap(),
        card["rewards_available"].as_i64().unwrap(),
    )
}

#[test]
fn the_whole_loop_enroll_scan_punch_reward_redeem_undo_history_doctor() {
    let till = Till::new();
    let init = till.ok(&[
        "init",
        "--shop",
        "Café Lumière",
        "--manager",
        "Ana",
        "--pin",
        "1234",
        "--language",
        "fr",
        "--currency",
        "EUR",
    ]);
    assert_eq!(init["shop"]["language"], "fr");
    assert_eq!(init["manager"]["role"], "manager");

    let program = till.ok(&[
        "program",
        "add",
        "--name",
        "Coffee card",
        "--punches",
        "9",
        "--reward",
        "Free coffee",
    ]);
    let program_id = program["id"].as_str().unwrap().to_string();
    let programs = till.ok(&["program", "list"]);
    assert_eq!(programs[0]["id"], program_id.as_str());

    let member = till.ok(&[
        "member",
        "add",
        "--name",
        "Claire Dubois",
        "--email",
        "Claire@Example.fr",
        "--phone",
        "06 12 34 56 78",
        "--language",
        "fr",
    ]);
    let code = member["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 9);
    assert_eq!(member["email"], "claire@example.fr");

    let found = till.ok(&["member", "find", "dubo"]);
    assert_eq!(found[0]["code"], code.as_str());

    // A code typed as printed, grouped and in lower case, is the same member.
    let grouped = format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..]).to_lowercase();
    let scan = till.ok(&["scan", &grouped]);
    assert_eq!(scan["member"]["name"], "Claire Dubois");
    assert_eq!(card(&scan), (0, 9, 0));
    assert_eq!(scan["cards"][0]["program_id"], program_id.as_str());

    for i in 1..=8 {
        let punch = till.ok(&["punch", &code]);
        assert_eq!(punch["event"]["kind"], "punch");
        assert_eq!(punch["card"]["punches"], i);
    }
    let ninth = till.ok(&["punch", &code, "--program", &program_id]);
    assert_eq!(ninth["card"]["rewards_available"], 1);
    assert_eq!(ninth["rewards_earned_now"], 1);
    assert_eq!(card(&till.ok(&["scan", &code])), (0, 9, 1));

    let redeem = till.ok(&["redeem", &code]);
    assert_eq!(redeem["event"]["kind"], "redeem");
    assert_eq!(redeem["card"]["rewards_available"], 0);
    assert_eq!(
        till.run(&["redeem", &code]).error_code(),
        "nothing_to_redeem"
    );

    let redemption_id = redeem["event"]["id"].as_str().unwrap();
    let void = till.ok(&["void", redemption_id, "--reason", "wrong member"]);
    assert_eq!(void["event"]["kind"], "void");
    assert_eq!(void["event"]["voids"], redemption_id);
    assert_eq!(card(&till.ok(&["scan", &code])), (0, 9, 1));

    let punch_three = till.ok(&["punch", &code, "--count", "3"]);
    assert_eq!(punch_three["card"]["punches"], 3);

    let history = till.ok(&["history", &code]);
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.len(),
        13,
        "enroll + 9 punches + redeem + void + punch"
    );
    assert_eq!(&kinds[..3], ["punch", "void", "redeem"], "newest first");
    assert_eq!(kinds.last(), Some(&"enroll"));
    let redeemed = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "redeem")
        .unwrap();
    assert_eq!(redeemed["voided"], true);
    assert_eq!(redeemed["staff_name"], "Ana");

    let doctor = till.ok(&["doctor"]);
    assert_eq!(doctor["ok"], true);
    let rebuild = till.ok(&["doctor", "--rebuild"]);
    assert_eq!(rebuild["differences"].as_array().unwrap().len(), 0);
}
