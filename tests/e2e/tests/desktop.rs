//! The cashier's day on the real desktop app: first run, enrolment, a scan from anywhere, nine
//! punches to a reward, redeem, undo, refusals, search, and every language. Each scenario runs
//! the real binary on a fresh database; after each step the screen is checked against what
//! `tessera scan --json` reads from the same file.

use serde_json::Value;
use tessera_core::codes::member_code::MemberCode;
use tessera_core::i18n::{ftl_source, message_ids, Messages};
use tessera_e2e::{Session, Start, ENTER, MANAGER, PROGRAM, REWARD};

/// An English message as the app shows it (for comparing refusals on screen).
fn english(key: &str) -> String {
    Messages::new("en").format(key, &Default::default())
}

fn enroll_by_cli(session: &Session, name: &str) -> String {
    session.enroll(name)
}

fn ledger_card(session: &Session, code: &str) -> (i64, i64) {
    session.ledger_card(code)
}

/// (stamps, rewards) of the first card, as the screen holds them. A card that the last punch
/// filled is drawn full for the celebration (see `the_punch_that_fills_the_card_shows_it_full`);
/// `data-punches` is what it holds once that moment is over.
async fn screen_card(session: &Session) -> Option<(i64, i64)> {
    let card = session.all("card").await.into_iter().next()?;
    let punches = card.attr("data-punches").await.ok()??.parse().ok()?;
    let rewards = card
        .find(fantoccini::Locator::Css(&Session::selector("card-rewards")))
        .await
        .ok()?
        .attr("data-count")
        .await
        .ok()??
        .parse()
        .ok()?;
    Some((punches, rewards))
}

/// Waits until the screen shows `expected` for the first card, and checks the ledger agrees.
async fn screen_and_ledger_agree(session: &Session, code: &str, expected: (i64, i64)) {
    session
        .eventually(&format!("the card to show {expected:?}"), async |s| {
            (screen_card(s).await == Some(expected)).then_some(())
        })
        .await;
    assert_eq!(
        ledger_card(session, code),
        expected,
        "the ledger disagrees with the screen"
    );
}

#[tokio::test]
async fn first_run_sets_up_the_shop_and_opens_the_till() {
    let mut s = Session::launch("first-run", Start::FirstRun).await;
    s.el("first-run-screen").await;
    s.shot("welcome").await;

    s.fill("setup-shop-name", "Café Lumière").await;
    s.select("setup-language", "en").await;
    s.click("setup-next").await;
    s.fill("setup-manager-name", "Ana").await;
    s.fill("setup-pin", "2468").await;
    s.fill("setup-pin-again", "2468").await;
    s.shot("manager").await;
    s.click("setup-next").await;
    let program_field = s.el("setup-program-name").await;
    assert_eq!(
        program_field.prop("value").await.unwrap().as_deref(),
        Some("Coffee card"),
        "the first program is pre-filled"
    );
    s.shot("program").await;
    s.click("setup-finish").await;

    s.el("cashier-screen").await;
    assert_eq!(s.text("signed-in").await, "Ana");
    s.shot("till").await;

    let programs = s.cli(&["program", "list"]);
    assert_eq!(programs[0]["name"], "Coffee card");
    assert_eq!(programs[0]["punches_needed"], 9);
    s.finish().await;
}

#[tokio::test]
async fn the_code_shown_at_enrolment_is_the_one_stored() {
    let mut s = Session::launch("enrol", Start::Shop).await;
    s.click("new-member-button").await;
    s.fill("enroll-name", "Ștefan Ionescu").await;
    s.fill("enroll-email", "stefan@example.ro").await;
    s.select("enroll-language", "ro").await;
    s.shot("form").await;
    s.click("enroll-submit").await;
    let shown = s.text("enroll-code").await;
    s.shot("enrolled").await;

    let found = s.cli(&["member", "find", "Ștefan"]);
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert_eq!(found[0]["code"].as_str().unwrap(), shown.replace('-', ""));
    assert_eq!(found[0]["language"], "ro");
    assert_eq!(found[0]["email"], "stefan@example.ro");

    // And the member opens from there.
    s.click("enroll-open").await;
    assert_eq!(s.text("member-name").await, "Ștefan Ionescu");
    s.finish().await;
}

