//! `tessera complaint`: the story of a complaint made right, through the real binary. A
//! cashier logs it for a member, gives the coupon the shop's rule proposes, the member uses it;
//! at their next visit the till asks whether it was put right; the report counts it.

use rstest::rstest;

use crate::common::{add_cashier, block_on, refused, Till};

#[rstest]
#[case::no_such_complaint(&["complaint", "resolve", "01a20ef0-0000-7000-8000-000000000000", "--note", "x"], "complaint_not_found")]
#[case::no_words(&["complaint", "add", "--category", "quality", "--severity", "low", "--note", " "], "empty_field")]
#[case::nothing_to_ask(&["complaint", "follow-up", "{code}", "--answer", "yes"], "no_follow_up")]
#[case::a_percentage_over_100(&["complaint", "rule", "--category", "wait", "--kind", "percent-off", "--value", "150"], "invalid_number")]
#[case::a_coupon_good_for_no_day(&["complaint", "rule", "--category", "wait", "--kind", "free-item", "--days", "0"], "invalid_number")]
fn complaint_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}

/// Moves a complaint's logging to yesterday: the member's next visit is today. (The till asks
/// at a later day's visit; a test cannot wait for tomorrow.)
fn logged_yesterday(till: &Till, id: &str) {
    let db = till.db.clone();
    let id: uuid::Uuid = id.parse().unwrap();
    block_on(async move {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query(
            "UPDATE complaint SET logged_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day')
             WHERE id = ?",
        )
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    });
}

#[test]
fn a_complaint_is_compensated_its_coupon_used_and_the_member_asked_at_the_next_visit() {
    let till = Till::new();
    let claire = till.with_shop();
    add_cashier(&till);
    let as_sam = [("TESSERA_STAFF", "Sam"), ("TESSERA_PIN", "0000")];

    // Sam, a cashier, logs it in a few words; the rule for quality proposes a free item.
    let logged = till.run_with_env(
        &[
            "complaint",
            "add",
            "--member",
            &claire,
            "--category",
            "quality",
            "--severity",
            "medium",
            "--note",
            "Stale croissant",
        ],
        &as_sam,
    );
    assert!(logged.ok, "{}", logged.json);
    let id = logged.json["id"].as_str().unwrap().to_string();
    assert_eq!(logged.json["complaint"]["owner_name"], "Sam");
    assert_eq!(logged.json["complaint"]["member_name"], "Claire Dubois");
    let proposed = &logged.json["proposed_coupon"];
    assert_eq!(proposed["kind"], "free_item");
    assert!(proposed["text"].as_str().unwrap().len() > 3, "{proposed}");
    // Still at the counter: nothing to ask yet.
    assert!(till.ok(&["complaint", "follow-up", &claire]).is_null());

    // Sam gives it on the spot (any staff member may give the rule's coupon, once).
    let coupon = till.run_with_env(&["complaint", "compensate", &id], &as_sam);
    assert!(coupon.ok, "{}", coupon.json);
    assert_eq!(coupon.json["member_name"], "Claire Dubois");
    let again = till.run_with_env(&["complaint", "compensate", &id], &as_sam);
    assert_eq!(again.error_code(), "complaint_compensated");
    let token = coupon.json["token"].as_str().unwrap();
    let used = till.run_with_env(&["coupon", "redeem", token], &as_sam);
    assert!(used.ok, "{}", used.json);

    // Sam owns it and puts it right.
    let resolved = till.run_with_env(
        &[
            "complaint",
            "resolve",
            &id,
            "--note",
            "New supplier from Monday",
        ],
        &as_sam,
    );
    assert!(resolved.ok, "{}", resolved.json);
    assert!(resolved.json["resolved_at"].is_string());
    assert_eq!(
        till.run_with_env(&["complaint", "resolve", &id, "--note", "again"], &as_sam)
            .error_code(),
        "complaint_resolved"
    );
    assert!(till
        .ok(&["complaint", "list"])
        .as_array()
        .unwrap()
        .is_empty());

    // Claire's next visit: the till asks, and keeps her answer once.
    logged_yesterday(&till, &id);
    let due = till.ok(&["complaint", "follow-up", &claire]);
    assert_eq!(due["id"], id.as_str());
    let answered = till.run_with_env(
        &["complaint", "follow-up", &claire, "--answer", "yes"],
        &as_sam,
    );
    assert!(answered.ok, "{}", answered.json);
    assert_eq!(answered.json["follow_up"], "yes");
    assert!(till.ok(&["complaint", "follow-up", &claire]).is_null());

    let report = till.ok(&["report", "complaints"]);
    assert_eq!(report["logged"], 1);
    assert_eq!(report["resolved"], 1);
    assert_eq!(report["open"], 0);
    assert_eq!(report["put_right"], 1);
    assert!(report["median_hours_to_resolve"].as_f64().unwrap() >= 0.0);
}

