//! The counter under pressure, on the real desktop app: a refused scan never leaves the previous
//! member to stamp, typing a name never redeems, the till fits 1024 × 768 in every language, a
//! database that stops saving never shows success, a database that went missing is noticed at
//! start, the screen follows writes from another process, enrolment warns of duplicates, and a
//! coupon is taken once, from its voucher's scan or from the member's list, and a complaint is
//! logged, made right with its coupon, and asked about at the member's next visit.
//! The ledger is read with the `tessera` CLI on the same file after each step.

use fantoccini::Locator;
use serde_json::Value;
use tessera_core::codes::member_code::MemberCode;
use tessera_e2e::{qr_codes_in_pdf, Session, Start, ENTER, MANAGER, PIN, REWARD};

/// Every event of the member, newest first, as the ledger holds them.
fn history(s: &Session, code: &str) -> Vec<Value> {
    s.cli(&["history", code])
        .as_array()
        .cloned()
        .expect("history is a list")
}

fn token_of(s: &Session, code: &str) -> String {
    let card = s.cli(&["--staff", MANAGER, "--pin", PIN, "cards", "show", code]);
    card["token"].as_str().expect("token").to_string()
}

/// Waits for a refusal on screen with no member panel left.
async fn refused_and_cleared(s: &Session, what: &str) {
    s.eventually(&format!("the refusal of {what}"), async |s| {
        let refused = s.feedback_kind().await.as_deref() == Some("refusal");
        (refused && !s.exists("member-panel").await).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_refused_scan_clears_the_member_and_enter_then_writes_nothing() {
    let mut s = Session::launch("refused-then-enter", Start::Shop).await;
    let code = s.enroll("Claire Dubois");
    let other = s.enroll("Julien Moreau");
    let token = token_of(&s, &other);
    s.cli(&["--staff", MANAGER, "--pin", PIN, "cards", "reissue", &other]);
    let unknown = MemberCode::generate(&mut rand::thread_rng());
    let mut typo: Vec<char> = code.chars().collect();
    typo[2] = if typo[2] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    let forged = format!(
        "{}{}",
        &token[..33],
        if token.ends_with('0') { '1' } else { '0' }
    );
    let before = history(&s, &code).len();

    for (what, refused) in [
        ("an unknown code", unknown.as_str().to_string()),
        ("a mistyped code", typo),
        ("a forged card", forged),
        ("a replaced card", token),
    ] {
        s.scan(&code).await;
        assert_eq!(s.text("member-name").await, "Claire Dubois");
        s.scan(&refused).await;
        refused_and_cleared(&s, what).await;
        let punch_shown = s
            .el("punch-button")
            .await
            .is_displayed()
            .await
            .unwrap_or(false);
        assert!(!punch_shown, "{what}: a refusal shows no Punch button");
        s.shot(&what.replace(' ', "-")).await;
        s.keys(&ENTER.to_string()).await;
        // Scans and keys go through one queue: once this scan shows the member, the Enter
        // before it has been dealt with.
        s.scan(&code).await;
        assert_eq!(s.text("member-name").await, "Claire Dubois");
        s.keys("\u{e00c}").await; // Esc: next customer
        assert_eq!(
            history(&s, &code).len(),
            before,
            "{what}: Enter after the refusal wrote to the ledger"
        );
    }
    assert_eq!(s.ledger_card(&code), (0, 0));
    s.finish().await;
}

#[tokio::test]
async fn typing_a_name_that_starts_with_r_never_redeems() {
    let mut s = Session::launch("typing-r", Start::Shop).await;
    let code = s.enroll("Rita Rossi");
    s.enroll("Mario Rossi");
    s.cli(&["punch", &code, "--count", "9"]);
    s.scan(&code).await;
    assert_eq!(s.text("member-name").await, "Rita Rossi");
    assert_eq!(
        s.attr("redeem-button", "data-ready").await.as_deref(),
        Some("true")
    );
    let before = history(&s, &code).len();

    // A person types (no field focused, the Punch button has the focus after the scan).
    for letter in "rossi".chars() {
        s.keys(&letter.to_string()).await;
    }
    let results = s
        .eventually("both Rossis in the results", async |s| {
            let results = s.all("search-result").await;
            (results.len() == 2).then_some(results)
        })
        .await;
    assert_eq!(results.len(), 2);
    let typed = s.el("search-input").await.prop("value").await.unwrap();
    assert_eq!(
        typed.as_deref(),
        Some("rossi"),
        "every letter went to the search"
    );
    assert!(!s.exists("redeem-dialog").await);
    s.shot("searching").await;
    assert_eq!(
        history(&s, &code).len(),
        before,
        "typing wrote to the ledger"
    );
    assert_eq!(s.ledger_card(&code), (0, 1), "the reward is still there");
    s.finish().await;
}

/// Every button of the action bar and the header, as rectangles, and the window's size.
async fn layout(s: &Session) -> Value {
    let script = "const rect = (e) => { const r = e.getBoundingClientRect();
            return { id: e.dataset.testid || e.textContent.trim(), left: r.left, top: r.top,
                     right: r.right, bottom: r.bottom, hidden: getComputedStyle(e).visibility === 'hidden',
                     clipped: e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1 }; };
        const header = document.querySelector('header');
        return { width: window.innerWidth, height: window.innerHeight,
                 header: header.getBoundingClientRect().height,
                 buttons: [...document.querySelectorAll('[data-testid=action-bar] button, header button')].map(rect) };";
    s.client.execute(script, vec![]).await.expect("layout")
}

fn assert_inside(language: &str, layout: &Value) {
    let width = layout["width"].as_f64().unwrap();
    let height = layout["height"].as_f64().unwrap();
    assert!(
        width <= 1024.0 && height <= 768.0,
        "the window is {width} × {height}, not the smallest screen we promise"
    );
    let header = layout["header"].as_f64().unwrap();
    assert!(
        header < 72.0,
        "{language}: the header wraps ({header} px high)"
    );
    for button in layout["buttons"].as_array().unwrap() {
        if button["hidden"] == true {
            continue;
        }
        let inside = button["left"].as_f64().unwrap() >= 0.0
            && button["top"].as_f64().unwrap() >= 0.0
            && button["right"].as_f64().unwrap() <= width
            && button["bottom"].as_f64().unwrap() <= height;
        assert!(
            inside,
            "{language}: {button} is outside the {width} × {height} window"
        );
        assert!(
            button["clipped"] == false,
            "{language}: the label of {button} does not fit"
        );
    }
}

/// Where the action buttons are, by test id.
fn positions(layout: &Value) -> Vec<(String, i64, i64)> {
    layout["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["id"].as_str().unwrap_or_default().to_string(),
                b["left"].as_f64().unwrap() as i64,
                b["top"].as_f64().unwrap() as i64,
            )
        })
        .collect()
}

