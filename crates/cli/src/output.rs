//! How the CLI prints: one JSON document on stdout under `--json`, translated lines otherwise.
//! Errors under `--json` are `{"error":{"code":"...","message":"..."}}` on stdout; without it,
//! the translated message on stderr.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};
use tessera_core::cards::{IssuedCard, RevokedCard};
use tessera_core::cashier::ActionResult;
use tessera_core::doctor::DoctorReport;
use tessera_core::i18n::Messages;
use tessera_core::ledger::{EventKind, HistoryEntry};
use tessera_core::member_code::MemberCode;
use tessera_core::members::Member;
use tessera_core::programs::Program;
use tessera_core::shop::SetUp;
use tessera_core::validate::LANGUAGES;
use tessera_core::{CoreError, MemberView};

pub struct Output {
    json: bool,
    messages: Messages,
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

fn args<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn display_code(code: &str) -> String {
    MemberCode::parse(code)
        .map(|c| c.display())
        .unwrap_or_else(|_| shown(code))
}

/// Stored text as the terminal will show it: every control character (ESC, a C1 CSI, a line
/// break...) becomes U+FFFD instead of being obeyed. Core refuses them on input, but a database
/// can be written by something else. Every stored value printed in text mode goes through here;
/// JSON escapes them by itself.
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

fn shown_opt(text: Option<&str>) -> Option<String> {
    text.map(shown)
}

impl Output {
    pub fn new(json: bool, language: Option<&str>) -> Output {
        Output {
            json,
            messages: Messages::new(&message_language(language)),
        }
    }

    fn t(&self, key: &str, args: BTreeMap<String, String>) -> String {
        self.messages.format(key, &args)
    }

    fn print_json(&self, value: &impl Serialize) {
        match serde_json::to_string_pretty(value) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("tessera: cannot print JSON: {e}"),
        }
    }

    pub fn error(&self, error: &CoreError) {
        if self.json {
            let message = self.messages.error(error);
            self.print_json(&json!({ "error": { "code": error.code(), "message": message } }));
        } else {
            // The message's arguments can be stored text (a likely duplicate's name).
            let args = error
                .args()
                .into_iter()
                .map(|(k, v)| (k, shown(&v)))
                .collect();
            eprintln!("{} [{}]", self.t(&error.key(), args), error.code());
        }
    }

    pub fn init(&self, set_up: &SetUp) {
        if self.json {
            return self.print_json(set_up);
        }
        println!(
            "{}",
            self.t(
                "cli-shop-ready",
                args([
                    ("shop", shown(&set_up.shop.name)),
                    ("manager", shown(&set_up.manager.name)),
                ]),
            )
        );
    }

    pub fn program_added(&self, program: &Program) {
        if self.json {
            return self.print_json(program);
        }
        println!(
            "{}",
            self.t(
                "cli-program-added",
                args([
                    ("program", shown(&program.name)),
                    ("needed", program.punches_needed.to_string()),
                    ("reward", shown(&program.reward)),
                ]),
            )
        );
        println!("{}", program.id);
    }

    pub fn programs(&self, programs: &[Program]) {
        if self.json {
            return self.print_json(&programs);
        }
        for p in programs {
            let state = if p.active { "" } else { " (-)" };
            println!(
                "{}  {} · {} → {}{state}",
                p.id,
                shown(&p.name),
                p.punches_needed,
                shown(&p.reward)
            );
        }
    }

    pub fn member_added(&self, member: &Member) {
        if self.json {
            return self.print_json(member);
        }
        println!(
            "{}",
            self.t(
                "cli-member-added",
                args([
                    ("name", shown(&member.name)),
                    ("code", display_code(&member.code)),
                ]),
            )
        );
    }

