//! `tessera coupon`: issued, shown and scanned, used once, withdrawn; its voucher printed on
//! each paper, rendered at 300 dpi, its QR decoded with zbarimg and scanned back, its words in
//! the member's language.

use rstest::rstest;

use crate::cards::{qr_codes, render, run};
use crate::common::{add_cashier, refused, Till};

#[rstest]
#[case::a_card_is_not_a_coupon(&["coupon", "redeem", "{code}"], "not_a_coupon")]
#[case::more_than_all(&["coupon", "issue", "--kind", "percent-off", "--value", "101", "--text", "x"], "invalid_number")]
#[case::a_last_day_gone(&["coupon", "issue", "--kind", "free-item", "--text", "x", "--expires", "2020-01-01"], "expiry_past")]
#[case::not_a_date(&["coupon", "issue", "--kind", "free-item", "--text", "x", "--expires", "soon"], "invalid_date")]
#[case::no_words(&["coupon", "issue", "--kind", "free-item", "--text", " "], "empty_field")]
#[case::no_such_coupon(&["coupon", "show", "01a20ef0-0000-7000-8000-000000000000"], "coupon_not_found")]
#[case::a_forged_one(&["coupon", "redeem", "TC1AB000000000000000000000000000000F0001000000000000000000000000000000000000000000000"], "unknown_coupon_key")]
fn coupon_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}

#[test]
fn a_coupon_is_issued_scanned_used_once_and_a_withdrawn_one_is_refused() {
    let till = Till::new();
    let claire = till.with_shop();
    let coupon = till.ok(&[
        "coupon",
        "issue",
        "--kind",
        "amount-off",
        "--value",
        "2,50",
        "--text",
        "Sorry for the wait",
        "--member",
        &claire,
    ]);
    assert_eq!(coupon["value"], 250, "cents");
    assert_eq!(coupon["member_name"], "Claire Dubois");
    assert_eq!(coupon["state"], "open");
    assert!(coupon["expires_on"].is_string(), "90 days by default");
    let token = coupon["token"].as_str().unwrap();
    let id = coupon["id"].as_str().unwrap();

    // `tessera scan` reads it as the counter does, and says it is a coupon.
    let scanned = till.ok(&["scan", &token.to_lowercase()]);
    assert_eq!(scanned["coupon"]["id"], id);
    // A member's card scanned still answers the member.
    assert_eq!(
        till.ok(&["scan", &claire])["member"]["name"],
        "Claire Dubois"
    );

    add_cashier(&till);
    let as_sam = [("TESSERA_STAFF", "Sam"), ("TESSERA_PIN", "0000")];
    let used = till.run_with_env(&["coupon", "redeem", token], &as_sam);
    assert!(used.ok, "{}", used.json);
    assert_eq!(used.json["event"]["kind"], "coupon_redeem");
    assert_eq!(used.json["coupon"]["state"], "used");
    let again = till.run_with_env(&["coupon", "redeem", token], &as_sam);
    assert_eq!(again.error_code(), "coupon_used");
    // A cashier takes coupons but does not issue them.
    let issued = till.run_with_env(
        &[
            "coupon",
            "issue",
            "--kind",
            "free-item",
            "--text",
            "A coffee",
        ],
        &as_sam,
    );
    assert_eq!(issued.error_code(), "manager_only");

    let lost = till.ok(&[
        "coupon",
        "issue",
        "--kind",
        "free-item",
        "--text",
        "A coffee",
    ]);
    let withdrawn = till.ok(&["coupon", "withdraw", lost["id"].as_str().unwrap()]);
    assert_eq!(withdrawn["state"], "withdrawn");
    let refused = till.run_with_env(
        &["coupon", "redeem", lost["token"].as_str().unwrap()],
        &as_sam,
    );
    assert_eq!(refused.error_code(), "coupon_withdrawn");
    assert_eq!(till.ok(&["doctor"])["ok"], true);
}

#[rstest]
#[case::a6("a6", 105.0)]
#[case::a_58_mm_strip("strip-58", 58.0)]
#[case::an_80_mm_strip("strip-80", 80.0)]
fn a_voucher_prints_its_qr_and_its_words_in_the_members_language(
    #[case] format: &str,
    #[case] width_mm: f32,
) {
    let till = Till::new();
    till.with_shop();
    let anna = till.ok(&["member", "add", "--name", "Molnár Anna", "--language", "hu"]);
    let coupon = till.ok(&[
        "coupon",
        "issue",
        "--kind",
        "percent-off",
        "--value",
        "10",
        "--text",
        "Köszönjük!",
        "--member",
        anna["code"].as_str().unwrap(),
        "--expires",
        "2099-12-31",
        "--only-here",
    ]);
    let pdf = till.dir.path().join(format!("voucher-{format}.pdf"));
    let written = till.ok(&[
        "coupon",
        "pdf",
        coupon["id"].as_str().unwrap(),
        "--format",
        format,
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(written["file"], pdf.to_str().unwrap());

    let info = run("pdfinfo", &[pdf.to_str().unwrap()]);
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .unwrap();
    let width_pt: f32 = size.split_whitespace().next().unwrap().parse().unwrap();
    assert!(
        (width_pt - width_mm * 72.0 / 25.4).abs() < 1.0,
        "{format}: {size}"
    );

    let png = render(
        &pdf,
        1,
        None,
        &till.dir.path().join(format!("voucher-{format}")),
    );
    let codes = qr_codes(&png);
    assert_eq!(codes, [coupon["token"].as_str().unwrap()], "{format}");
    let scanned = till.ok(&["scan", &codes[0]]);
    assert_eq!(scanned["coupon"]["id"], coupon["id"]);

    let text = run("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    for words in [
        "Köszönjük!",
        "10% kedvezmény",
        "Neki: Molnár Anna",
        "Érvényes eddig: 2099. 12. 31.",
        "Csak abban az üzletben érvényes",
        "Egyszer váltható be.",
    ] {
        assert!(text.contains(words), "{format}: no {words:?} in {text}");
    }
}