#[tokio::test]
async fn the_till_fits_1024_by_768_in_every_language_and_messages_move_no_button() {
    let mut s = Session::launch("small-screen", Start::Shop).await;
    s.cli(&[
        "program",
        "add",
        "--name",
        "Pastry club",
        "--punches",
        "5",
        "--reward",
        "Croissant",
    ]);
    let code = s.enroll("Anne-Sophie de Montmorency-Laval");
    s.cli(&[
        "punch",
        &code,
        "--count",
        "17",
        "--program",
        tessera_e2e::PROGRAM,
    ]);
    let _ = s.client.set_window_size(1024, 768).await;
    s.scan(&code).await;
    s.el("member-panel").await;
    assert_eq!(s.all("card").await.len(), 2, "two cards on screen");
    let quiet = layout(&s).await;
    s.keys(&ENTER.to_string()).await; // the 18th stamp fills the card again: the reward banner
    s.eventually("the reward message", async |s| {
        (s.feedback_kind().await.as_deref() == Some("reward")).then_some(())
    })
    .await;
    let with_message = layout(&s).await;
    assert_eq!(
        positions(&quiet),
        positions(&with_message),
        "a message moved a button: {quiet} then {with_message}"
    );

    for language in ["en", "fr", "it", "ro", "hu"] {
        s.switch_language(language).await;
        s.click("menu-button").await; // close the menu
        assert_inside(language, &layout(&s).await);
        s.shot(&format!("1024x768-{language}")).await;
    }
    s.finish().await;
}