#[test]
fn a_price_complaint_proposes_no_coupon_and_only_its_owner_or_a_manager_resolves_it() {
    let till = Till::new();
    till.with_shop();
    add_cashier(&till);
    let as_sam = [("TESSERA_STAFF", "Sam"), ("TESSERA_PIN", "0000")];
    let logged = till.ok(&[
        "complaint",
        "add",
        "--category",
        "price",
        "--severity",
        "high",
        "--note",
        "Charged twice",
    ]);
    assert!(logged["proposed_coupon"].is_null());
    assert!(logged["complaint"]["member_id"].is_null(), "anonymous");
    let id = logged["id"].as_str().unwrap();
    assert_eq!(
        till.run(&["complaint", "compensate", id]).error_code(),
        "no_compensation"
    );
    // Ana (a manager) logged it: Sam may not close it, Ana may.
    assert_eq!(
        till.run_with_env(&["complaint", "resolve", id, "--note", "refunded"], &as_sam)
            .error_code(),
        "manager_only"
    );
    till.ok(&["complaint", "resolve", id, "--note", "Refunded at the till"]);
    // A cashier does not read reports.
    assert_eq!(
        till.run_with_env(&["report", "complaints"], &as_sam)
            .error_code(),
        "manager_only"
    );
}

#[test]
fn erasing_the_member_blanks_the_words_of_their_complaints_and_keeps_the_facts() {
    let till = Till::new();
    let claire = till.with_shop();
    let logged = till.ok(&[
        "complaint",
        "add",
        "--member",
        &claire,
        "--category",
        "service",
        "--severity",
        "low",
        "--note",
        "Claire upset about the remark on her divorce",
    ]);
    let id = logged["id"].as_str().unwrap();
    till.ok(&["complaint", "resolve", id, "--note", "Apologised to Claire"]);
    till.ok(&["member", "erase", &claire]);
    let all = till.ok(&["complaint", "list", "--all"]);
    assert_eq!(all[0]["note"], "", "{all}");
    assert!(all[0]["resolution"].is_null(), "{all}");
    assert_eq!(all[0]["category"], "service");
    assert!(all[0]["resolved_at"].is_string(), "the facts stay");
    assert_eq!(till.ok(&["report", "complaints"])["resolved"], 1);
}

/// A manager's own rule: a price complaint proposes 2,50 off for 14 days in their words; the
/// wait's rule taken away proposes nothing; a cashier may not change them.
#[test]
fn a_manager_sets_what_each_kind_of_complaint_proposes() {
    let till = Till::new();
    till.with_shop();
    add_cashier(&till);
    let rules = till.ok(&["complaint", "rules"]);
    assert_eq!(rules.as_array().unwrap().len(), 3, "{rules}");
    let as_sam = [("TESSERA_STAFF", "Sam"), ("TESSERA_PIN", "0000")];
    let price = [
        "complaint",
        "rule",
        "--category",
        "price",
        "--kind",
        "amount-off",
        "--value",
        "2,50",
        "--days",
        "14",
        "--text",
        "Sorry about the bill",
    ];
    assert_eq!(
        till.run_with_env(&price, &as_sam).error_code(),
        "manager_only"
    );
    till.ok(&price);
    let rules = till.ok(&["complaint", "rule", "--category", "wait", "--none"]);
    let categories: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["category"].as_str().unwrap())
        .collect();
    assert_eq!(categories, ["quality", "service", "price"]);

    let add = |category: &str| {
        till.ok(&[
            "complaint",
            "add",
            "--category",
            category,
            "--severity",
            "low",
            "--note",
            "Noted",
        ])["proposed_coupon"]
            .clone()
    };
    let proposed = add("price");
    assert_eq!(proposed["kind"], "amount_off");
    assert_eq!(proposed["value"], 250);
    assert_eq!(proposed["text"], "Sorry about the bill");
    assert!(add("wait").is_null());
}
