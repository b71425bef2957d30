//! `tessera survey` and `tessera we-did`: every refusal has its stable code and writes nothing
//! (the member never asked about the panel is not asked; a forged or unknown link is not the
//! shop's; an answer out of range names its question); a slip's QR opens the survey. The page
//! in a browser is `tests/e2e/tests/survey_page.rs`.

use rstest::rstest;

use crate::campaign_mail::page_server;
use crate::cards::{qr_codes, render, run};
use crate::common::{block_on, refused, Till};

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

/// A slip for a receipt, on 80 mm paper: its QR (decoded from the rendered PDF) is the link to
/// a new survey on the till's pages, which a phone's browser opens in the member's language;
/// the words under it say how, and until when.
#[test]
fn a_survey_slip_s_qr_opens_the_survey_on_the_till_s_pages() {
    let till = Till::new();
    let claire = till.with_shop();
    till.ok(&["member", "edit", &claire, "--language", "fr"]);
    till.ok(&["member", "consent", &claire, "--panel", "yes"]);
    let (pages, _serve) = page_server(&till.db);
    let pdf = till.dir.path().join("slip.pdf");
    let slip = till.ok(&[
        "survey",
        "slip",
        "--member",
        &claire,
        "--link-base",
        &pages,
        "--format",
        "strip-80",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    let link = slip["survey"]["link"].as_str().unwrap().to_string();
    let png = render(&pdf, 1, None, &till.dir.path().join("slip"));
    assert_eq!(qr_codes(&png), std::slice::from_ref(&link));
    let text = run("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("Donnez-nous votre avis"), "{text}");
    assert!(text.contains("Lien valable jusqu"), "{text}");
    // Asked: she is left alone now, and the link opens her survey.
    assert_eq!(till.ok(&["survey", "due", &claire])["due"], false);
    let page = block_on(async { reqwest::get(&link).await.unwrap().text().await.unwrap() });
    assert!(page.contains("lang=\"fr\""), "{page}");
    assert!(page.contains("Recommanderiez-vous"), "{page}");
}