#[tokio::test]
async fn a_deleted_database_never_shows_success() {
    let mut s = Session::launch("deleted-db", Start::Shop).await;
    let code = s.enroll("Claire Dubois");
    s.scan(&code).await;
    s.el("member-panel").await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", s.db.display()));
    }
    for attempt in 0..2 {
        s.keys(&ENTER.to_string()).await;
        s.eventually("the refusal", async |s| {
            (s.feedback_kind().await.as_deref() == Some("refusal")).then_some(())
        })
        .await;
        let banner = s.text("not-saving").await;
        assert!(
            banner.contains(&s.db.display().to_string()),
            "attempt {attempt}: the banner names the file: {banner}"
        );
        assert_eq!(
            s.text("last-action").await,
            "",
            "no action is shown as done"
        );
        let feedback = s.text("feedback").await;
        assert!(
            feedback.contains("NOT"),
            "it says the stamp was not saved: {feedback}"
        );
    }
    s.shot("not-saving").await;
    assert!(
        !s.db.exists(),
        "no new, empty database was made in its place"
    );
    s.finish().await;
}

#[tokio::test]
async fn a_database_used_before_and_now_missing_is_noticed_at_start() {
    let mut s = Session::launch("missing-db", Start::KnownButMissing).await;
    s.el("database-missing").await;
    let said = s.screen_text().await;
    assert!(said.contains(&s.db.display().to_string()), "{said}");
    assert!(!s.db.exists(), "nothing was created over the missing file");
    s.shot("asked").await;
    s.click("database-missing-new").await;
    s.el("first-run-screen").await;
    assert!(
        s.db.exists(),
        "a new shop only when the manager asked for it"
    );
    s.finish().await;
}

#[tokio::test]
async fn the_member_on_screen_follows_a_punch_made_by_another_process() {
    let mut s = Session::launch("other-process", Start::Shop).await;
    let code = s.enroll("Claire Dubois");
    s.scan(&code).await;
    s.el("member-panel").await;
    s.cli(&["punch", &code, "--count", "3"]);
    s.eventually("the screen to show the other till's stamps", async |s| {
        let punches = s.attr("card", "data-punches").await?;
        (punches == "3").then_some(())
    })
    .await;
    assert_eq!(s.text("card-stamps").await, "3 / 9");
    s.shot("followed").await;
    s.finish().await;
}

#[tokio::test]
async fn enrolment_warns_of_a_likely_duplicate_and_can_give_the_first_stamp() {
    let mut s = Session::launch("enrol-duplicate", Start::Shop).await;
    s.cli(&[
        "member",
        "add",
        "--name",
        "Claire Dubois",
        "--email",
        "claire@example.fr",
    ]);
    s.click("new-member-button").await;
    s.fill("enroll-name", "claire dubois").await;
    s.click("enroll-submit").await;
    s.el("enroll-duplicates").await;
    s.shot("duplicate").await;
    s.click("enroll-duplicate-open").await;
    assert_eq!(s.text("member-name").await, "Claire Dubois");
    let found = s.cli(&["member", "find", "claire"]);
    assert_eq!(found.as_array().map(Vec::len), Some(1), "no second Claire");

    // Someone new, enrolled and stamped in one step.
    s.click("new-member-button").await;
    s.fill("enroll-name", "Ödön Tóth").await;
    s.click("enroll-submit-stamp").await;
    let code = s.text("enroll-code").await.replace('-', "");
    assert!(s.text("enroll-stamped").await.contains("1 / 9"));
    assert_eq!(s.ledger_card(&code), (1, 0));

    // A card scanned while the welcome panel is open serves that member.
    let claire = found[0]["code"].as_str().unwrap().to_string();
    s.scan(&claire).await;
    assert_eq!(s.text("member-name").await, "Claire Dubois");
    s.finish().await;
}

