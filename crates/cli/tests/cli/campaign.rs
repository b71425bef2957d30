//! `tessera campaign export` through the real binary: the panel's consented members, each with
//! a coupon of their own, in a CSV for the shop's mail tool; `member consent --panel` and
//! `member edit --birthday` as a script uses them.

use rstest::rstest;

use crate::common::{refused, Till};

#[rstest]
#[case::no_such_segment(&["campaign", "export", "--segment", "everyone", "--channel", "email", "--out", "x.csv"], "invalid_segment")]
#[case::no_such_channel(&["campaign", "export", "--segment", "panel", "--channel", "fax", "--out", "x.csv"], "invalid_channel")]
#[case::bad_link_base(&["campaign", "export", "--segment", "panel", "--channel", "email", "--out", "x.csv", "--link-base", "pekseg.example"], "invalid_link_base")]
#[case::bad_birthday(&["member", "edit", "{code}", "--birthday", "31.02."], "invalid_birthday")]
fn campaign_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}

#[test]
fn the_panel_s_consented_members_are_exported_with_a_coupon_each() {
    let till = Till::new();
    let claire = till.with_shop();
    let enrol = |name: &str, email: &str| {
        let added = till.ok(&["member", "add", "--name", name, "--email", email]);
        added["code"].as_str().unwrap().to_string()
    };
    let marc = enrol("Marc Petit", "marc@example.fr");
    let lea = enrol("Léa Martin", "lea@example.fr");
    till.ok(&["member", "edit", &claire, "--email", "claire@example.fr"]);
    // Claire: on the panel, yes to emails. Marc: on the panel, no to emails. Léa: emails only.
    let shown = till.ok(&[
        "member", "consent", &claire, "--panel", "yes", "--email", "yes",
    ]);
    assert_eq!(shown["consent"]["panel"]["granted"], true);
    assert_eq!(shown["consent"]["panel"]["source"], "cli");
    till.ok(&[
        "member", "consent", &marc, "--panel", "yes", "--email", "no",
    ]);
    till.ok(&["member", "consent", &lea, "--email", "yes"]);
    let shown = till.ok(&["member", "edit", &claire, "--birthday", "14.07."]);
    assert_eq!(shown["birthday"], "07-14");

    let out = till.db.with_file_name("panel.csv");
    let done = till.ok(&[
        "campaign",
        "export",
        "--segment",
        "panel",
        "--channel",
        "email",
        "--out",
        out.to_str().unwrap(),
        "--coupon-kind",
        "amount-off",
        "--coupon-value",
        "2",
        "--coupon-text",
        "Merci !",
    ]);
    assert_eq!(done["in_segment"], 2, "{done}");
    assert_eq!(done["without_consent"], 1);
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[0].starts_with("code,name,email,language,coupon_offer"),
        "{csv}"
    );
    assert!(
        lines[1].contains("Claire Dubois,claire@example.fr,en,"),
        "{csv}"
    );
    // Her coupon is hers: `tessera scan` of its token names her.
    let token = lines[1].split(',').nth(7).unwrap();
    let scanned = till.ok(&["scan", token]);
    assert_eq!(
        scanned["coupon"]["member_name"], "Claire Dubois",
        "{scanned}"
    );
    assert_eq!(scanned["coupon"]["value"], 200);
}
