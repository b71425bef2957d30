//! `tessera campaign send|resume` and `tessera serve`, all real: the campaign's emails go to a
//! real SMTP server process on 127.0.0.1 (aiosmtpd, from Debian's python3-aiosmtpd), each in
//! its member's language with their voucher attached; the unsubscribe link in one of them is
//! followed on the till's own page server, and the till honours it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use mailparse::{MailHeaderMap, ParsedMail};

use crate::common::{block_on, Till};

/// A child process ended when the test ends, however it ends.
pub(crate) struct Running {
    child: Child,
    // Closing it tells the SMTP sink to stop; the page server is killed.
    _stdin: Option<ChildStdin>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The SMTP server, keeping what it accepts in `maildir`: its port, and the process.
fn smtp_sink(maildir: &Path) -> (u16, Running) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/support/smtp_sink.py");
    let mut child = Command::new("/usr/bin/python3")
        .arg(script)
        .arg(maildir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (scripts/setup-system.sh installs it)");
    let stdin = child.stdin.take();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("a port: {line:?}"));
    (
        port,
        Running {
            child,
            _stdin: stdin,
        },
    )
}

/// `tessera serve` on a free port of 127.0.0.1: its URL, once it listens.
pub(crate) fn page_server(db: &Path) -> (String, Running) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--db")
        .arg(db)
        .args(["--json", "serve", "--listen", "127.0.0.1:0"])
        .env("LANG", "C")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let first = serde_json::Deserializer::from_reader(stdout)
        .into_iter::<serde_json::Value>()
        .next()
        .expect("tessera serve says where it listens")
        .unwrap();
    let url = first["listening"].as_str().unwrap().to_string();
    (
        url,
        Running {
            child,
            _stdin: None,
        },
    )
}

/// The messages in the Maildir, as received.
fn received(maildir: &Path) -> Vec<Vec<u8>> {
    let new = maildir.join("new");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&new) {
        Ok(dir) => dir.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
        .into_iter()
        .map(|f| std::fs::read(f).unwrap())
        .collect()
}

struct Received {
    to: String,
    subject: String,
    text: String,
    voucher: Vec<u8>,
    list_unsubscribe: Option<String>,
}

fn read(raw: &[u8]) -> Received {
    let mail = mailparse::parse_mail(raw).unwrap();
    let part = |mail: &ParsedMail, mime: &str| -> Option<Vec<u8>> {
        mail.subparts
            .iter()
            .find(|p| p.ctype.mimetype == mime)
            .map(|p| p.get_body_raw().unwrap())
    };
    Received {
        to: mail.headers.get_first_value("To").unwrap(),
        subject: mail.headers.get_first_value("Subject").unwrap(),
        text: String::from_utf8(part(&mail, "text/plain").unwrap()).unwrap(),
        voucher: part(&mail, "application/pdf").unwrap_or_default(),
        list_unsubscribe: mail.headers.get_first_value("List-Unsubscribe"),
    }
}

fn send_args<'a>(smtp: &'a str, link_base: &'a str) -> Vec<&'a str> {
    vec![
        "campaign",
        "send",
        "--segment",
        "panel",
        "--channel",
        "email",
        "--smtp",
        smtp,
        "--from",
        "Café Lumière <bonjour@cafe-lumiere.example>",
        "--link-base",
        link_base,
        "--message",
        "Our terrace is open again.",
        "--coupon-kind",
        "free-item",
        "--coupon-text",
        "A coffee",
        "--with-we-did",
    ]
}