#[tokio::test]
async fn a_scan_with_no_field_focused_loads_the_member() {
    let mut s = Session::launch("scan", Start::Shop).await;
    let code = enroll_by_cli(&s, "Claire Dubois");
    s.scan(&code).await;
    assert_eq!(s.text("member-name").await, "Claire Dubois");
    let shown = s.text("member-code").await.replace('-', "");
    assert_eq!(shown, code);
    let search = s.el("search-input").await;
    assert_eq!(
        search.prop("value").await.unwrap().as_deref(),
        Some(""),
        "the scanned characters do not stay in the search field"
    );
    s.shot("member").await;
    s.finish().await;
}

#[tokio::test]
async fn nine_punches_earn_the_reward_then_redeem_and_undo() {
    let mut s = Session::launch("punch", Start::Shop).await;
    let code = enroll_by_cli(&s, "Claire Dubois");
    s.scan(&code).await;
    screen_and_ledger_agree(&s, &code, (0, 0)).await;

    for punches in 1..=8 {
        s.keys(&ENTER.to_string()).await;
        screen_and_ledger_agree(&s, &code, (punches, 0)).await;
    }
    s.click("punch-button").await;
    screen_and_ledger_agree(&s, &code, (0, 1)).await;
    assert_eq!(
        s.attr("feedback", "data-kind").await.as_deref(),
        Some("reward")
    );
    assert!(s.text("feedback").await.contains(REWARD));
    // The full card is shown, not a card that jumped back to nothing.
    assert_eq!(s.attr("card", "data-full").await.as_deref(), Some("true"));
    assert_eq!(s.text("card-stamps").await, "9 / 9");
    assert_eq!(
        s.attr("redeem-button", "data-ready").await.as_deref(),
        Some("true"),
        "Redeem is the highlighted action when a reward is ready"
    );
    s.shot("reward").await;

    // R asks first, naming the reward and the member; Enter confirms.
    s.keys("r").await;
    let asked = s.text("redeem-what").await;
    assert!(
        asked.contains(REWARD) && asked.contains("Claire Dubois"),
        "{asked}"
    );
    assert_eq!(
        ledger_card(&s, &code),
        (0, 1),
        "nothing redeemed before the confirmation"
    );
    s.shot("redeem-confirm").await;
    s.keys(&ENTER.to_string()).await;
    screen_and_ledger_agree(&s, &code, (0, 0)).await;
    assert_eq!(
        s.attr("feedback", "data-kind").await.as_deref(),
        Some("success")
    );
    s.shot("redeemed").await;

    s.ctrl('z').await;
    let what = s.text("undo-what").await;
    assert!(
        what.contains(PROGRAM) && what.contains("Claire Dubois"),
        "{what}"
    );
    s.shot("undo").await;
    // No reason is chosen in advance: Enter alone undoes nothing.
    s.keys(&ENTER.to_string()).await;
    assert!(s.exists("undo-dialog").await);
    assert_eq!(ledger_card(&s, &code), (0, 0));
    s.click("undo-reason").await; // the first reason: wrong member
    screen_and_ledger_agree(&s, &code, (0, 1)).await;

    let history = s.cli(&["history", &code]);
    assert_eq!(history[0]["kind"], "void");
    assert_eq!(
        history[0]["reason_code"], "wrong_member",
        "the ledger keeps the reason's code, not translated words"
    );
    assert_eq!(history[0]["reason"], Value::Null);
    assert_eq!(history[0]["staff_name"], MANAGER);
    assert_eq!(history[1]["kind"], "redeem");
    assert_eq!(history[1]["voided"], true);
    s.shot("undone").await;
    s.finish().await;
}

#[tokio::test]
async fn unknown_and_mistyped_codes_are_refused_and_nothing_is_written() {
    let mut s = Session::launch("refusals", Start::Shop).await;
    let code = enroll_by_cli(&s, "Claire Dubois");
    let events = s.event_count().await;

    let unknown = MemberCode::generate(&mut rand::thread_rng());
    s.scan(unknown.as_str()).await;
    s.eventually("the unknown-code refusal", async |s| {
        let kind = s
            .all("feedback")
            .await
            .into_iter()
            .next()?
            .attr("data-kind")
            .await
            .ok()??;
        (kind == "refusal").then_some(())
    })
    .await;
    assert_eq!(s.text("feedback").await, english("error-unknown-code"));
    assert!(!s.exists("member-panel").await);
    s.shot("unknown").await;

    let mut typo: Vec<char> = code.chars().collect();
    typo[4] = if typo[4] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    s.scan(&typo).await;
    s.eventually("the mistyped-code refusal", async |s| {
        (s.text("feedback").await == english("error-mistyped-code")).then_some(())
    })
    .await;
    assert!(!s.exists("member-panel").await);
    s.shot("mistyped").await;

    assert_eq!(
        s.event_count().await,
        events,
        "a refused scan wrote to the ledger"
    );
    s.finish().await;
}