#[tokio::test]
async fn the_reward_ready_on_arrival_is_impossible_to_miss() {
    let mut s = Session::launch("reward-ready", Start::Shop).await;
    let code = s.enroll("Claire Dubois");
    s.cli(&["punch", &code, "--count", "9"]);
    s.scan(&code).await;
    let banner = s.text("card-rewards").await;
    assert!(banner.contains(REWARD), "{banner}");
    // Text against its own background, as WCAG computes it.
    let ratio = s
        .client
        .execute(
            "const lum = (c) => { const [r, g, b] = c.match(/\\d+/g).slice(0, 3).map(Number)
                   .map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                 return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
             const e = document.querySelector('[data-testid=card-rewards]');
             const s = getComputedStyle(e);
             const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
             return (a + 0.05) / (b + 0.05);",
            vec![],
        )
        .await
        .expect("contrast")
        .as_f64()
        .unwrap();
    assert!(ratio >= 4.5, "reward-ready contrast {ratio:.1}:1");
    s.shot("ready").await;
    s.finish().await;
}

/// Esc, and the screen cleared for the next customer, before anything else is typed.
async fn next_customer(s: &Session) {
    s.keys("\u{e00c}").await;
    s.eventually("the screen cleared", async |s| {
        (!s.exists("member-panel").await && !s.exists("coupon-panel").await).then_some(())
    })
    .await;
}

/// Issues a coupon through the CLI on the app's file: (id, token).
fn issue_coupon(s: &Session, text: &str, member: Option<&str>) -> (String, String) {
    let mut args = vec![
        "--staff",
        MANAGER,
        "--pin",
        PIN,
        "coupon",
        "issue",
        "--kind",
        "free-item",
        "--text",
        text,
    ];
    if let Some(code) = member {
        args.extend(["--member", code]);
    }
    let coupon = s.cli(&args);
    (
        coupon["id"].as_str().expect("id").to_string(),
        coupon["token"].as_str().expect("token").to_string(),
    )
}

#[tokio::test]
async fn a_voucher_is_taken_once_with_enter_and_a_members_coupon_from_its_button() {
    let mut s = Session::launch("coupons", Start::Shop).await;
    let code = s.enroll("Claire Dubois");
    let (voucher, token) = issue_coupon(&s, "A croissant", None);

    // The voucher's scan shows the coupon, good to take: one key takes it.
    s.scan(&token).await;
    s.eventually("the coupon on screen", async |s| {
        let state = s.attr("coupon-panel", "data-state").await;
        (state.as_deref() == Some("open") && s.feedback_kind().await.as_deref() == Some("question"))
            .then_some(())
    })
    .await;
    assert!(!s.exists("member-panel").await, "a coupon is not a member");
    s.shot("voucher-scanned").await;
    let before = s.event_count().await;
    s.keys(&ENTER.to_string()).await;
    s.eventually("the coupon taken", async |s| {
        let state = s.attr("coupon-panel", "data-state").await;
        (state.as_deref() == Some("used") && s.feedback_kind().await.as_deref() == Some("success"))
            .then_some(())
    })
    .await;
    s.shot("voucher-used").await;
    assert_eq!(s.event_count().await, before + 1);
    assert_eq!(s.cli(&["coupon", "show", &voucher])["state"], "used");

    // Scanned again, it says why in red; Enter takes nothing.
    s.scan(&token).await;
    s.eventually("the refusal of a used coupon", async |s| {
        (s.feedback_kind().await.as_deref() == Some("refusal") && s.exists("coupon-refusal").await)
            .then_some(())
    })
    .await;
    s.keys(&ENTER.to_string()).await;
    s.scan(&code).await;
    assert_eq!(s.text("member-name").await, "Claire Dubois");
    assert_eq!(
        s.event_count().await,
        before + 1,
        "Enter on a used coupon wrote"
    );

    // A coupon given to the member shows with them, and its button takes it.
    let (given, _) = issue_coupon(&s, "A cake", Some(&code));
    next_customer(&s).await;
    s.scan(&code).await;
    s.eventually("the member's coupon", async |s| {
        (s.all("member-coupon").await.len() == 1).then_some(())
    })
    .await;
    s.shot("member-coupon").await;
    s.click("use-coupon").await;
    s.eventually("the member's coupon taken", async |s| {
        (s.all("member-coupon").await.is_empty()
            && s.feedback_kind().await.as_deref() == Some("success"))
        .then_some(())
    })
    .await;
    assert_eq!(s.cli(&["coupon", "show", &given])["state"], "used");
    assert_eq!(s.text("member-name").await, "Claire Dubois");
    assert_eq!(
        s.ledger_card(&code),
        (0, 0),
        "no stamp was given by the way"
    );

    // Taken by mistake (it was for her next visit): the cashier's Undo gives it back.
    s.ctrl('z').await;
    let what = s.text("undo-what").await;
    assert!(what.contains("A cake"), "{what}");
    s.click("undo-reason").await;
    s.eventually("the coupon back with the member", async |s| {
        (s.all("member-coupon").await.len() == 1
            && s.feedback_kind().await.as_deref() == Some("success"))
        .then_some(())
    })
    .await;
    assert_eq!(s.cli(&["coupon", "show", &given])["state"], "open");
    s.finish().await;
}