#[test]
fn a_campaign_s_emails_arrive_in_each_member_s_language_and_the_unsubscribe_link_works() {
    let till = Till::new();
    let claire = till.with_shop();
    let marc = till.ok(&[
        "member",
        "add",
        "--name",
        "Marc Petit",
        "--email",
        "marc@example.fr",
        "--language",
        "fr",
    ])["code"]
        .as_str()
        .unwrap()
        .to_string();
    till.ok(&["member", "edit", &claire, "--email", "claire@example.com"]);
    for code in [&claire, &marc] {
        till.ok(&[
            "member", "consent", code, "--panel", "yes", "--email", "yes",
        ]);
    }
    till.ok(&["we-did", "add", "More seats by the window"]);
    let maildir = till.db.with_file_name("maildir");
    let (port, _smtp) = smtp_sink(&maildir);
    let (pages, _serve) = page_server(&till.db);
    let smtp = format!("smtp://127.0.0.1:{port}");

    let sent = till.ok(&send_args(&smtp, &pages));
    assert_eq!(
        (sent["sent"].as_u64(), sent["waiting"].as_u64()),
        (Some(2), Some(0))
    );
    let mails: Vec<Received> = received(&maildir).iter().map(|m| read(m)).collect();
    assert_eq!(mails.len(), 2);
    let to = |who: &str| mails.iter().find(|m| m.to.contains(who)).unwrap();
    let (to_claire, to_marc) = (to("claire@example.com"), to("marc@example.fr"));
    assert_eq!(to_claire.subject, "Café Lumière: One item free for you");
    assert!(
        to_marc.subject.ends_with("pour vous"),
        "{}",
        to_marc.subject
    );
    assert!(
        to_marc.text.starts_with("Bonjour Marc Petit,"),
        "{}",
        to_marc.text
    );
    assert!(to_marc.text.contains("Our terrace is open again."));
    // "You said, we did" goes with the message, under its heading in the shop's language.
    // (Mail lines end in CRLF.)
    assert!(
        to_marc
            .text
            .replace("\r\n", "\n")
            .contains("Our terrace is open again.\n\nYou said, we did\n– More seats by the window"),
        "{}",
        to_marc.text
    );
    assert!(to_claire.text.starts_with("Hello Claire Dubois,"));
    for mail in [to_claire, to_marc] {
        assert!(mail.voucher.starts_with(b"%PDF"), "a voucher attached");
    }

    // Marc follows his link: the page asks first (a link checker unsubscribes nobody)...
    let link = to_marc
        .text
        .split_whitespace()
        .find(|word| word.starts_with(&pages))
        .expect("an unsubscribe link on the till's pages")
        .to_string();
    assert_eq!(
        to_marc.list_unsubscribe.as_deref(),
        Some(&*format!("<{link}>"))
    );
    let client = reqwest::Client::new();
    let asked = block_on(async {
        client
            .get(&link)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    assert!(asked.contains("lang=\"fr\""), "{asked}");
    assert!(
        asked.contains("Ne plus recevoir d’e-mails de Café Lumière"),
        "{asked}"
    );
    let shown = till.ok(&["member", "show", &marc]);
    assert_eq!(shown["consent"]["email"]["granted"], true);
    // ...and his yes to the button is a no to emails, from the link, on this till.
    let done = block_on(async {
        let answer = client.post(&link).send().await.unwrap();
        assert!(answer.status().is_success());
        answer.text().await.unwrap()
    });
    assert!(done.contains("data-done=\"yes\""), "{done}");
    let shown = till.ok(&["member", "show", &marc]);
    assert_eq!(shown["consent"]["email"]["granted"], false);
    assert_eq!(shown["consent"]["email"]["source"], "link");
    // A changed link is refused, in the shop's language, and changes nothing.
    let last = if link.ends_with('A') { 'B' } else { 'A' };
    let forged = format!("{}{last}", &link[..link.len() - 1]);
    let status = block_on(async { client.post(&forged).send().await.unwrap().status() });
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);

    // The next campaign writes to Claire only.
    let again = till.ok(&send_args(&smtp, &pages));
    assert_eq!(again["sent"], 1);
    assert_eq!(received(&maildir).len(), 3);
}

#[test]
fn a_send_the_mail_server_never_took_goes_on_later_and_nobody_gets_it_twice() {
    let till = Till::new();
    let claire = till.with_shop();
    till.ok(&["member", "edit", &claire, "--email", "claire@example.com"]);
    till.ok(&[
        "member", "consent", &claire, "--panel", "yes", "--email", "yes",
    ]);
    // A port nothing listens on: the sink is not started yet.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("smtp://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let failed = till.run(&send_args(&dead, "http://127.0.0.1:8470"));
    assert_eq!(
        failed.error_code(),
        "mail_server_unreachable",
        "{}",
        failed.json
    );
    let args = &failed.json["error"]["args"];
    assert_eq!(
        (args["sent"].as_str(), args["waiting"].as_str()),
        (Some("0"), Some("1"))
    );
    let campaign = args["campaign"].as_str().unwrap().to_string();

    let maildir = till.db.with_file_name("maildir");
    let (port, _smtp) = smtp_sink(&maildir);
    let smtp = format!("smtp://127.0.0.1:{port}");
    let from = "Café Lumière <bonjour@cafe-lumiere.example>";
    let resumed = till.ok(&[
        "campaign", "resume", &campaign, "--smtp", &smtp, "--from", from,
    ]);
    assert_eq!(resumed["sent"], 1);
    let twice = till.ok(&[
        "campaign", "resume", &campaign, "--smtp", &smtp, "--from", from,
    ]);
    assert_eq!(twice["sent"], 0);
    assert_eq!(received(&maildir).len(), 1);

    // A mail server on another computer without encryption is refused before anything.
    let insecure = till.run(&send_args(
        "smtp://user:secret@mail.example:587",
        "http://127.0.0.1:8470",
    ));
    assert_eq!(insecure.error_code(), "insecure_mail_server");
    assert!(
        !insecure.json.to_string().contains("secret"),
        "no password shown"
    );
}
