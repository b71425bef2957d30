//! How the CLI prints: each command's output struct is its `--json` document, and says how it
//! reads as translated text otherwise. Errors are the app's `ErrorBody` plus the message.

use std::collections::BTreeMap;

use serde::Serialize;
use tessera_core::codes::member_code::MemberCode;
use tessera_core::i18n::Messages;
use tessera_core::input::validate::LANGUAGES;
use tessera_core::ledger::{Event, ReasonCode};
use tessera_core::{CoreError, ErrorBody};

/// What a command answers. Under `--json` the struct itself is printed, so the same command
/// always answers in the same shape; otherwise the lines of `text`, which must pass every
/// stored value through [`shown`].
pub trait Render: Serialize {
    fn text(&self, t: &Text) -> Vec<String>;
}

/// A refusal under `--json`: `{"error": {"code", "key", "args", "storage_failure", "message"}}`.
#[derive(Serialize)]
pub struct ErrorOutput {
    pub error: ErrorMessage,
}

/// The same `ErrorBody` the app receives, and its message in the language asked for.
#[derive(Serialize)]
pub struct ErrorMessage {
    #[serde(flatten)]
    pub body: ErrorBody,
    pub message: String,
}

pub struct Output {
    json: bool,
    text: Text,
}

impl Output {
    pub fn new(json: bool, language: Option<&str>) -> Output {
        Output {
            json,
            text: Text::new(&message_language(language)),
        }
    }

    pub fn print(&self, answer: &impl Render) {
        if self.json {
            print_json(answer);
        } else {
            let text: String = answer
                .text(&self.text)
                .into_iter()
                .map(|line| line + "\n")
                .collect();
            to_stdout(&text);
        }
    }

    /// A translated line on stderr (progress of long work): stdout stays the answer.
    pub fn note(&self, key: &str, args: &[(&str, String)]) {
        eprintln!("{}", self.text.t(key, args));
    }

    pub fn error(&self, error: &CoreError) {
        self.error_body(error.body());
    }

    /// Under `--json` on stdout; without it, the message and its code on stderr.
    pub fn error_body(&self, body: ErrorBody) {
        if self.json {
            let message = self.text.t_map(&body.key, &body.args);
            print_json(&ErrorOutput {
                error: ErrorMessage { body, message },
            });
        } else {
            // The message's arguments can be stored text (a likely duplicate's name).
            let message = self.text.error_text(&body);
            eprintln!("{message} [{}]", body.code);
        }
    }
}

fn print_json(value: &impl Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => to_stdout(&format!("{text}\n")),
        Err(e) => eprintln!("tessera: cannot print JSON: {e}"),
    }
}

/// Writes the answer. When nobody reads it any more (`tessera member list | head -1`), the
/// process ends quietly, as a program killed by the broken pipe would (exit status 141), instead
/// of `println!`'s panic. Whatever the command did is already committed.
pub fn to_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("tessera: cannot print the answer: {e}");
    }
}

/// `--lang`, else the language of `LANG` (`fr_FR.UTF-8` → `fr`) when we speak it, else English.
fn message_language(explicit: Option<&str>) -> String {
    let from_env = std::env::var("LANG").ok();
    let candidate = explicit.or(from_env.as_deref()).unwrap_or("en");
    let code = candidate.get(..2).unwrap_or("en").to_ascii_lowercase();
    if LANGUAGES.contains(&code.as_str()) {
        code
    } else {
        "en".into()
    }
}

/// The translated messages, for text output. Read from the Fluent file only when a message is
/// first needed: a `--json` answer needs none, and a CLI process is short (issue 12: `tessera
/// --json scan` as a process).
pub struct Text {
    language: String,
    messages: std::sync::OnceLock<Messages>,
}

impl Text {
    fn new(language: &str) -> Text {
        Text {
            language: language.to_string(),
            messages: std::sync::OnceLock::new(),
        }
    }

    pub fn messages(&self) -> &Messages {
        self.messages.get_or_init(|| Messages::new(&self.language))
    }

    /// The message `key` with its arguments (stored text among them already [`shown`]).
    /// A day, written as this language writes it.
    pub fn date(&self, day: chrono::NaiveDate) -> String {
        self.messages().date(day)
    }

    pub fn t(&self, key: &str, args: &[(&str, String)]) -> String {
        let args = args
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        self.t_map(key, &args)
    }

    fn t_map(&self, key: &str, args: &BTreeMap<String, String>) -> String {
        self.messages().format(key, args)
    }

    /// A core error's message in this language (its stored-text arguments [`shown`]).
    pub fn error_text(&self, body: &ErrorBody) -> String {
        let args = body.args.iter().map(|(k, v)| (k.clone(), shown(v)));
        self.t_map(&body.key, &args.collect())
    }

    /// A void's reason in this language: the code's words, then the staff member's own.
    pub fn reason(&self, event: &Event) -> String {
        let code = event
            .reason_code
            .filter(|c| *c != ReasonCode::Other)
            .map(|c| {
                self.t(
                    &format!("undo-reason-{}", c.as_str().replace('_', "-")),
                    &[],
                )
            });
        [code, shown_opt(event.reason.as_deref())]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ")
    }
}

/// A member code as printed on the card (`7K3M-Q9PX-R`); anything else [`shown`] as it is.
pub fn display_code(code: &str) -> String {
    MemberCode::parse(code)
        .map(|c| c.display())
        .unwrap_or_else(|_| shown(code))
}

/// Stored text as the terminal will show it: every control character (ESC, a C1 CSI, a line
/// break...) becomes U+FFFD instead of being obeyed. Core refuses them on input, but a database
/// can be written by something else. Every stored value printed in text mode goes through here;
/// JSON escapes them by itself.
pub fn shown(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

pub fn shown_opt(text: Option<&str>) -> Option<String> {
    text.map(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_replaces_every_control_character() {
        assert_eq!(
            shown("Ana\x1b[31m\u{9b}2J\nx"),
            "Ana\u{FFFD}[31m\u{FFFD}2J\u{FFFD}x"
        );
        assert_eq!(shown("Ștefan Őrs"), "Ștefan Őrs");
    }

    #[test]
    fn an_error_is_the_apps_error_body_and_its_message() {
        let error = CoreError::TooLong {
            field: "name",
            max: 120,
        };
        let text = Text::new("en");
        let body = error.body();
        let message = text.t_map(&body.key, &body.args);
        let json = serde_json::to_value(ErrorOutput {
            error: ErrorMessage { body, message },
        })
        .unwrap();
        let error = &json["error"];
        assert_eq!(error["code"], "too_long");
        assert_eq!(error["key"], "error-too-long");
        assert_eq!(error["args"]["max"], "120");
        assert_eq!(error["storage_failure"], false);
        assert!(error["message"].as_str().unwrap().contains("120"));
    }
}