#[tokio::test]
async fn a_complaint_is_logged_compensated_and_asked_about_at_the_next_visit() {
    let mut s = Session::launch("complaint", Start::Shop).await;
    let code = s.enroll("Claire Dubois");
    s.scan(&code).await;
    assert_eq!(s.text("member-name").await, "Claire Dubois");

    // A few taps: the menu's "Complaint", what about, how serious (serious is chosen already),
    // a few words.
    s.menu("complaint-button").await;
    s.el("complaint-dialog").await;
    let quality = s
        .all("complaint-category")
        .await
        .into_iter()
        .next()
        .expect("categories");
    assert_eq!(
        quality.attr("data-category").await.unwrap().as_deref(),
        Some("quality")
    );
    quality.click().await.expect("pick quality");
    s.fill("complaint-note", "Stale croissant").await;
    s.shot("complaint-dialog").await;
    s.click("complaint-log").await;
    s.el("complaint-logged").await;
    s.shot("complaint-proposal").await;
    s.click("complaint-give").await;
    s.eventually("the coupon given, with the member", async |s| {
        (!s.exists("complaint-dialog").await && s.all("member-coupon").await.len() == 1)
            .then_some(())
    })
    .await;
    let listed = s.cli(&["complaint", "list"]);
    let complaint = &listed[0];
    assert_eq!(complaint["note"], "Stale croissant");
    assert_eq!(complaint["category"], "quality");
    assert!(complaint["coupon_id"].is_string(), "{complaint}");

    // The member uses it at once.
    s.click("use-coupon").await;
    s.eventually("the coupon taken", async |s| {
        s.all("member-coupon").await.is_empty().then_some(())
    })
    .await;
    assert_eq!(
        s.cli(&["coupon", "show", complaint["coupon_id"].as_str().unwrap()])["state"],
        "used"
    );
    // Still at the counter: nothing to ask.
    assert!(!s.exists("follow-up").await);

    // Their next visit (the complaint moved to yesterday: a test cannot wait for tomorrow).
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", s.db.display()))
        .await
        .expect("open the db");
    sqlx::query(
        "UPDATE complaint SET logged_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day')
         WHERE note = 'Stale croissant'",
    )
    .execute(&pool)
    .await
    .expect("move the complaint to yesterday");
    pool.close().await;
    next_customer(&s).await;
    s.scan(&code).await;
    s.eventually("the follow-up question", async |s| {
        s.exists("follow-up").await.then_some(())
    })
    .await;
    s.shot("follow-up").await;
    s.click("follow-up-yes").await;
    s.eventually("the answer kept", async |s| {
        (!s.exists("follow-up").await && s.feedback_kind().await.as_deref() == Some("success"))
            .then_some(())
    })
    .await;
    let all = s.cli(&["complaint", "list", "--all"]);
    assert_eq!(all[0]["follow_up"], "yes");
    s.finish().await;
}