    pub fn members(&self, members: &[Member]) {
        if self.json {
            return self.print_json(&members);
        }
        if members.is_empty() {
            println!("{}", self.t("cli-no-members", args([])));
        }
        for m in members {
            let contact = [shown_opt(m.email.as_deref()), shown_opt(m.phone.as_deref())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            println!("{}  {}  {contact}", display_code(&m.code), shown(&m.name));
        }
    }

    pub fn member_view(&self, view: &MemberView) {
        if self.json {
            return self.print_json(view);
        }
        println!(
            "{} ({})",
            shown(&view.member.name),
            display_code(&view.member.code)
        );
        for card in &view.cards {
            let stamps = self.t(
                "card-stamps",
                args([
                    ("punches", card.punches.to_string()),
                    ("needed", card.punches_needed.to_string()),
                ]),
            );
            let rewards = if card.rewards_available > 0 {
                self.t(
                    "rewards-ready",
                    args([("count", card.rewards_available.to_string())]),
                )
            } else {
                self.t("no-reward", args([]))
            };
            println!("  {}: {stamps} · {rewards}", shown(&card.program_name));
        }
    }

    pub fn action(&self, json: Value, result: &ActionResult) {
        if self.json {
            return self.print_json(&json);
        }
        let card = &result.card;
        let line = match result.event.kind {
            EventKind::Redeem => {
                self.t("feedback-redeemed", args([("reward", shown(&card.reward))]))
            }
            _ if result.rewards_earned_now > 0 => self.t(
                "feedback-reward-earned",
                args([("reward", shown(&card.reward))]),
            ),
            _ => self.t(
                "feedback-punched",
                args([
                    ("program", shown(&card.program_name)),
                    ("punches", card.punches.to_string()),
                    ("needed", card.punches_needed.to_string()),
                ]),
            ),
        };
        println!("{line}");
        println!("{}", result.event.id);
    }

    pub fn voided(&self, result: &ActionResult) {
        if self.json {
            return self.print_json(&json!({ "event": result.event, "card": result.card }));
        }
        let reason = self.reason(&result.event);
        println!("{}", self.t("cli-voided", args([("reason", reason)])));
    }

    /// A void's reason in this language: the code's words, then the staff member's own.
    fn reason(&self, event: &tessera_core::ledger::Event) -> String {
        let code = event
            .reason_code
            .filter(|c| *c != tessera_core::ledger::ReasonCode::Other)
            .map(|c| {
                self.t(
                    &format!("undo-reason-{}", c.as_str().replace('_', "-")),
                    args([]),
                )
            });
        [code, shown_opt(event.reason.as_deref())]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ")
    }

    pub fn history(&self, entries: &[HistoryEntry]) {
        if self.json {
            return self.print_json(&entries);
        }
        for entry in entries {
            let e = &entry.event;
            let program = shown_opt(entry.program_name.as_deref()).unwrap_or_default();
            let what = match e.kind {
                EventKind::Enroll => self.t("event-enroll", args([])),
                EventKind::Punch => self.t(
                    "event-punch",
                    args([("count", e.amount.to_string()), ("program", program)]),
                ),
                EventKind::Redeem => self.t("event-redeem", args([("program", program)])),
                EventKind::Void => self.t("event-void", args([("reason", self.reason(e))])),
            };
            let struck = if entry.voided { " ✗" } else { "" };
            println!(
                "{}  {what}{struck}  · {}  {}",
                e.at.format("%Y-%m-%d %H:%M"),
                shown_opt(entry.staff_name.as_deref())
                    .as_deref()
                    .unwrap_or("?"),
                e.id
            );
        }
    }

    pub fn cards_written(&self, file: &std::path::Path, cards: &[IssuedCard]) {
        if self.json {
            return self.print_json(&json!({ "file": file, "count": cards.len(), "cards": cards }));
        }
        println!(
            "{}",
            self.t(
                "cli-cards-written",
                args([
                    ("count", cards.len().to_string()),
                    ("file", shown(&file.display().to_string())),
                ]),
            )
        );
    }

    pub fn card(&self, card: &IssuedCard) {
        if self.json {
            return self.print_json(card);
        }
        println!(
            "{}",
            self.t(
                "cli-card-issued",
                args([
                    ("name", shown(&card.member_name)),
                    ("code", display_code(&card.code)),
                ]),
            )
        );
        println!("{}", shown(&card.token));
    }

    pub fn card_revoked(&self, card: &RevokedCard) {
        if self.json {
            return self.print_json(card);
        }
        println!(
            "{}",
            self.t(
                "cli-card-revoked",
                args([("code", display_code(&card.code))])
            )
        );
    }

    pub fn doctor(&self, report: &DoctorReport) {
        if self.json {
            return self.print_json(report);
        }
        for check in &report.checks {
            let mark = if check.ok { "✓" } else { "✗" };
            let detail = shown_opt(check.detail.as_deref()).unwrap_or_default();
            println!("{mark} {} {detail}", shown(&check.name));
        }
        let failed = report.checks.iter().filter(|c| !c.ok).count();
        if failed == 0 {
            println!("{}", self.t("cli-doctor-ok", args([])));
        } else {
            println!(
                "{}",
                self.t("cli-doctor-problems", args([("count", failed.to_string())]))
            );
        }
        if report.rebuilt {
            println!("{}", self.t("cli-doctor-rebuilt", args([])));
        }
    }
}
