//! The survey page the till serves (issue 13, item 3; docs/decisions/0032-surveys.md), answered
//! in a real browser: Debian's Chromium, headless, driven over WebDriver by its ChromeDriver,
//! against `tessera serve` on a free port. A member on the panel gets the page in their
//! language, with what the shop knows said rather than asked and what it changed after earlier
//! feedback; the answers land in the report. A form sent half-filled is answered with a clear
//! error, in the page's language, and nothing is kept.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tessera_e2e::{cli_at, make_shop, target_debug};

/// A child process stopped when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `program` and reads its standard output until `find` recognises a line; returns the
/// process and what `find` took from the line.
fn start_until(mut command: Command, find: impl Fn(&str) -> Option<String>) -> (Running, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let running = Running(child);
    loop {
        let line = lines
            .next()
            .expect("the process said what it listens on before ending")
            .expect("a line");
        if let Some(found) = find(&line) {
            // Whatever else it prints goes nowhere, so it never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return (running, found);
        }
    }
}

/// `tessera serve` on this computer, on a free port: its address.
fn serve(db: &Path) -> (Running, String) {
    let mut command = Command::new(target_debug().join("tessera"));
    command
        .arg("--db")
        .arg(db)
        .args(["--json", "serve", "--listen", "127.0.0.1:0"]);
    // The JSON comes pretty-printed: its one field on a line of its own.
    start_until(command, |line| {
        let (_, address) = line.split_once("\"listening\": \"")?;
        Some(address.trim_end_matches('"').to_string())
    })
}

/// Debian's ChromeDriver on a free port, and a headless Chromium session through it.
async fn browser() -> (Running, Client) {
    let mut command = Command::new("/usr/bin/chromedriver");
    command.arg("--port=0");
    let (driver, port) = start_until(command, |line| {
        let (_, port) = line.split_once("started successfully on port ")?;
        Some(port.trim_end_matches('.').to_string())
    });
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        }
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let client = ClientBuilder::native()
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");
    (driver, client)
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .expect("text")
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

#[tokio::test]
async fn a_member_answers_the_survey_page_in_a_real_browser_and_the_report_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tessera.db");
    make_shop(&db);
    let added = cli_at(
        &db,
        &["member", "add", "--name", "Élodie", "--language", "fr"],
    );
    let code = added["code"].as_str().expect("a code").to_string();
    cli_at(&db, &["punch", &code]);
    cli_at(&db, &["member", "consent", &code, "--panel", "yes"]);
    cli_at(&db, &["we-did", "add", "Plus de places près de la fenêtre"]);

    let (_pages, base) = serve(&db);
    let asked = cli_at(
        &db,
        &["survey", "ask", "--member", &code, "--link-base", &base],
    );
    let link = asked["link"].as_str().expect("a link").to_string();
    assert!(link.starts_with(&format!("{base}/s/TF1")), "{link}");
    // Asked once, she is left alone: the next ask is refused with its reason.
    let due = cli_at(&db, &["survey", "due", &code]);
    assert_eq!(due["due"], false);

    let (_driver, client) = browser().await;
    client.goto(&link).await.expect("open the link");
    // Her language, her visit and her card said, not asked; what the shop changed.
    let page = text_of(&client, "main").await;
    assert!(
        page.contains("Recommanderiez-vous Café Lumière à un ami ?"),
        "{page}"
    );
    assert!(
        page.contains("Merci pour votre visite chez Café Lumière."),
        "{page}"
    );
    assert!(
        page.contains("Votre carte chez nous : Espresso club."),
        "{page}"
    );
    assert!(page.contains("Plus de places près de la fenêtre"), "{page}");

    click(&client, "label[for='nps-9']").await;
    click(&client, "label[for='topic-speed']").await;
    click(&client, "label[for='topic_score-2']").await;
    client
        .find(Locator::Css("textarea[name='comment']"))
        .await
        .expect("the comment box")
        .send_keys("Le matin, la queue est longue")
        .await
        .expect("type");
    click(&client, "button[type='submit']").await;
    let done = text_of(&client, "[data-done='yes']").await;
    assert!(done.contains("Merci"), "{done}");

    // Opened again, the link thanks her and keeps nothing more.
    client.goto(&link).await.expect("open again");
    text_of(&client, "[data-done='yes']").await;

    let report = cli_at(&db, &["report", "surveys"]);
    assert_eq!(report["answered"], 1, "{report}");
    assert_eq!(report["nps"], 100, "{report}");
    assert_eq!(report["topics"][0]["topic"], "speed", "{report}");
    assert_eq!(report["topics"][0]["satisfaction"], 2.0, "{report}");
    assert_eq!(
        report["comments"][0]["comment"], "Le matin, la queue est longue",
        "{report}"
    );

    // A receipt's link, sent without the first answer: told so, in the shop's language.
    let receipt = cli_at(&db, &["survey", "ask", "--link-base", &base]);
    let receipt = receipt["link"].as_str().expect("a link").to_string();
    client
        .goto(&receipt)
        .await
        .expect("open the receipt's link");
    click(&client, "label[for='topic-price']").await;
    click(&client, "button[type='submit']").await;
    let error = text_of(&client, "[role='alert']").await;
    assert!(
        error.contains("Please answer the first question, from 0 to 10."),
        "{error}"
    );
    let report = cli_at(&db, &["report", "surveys"]);
    assert_eq!(report["answered"], 1, "nothing kept: {report}");

    // A changed link is not the shop's.
    let forged = format!("{}A", &receipt[..receipt.len() - 1]);
    let forged = if forged == receipt {
        format!("{}B", &receipt[..receipt.len() - 1])
    } else {
        forged
    };
    client.goto(&forged).await.expect("open a forged link");
    let refused = text_of(&client, "main p").await;
    assert!(refused.contains("not one of this shop's"), "{refused}");

    client.close().await.expect("end the session");
}