#[tokio::test]
async fn search_by_part_of_a_name_and_pick_the_member() {
    let mut s = Session::launch("search", Start::Shop).await;
    for name in ["Claire Dubois", "Claude Dupont", "Julien Moreau"] {
        enroll_by_cli(&s, name);
    }
    s.fill("search-input", "du").await;
    let results = s
        .eventually("two results for 'du'", async |s| {
            let results = s.all("search-result").await;
            (results.len() == 2).then_some(results)
        })
        .await;
    s.shot("results").await;
    let mut picked = false;
    for result in results {
        if result.text().await.unwrap().contains("Claude Dupont") {
            result.click().await.unwrap();
            picked = true;
            break;
        }
    }
    assert!(picked, "Claude Dupont was among the results");
    assert_eq!(s.text("member-name").await, "Claude Dupont");
    s.shot("picked").await;
    s.finish().await;
}

/// Every text of ours the screen shows (body text plus placeholders and labels).
async fn visible_texts(s: &Session) -> String {
    let script = "const parts = [document.body.innerText];
        for (const e of document.querySelectorAll('[placeholder],[aria-label],[title]'))
          for (const a of ['placeholder', 'aria-label', 'title'])
            if (e.getAttribute(a)) parts.push(e.getAttribute(a));
        return parts.join('\\n');";
    s.client
        .execute(script, vec![])
        .await
        .expect("texts")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `needle` as a whole phrase (not inside a longer word).
fn contains_phrase(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The literal words of a message around its placeables, in the plural forms a count can take:
/// `Stamped { $program }: { $punches } / { $needed }` gives `Stamped`.
fn fragments(messages: &Messages, source: &str, id: &str) -> Vec<String> {
    const SLOT: &str = "\u{E000}";
    let line_start = format!("\n{id} =");
    let body: String = source
        .split(line_start.as_str())
        .nth(1)
        .map(|rest| {
            rest.lines()
                .take_while(|l| !l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
                .collect()
        })
        .unwrap_or_default();
    let variables: Vec<String> = body
        .split('$')
        .skip(1)
        .map(|v| {
            v.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect();
    let mut found = Vec::new();
    for count in ["1", "2", "5", "20"] {
        let args = variables
            .iter()
            .map(|v| {
                let numeric = matches!(
                    v.as_str(),
                    "count" | "punches" | "needed" | "max" | "step" | "total"
                );
                (
                    v.clone(),
                    if numeric {
                        count.to_string()
                    } else {
                        SLOT.to_string()
                    },
                )
            })
            .collect();
        let text = messages.format(id, &args);
        for piece in text.split(|c: char| c == '\u{E000}' || c.is_ascii_digit()) {
            let piece = piece.trim_matches(|c: char| !c.is_alphanumeric());
            if piece.chars().filter(|c| c.is_alphabetic()).count() >= 4
                && !found.iter().any(|f| f == piece)
            {
                found.push(piece.to_string());
            }
        }
    }
    found
}

#[tokio::test]
async fn every_language_leaves_no_english_or_message_key_on_the_cashier_screen() {
    let mut s = Session::launch("languages", Start::Shop).await;
    let code = enroll_by_cli(&s, "Claire Dubois");
    s.cli(&["punch", &code, "--count", "10"]);
    s.scan(&code).await;
    s.keys(&ENTER.to_string()).await; // a punch: the feedback and "last action" lines show too
    screen_and_ledger_agree(&s, &code, (2, 1)).await;

    let english_source = ftl_source("en");
    let ids = message_ids(english_source);
    let en = Messages::new("en");
    // The menu stays open: its texts are checked too.
    s.open_menu().await;
    for language in ["fr", "it", "ro", "hu"] {
        s.switch_language(language).await;
        let texts = visible_texts(&s).await;
        let here = Messages::new(language);
        for id in &ids {
            assert!(
                !texts.contains(id.as_str()),
                "{language}: message key {id} on screen:\n{texts}"
            );
            let translated = fragments(&here, ftl_source(language), id);
            for english_text in fragments(&en, english_source, id) {
                if translated.contains(&english_text) {
                    continue; // the same word in both languages (a name, "Tessera"...)
                }
                assert!(
                    !contains_phrase(&texts, &english_text),
                    "{language}: English {english_text:?} ({id}) left on screen:\n{texts}"
                );
            }
        }
        s.shot(language).await;
    }
    s.finish().await;
}

fn token_of(s: &Session, code: &str) -> String {
    let card = s.cli(&[
        "--staff",
        MANAGER,
        "--pin",
        tessera_e2e::PIN,
        "cards",
        "show",
        code,
    ]);
    card["token"].as_str().expect("token").to_string()
}

#[tokio::test]
async fn a_card_token_scanned_as_keystrokes_loads_the_member() {
    let mut s = Session::launch("card-scan", Start::Shop).await;
    let code = enroll_by_cli(&s, "Fekete Őrs");
    let token = token_of(&s, &code);
    assert!(token.starts_with("TS1") && token.len() == 34, "{token}");
    s.scan(&token).await;
    assert_eq!(s.text("member-name").await, "Fekete Őrs");
    s.keys(&ENTER.to_string()).await;
    screen_and_ledger_agree(&s, &code, (1, 0)).await;
    s.shot("member").await;

    // A card whose QR was altered is refused, and nothing is written.
    let events = s.event_count().await;
    let forged = format!(
        "{}{}",
        &token[..33],
        if token.ends_with('0') { '1' } else { '0' }
    );
    s.scan(&forged).await;
    s.eventually("the forged-card refusal", async |s| {
        (s.text("feedback").await == english("error-forged-card")).then_some(())
    })
    .await;
    assert_eq!(s.event_count().await, events);
    s.shot("forged").await;
    s.finish().await;
}

#[tokio::test]
async fn the_scanner_test_shows_what_arrived_and_what_it_found() {
    let mut s = Session::launch("scanner-test", Start::Shop).await;
    let code = enroll_by_cli(&s, "Claire Dubois");
    let token = token_of(&s, &code);
    s.menu("manage-button").await;
    s.el("scanner-test").await;
    s.scan(&token).await;
    assert_eq!(s.text("scanner-test-arrived").await, token);
    let result = s.text("scanner-test-result").await;
    assert!(result.contains("Claire Dubois"), "{result}");
    s.shot("result").await;
    s.finish().await;
}

#[tokio::test]
async fn a_manager_prints_cards_with_a_progress_bar() {
    let (mut s, cups) = Session::launch_with_printer("print", Start::Shop).await;
    for name in ["Claire Dubois", "Ștefan Ionescu", "Szűcs Ágnes"] {
        enroll_by_cli(&s, name);
    }
    s.menu("manage-button").await;
    s.click("print-layout-a4").await;
    s.click("print-button").await;
    let path = s.text("print-path").await;
    let bar = s.el("print-progress").await;
    let filled = s
        .client
        .execute(
            "return arguments[0].value + '/' + arguments[0].max",
            vec![serde_json::to_value(&bar).unwrap()],
        )
        .await
        .unwrap();
    assert_eq!(filled, "3/3", "the progress bar ends full");
    assert!(s.text("print-done").await.contains('3'));
    s.shot("printed").await;

    let pdf = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(pdf.starts_with(b"%PDF"), "{path} is not a PDF");
    assert!(
        std::path::Path::new(&path).starts_with(s.temp_dir()),
        "printed cards land next to the test's database, not in a real Documents folder: {path}"
    );

    // Print: the PDF goes through CUPS (the system's default printer: the private queue).
    s.click("print-send").await;
    let sent = s.text("print-sent").await;
    assert!(sent.contains("Tessera-Test-"), "the job CUPS took: {sent}");
    assert_eq!(cups.next_job(), pdf, "the PDF, byte for byte");
    assert!(s.exists("print-open").await && s.exists("print-show-folder").await);
    s.finish().await;
}

/// The PC's keyboard layout really changes (setxkbmap) and a US-configured scanner presses its
/// physical keys (XTest): the token still finds the card, and the typed characters alone (no
/// key codes) decode too, through the layout tables generated from XKB.
#[tokio::test]
async fn a_us_scanner_finds_the_card_on_every_keyboard_layout() {
    let mut s = Session::launch("keyboard-layouts", Start::Shop).await;
    let code = enroll_by_cli(&s, "Claire Dubois");
    let token = token_of(&s, &code);
    s.menu("manage-button").await;
    s.el("scanner-test").await;
    let _restore = tessera_e2e::us_scanner::LayoutGuard;
    for (n, layout) in ["us", "fr", "be", "de", "hu", "it", "ro(std)"]
        .into_iter()
        .enumerate()
    {
        tessera_e2e::us_scanner::set_layout(layout);
        tessera_e2e::us_scanner::scan(&token, (400, 300));
        let scans = (n + 1).to_string();
        s.eventually(&format!("the {layout} scan to be read"), async |s| {
            let seen = s.attr("scanner-test", "data-scans").await?;
            (seen == scans).then_some(())
        })
        .await;
        let arrived = s.text("scanner-test-arrived").await;
        let result = s.text("scanner-test-result").await;
        assert!(
            result.contains("Claire Dubois"),
            "{layout}: {arrived:?} gave {result:?}"
        );
        let readings = s.all("scanner-test-reading").await;
        let mut by_text = false;
        for reading in readings {
            let source = reading
                .attr("data-source")
                .await
                .unwrap()
                .unwrap_or_default();
            let text = reading.attr("data-text").await.unwrap().unwrap_or_default();
            if text == token && source != "key_codes" {
                by_text = true;
            }
        }
        assert!(
            by_text,
            "{layout}: the typed {arrived:?} did not read back as the token"
        );
        s.shot(&layout.replace(['(', ')'], "-")).await;
    }
    s.finish().await;
}

#[tokio::test]
async fn a_manager_replaces_a_lost_card_and_the_old_one_is_refused() {
    let mut s = Session::launch("replace-card", Start::Shop).await;
    let old = enroll_by_cli(&s, "Claire Dubois");
    s.cli(&["punch", &old, "--count", "4"]);
    let old_token = token_of(&s, &old);
    s.scan(&old).await;
    s.el("member-panel").await;
    s.menu("manage-button").await;
    s.click("card-replace-button").await;
    s.click("card-replace-confirm").await;
    let done = s.text("card-replaced").await;
    s.shot("replaced").await;

    let found = s.cli(&["member", "find", "Claire"]);
    let new = found[0]["code"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    let grouped = format!("{}-{}-{}", &new[..4], &new[4..8], &new[8..]);
    assert!(
        done.contains(&grouped),
        "the screen shows the new code: {done}"
    );
    assert_eq!(
        s.cli(&["scan", &new])["cards"][0]["punches"],
        4,
        "the stamps stay"
    );

    // Back at the till, the member on screen shows the new code at once.
    s.click("manage-back").await;
    s.eventually("the till to show the new code", async |s| {
        (s.text("member-code").await == grouped).then_some(())
    })
    .await;
    // And the old card is refused and says it was replaced.
    s.scan(&old_token).await;
    s.eventually("the replaced-card refusal", async |s| {
        let refused = s.feedback_kind().await.as_deref() == Some("refusal");
        (refused && s.text("feedback").await.contains("replaced")).then_some(())
    })
    .await;
    s.shot("old-card-refused").await;
    s.finish().await;
}

#[tokio::test]
async fn about_names_the_version_the_database_and_the_licences() {
    let mut s = Session::launch("about", Start::Shop).await;
    let cli = s.cli(&["about"]);
    s.menu("about-button").await;
    s.el("about-dialog").await;
    let version = s.text("about-version").await;
    assert!(
        version.contains(cli["version"].as_str().unwrap()),
        "{version} / {cli}"
    );
    assert_eq!(s.text("about-database").await, s.db.display().to_string());
    assert_eq!(
        s.text("about-logs").await,
        cli["logs"].as_str().unwrap(),
        "the app and the CLI write to the same log folder"
    );
    let libraries = cli["licences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "library")
        .count();
    let summary = s.text("about-libraries").await;
    assert!(
        summary
            .replace(['\u{a0}', ',', ' '], "")
            .contains(&libraries.to_string()),
        "{summary}: {libraries} libraries"
    );
    s.shot("about").await;
    s.click("about-close").await;
    s.el("scan-armed").await;
    assert!(!s.exists("about-dialog").await);
    s.finish().await;
}

/// Decision 0033: WebKit draws the app on the CPU. Its own report page (webkit://gpu, in the
/// app's webview) says which policy the webview runs under.
#[tokio::test]
async fn the_app_is_drawn_without_the_gpu() {
    let s = Session::launch("drawing", Start::FirstRun).await;
    s.el("setup-language").await;
    s.client
        .goto("webkit://gpu")
        .await
        .expect("WebKit's report page");
    let policy = s
        .client
        .wait()
        .for_element(fantoccini::Locator::XPath(
            "//td[normalize-space()='Policy']/following-sibling::td[1]",
        ))
        .await
        .expect("the hardware acceleration policy on WebKit's report page")
        .text()
        .await
        .expect("its text");
    assert_eq!(policy.trim(), "never");
    s.finish().await;
}