/// A member on the panel is offered a survey at the counter; one tap shows it on the customer's
/// screen (a second window with the till's survey page), the customer answers there, and the
/// cashier's window keeps the keyboard: Enter still stamps (docs/decisions/0032-surveys.md).
#[tokio::test]
async fn a_panel_member_answers_on_the_customer_s_screen_while_the_till_stays_armed() {
    let mut s = Session::launch("survey", Start::Shop).await;
    let claire = s.enroll("Claire Dubois");
    s.cli(&["member", "consent", &claire, "--panel", "yes"]);
    s.scan(&claire).await;
    s.eventually("the survey offered", async |s| {
        s.exists("survey-offer").await.then_some(())
    })
    .await;
    s.shot("survey-offer").await;
    let till = s.client.window().await.expect("the till's window");
    s.click("survey-ask").await;
    s.eventually("the survey on the customer's screen", async |s| {
        (!s.exists("survey-offer").await && s.feedback_kind().await.as_deref() == Some("info"))
            .then_some(())
    })
    .await;
    assert_eq!(s.cli(&["survey", "due", &claire])["due"], false);

    // The customer's screen: the survey page in its own window.
    let windows = s
        .eventually("a second window", async |s| {
            let windows = s.client.windows().await.ok()?;
            (windows.len() == 2).then_some(windows)
        })
        .await;
    let customer = windows
        .into_iter()
        .find(|w| *w != till)
        .expect("the customer's window");
    s.client
        .switch_to_window(customer)
        .await
        .expect("switch to the customer's screen");
    let question = s
        .eventually("the survey page", async |s| {
            let main = s.client.find(Locator::Css("main")).await.ok()?;
            let text = main.text().await.ok()?;
            text.contains("How likely are you to recommend")
                .then_some(text)
        })
        .await;
    assert!(question.contains("Café Lumière"), "{question}");
    s.shot("survey-customer-screen").await;
    for choice in ["nps-10", "topic-quality", "topic_score-5"] {
        s.client
            .find(Locator::Css(&format!("label[for='{choice}']")))
            .await
            .expect(choice)
            .click()
            .await
            .expect(choice);
    }
    s.client
        .find(Locator::Css("button[type='submit']"))
        .await
        .expect("send")
        .click()
        .await
        .expect("send");
    s.eventually("the thanks", async |s| {
        s.client
            .find(Locator::Css("[data-done='yes']"))
            .await
            .ok()
            .map(|_| ())
    })
    .await;
    s.client
        .switch_to_window(till)
        .await
        .expect("back to the till");
    let report = s.cli(&["report", "surveys"]);
    assert_eq!(report["answered"], 1, "{report}");
    assert_eq!(report["nps"], 100, "{report}");

    // The till kept the keyboard: Enter stamps the member on screen.
    let before = s.ledger_card(&claire);
    s.keys(&ENTER.to_string()).await;
    s.eventually("the stamp", async |s| {
        (s.ledger_card(&claire).0 == before.0 + 1).then_some(())
    })
    .await;
    s.finish().await;
}

/// A survey slip for the member on screen: printed on the till's printer (a private CUPS queue
/// to a file), its QR, read back from the printed PDF, opens the survey on the pages the till
/// serves on the shop's network.
#[tokio::test]
async fn a_survey_slip_prints_and_its_qr_opens_the_survey_on_the_till_s_pages() {
    let (s, cups) = Session::launch_with_printer("survey-slip", Start::Shop).await;
    let claire = s.enroll("Claire Dubois");
    s.cli(&["member", "consent", &claire, "--panel", "yes"]);
    // A manager serves the shop's pages (a free port of this computer, for the test).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    s.menu("manage-button").await;
    s.click("manage-tab-settings").await;
    s.fill("settings-pages", &format!("127.0.0.1:{port}")).await;
    s.click("settings-save").await;
    s.el("settings-saved").await;
    s.click("manage-back").await;

    s.scan(&claire).await;
    s.eventually("the survey offered", async |s| {
        s.exists("survey-offer").await.then_some(())
    })
    .await;
    s.click("survey-slip").await;
    s.eventually("the slip printing", async |s| {
        (!s.exists("survey-offer").await && s.feedback_kind().await.as_deref() == Some("info"))
            .then_some(())
    })
    .await;
    let codes = qr_codes_in_pdf(&cups.next_job(), s.temp_dir());
    let link = codes.first().expect("the slip's QR").clone();
    let prefix = format!("http://127.0.0.1:{port}");
    let path = link
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("a link to the till's pages: {link}"));
    assert!(path.starts_with("/s/TF1"), "{link}");
    let page = {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the pages");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: till\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut page = String::new();
        stream.read_to_string(&mut page).unwrap();
        page
    };
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("How likely are you to recommend"), "{page}");
    assert_eq!(s.cli(&["survey", "due", &claire])["due"], false);
    s.finish().await;
}
