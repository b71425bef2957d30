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
        .unwrap_or_else(|_| code.to_string())
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
        let message = self.messages.error(error);
        if self.json {
            self.print_json(&json!({ "error": { "code": error.code(), "message": message } }));
        } else {
            eprintln!("{message} [{}]", error.code());
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
                    ("shop", set_up.shop.name.clone()),
                    ("manager", set_up.manager.name.clone()),
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
                    ("program", program.name.clone()),
                    ("needed", program.punches_needed.to_string()),
                    ("reward", program.reward.clone()),
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
                p.id, p.name, p.punches_needed, p.reward
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
                    ("name", member.name.clone()),
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
            let contact = [m.email.as_deref(), m.phone.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            println!("{}  {}  {contact}", display_code(&m.code), m.name);
        }
    }

    pub fn member_view(&self, view: &MemberView) {
        if self.json {
            return self.print_json(view);
        }
        println!("{} ({})", view.member.name, display_code(&view.member.code));
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
            println!("  {}: {stamps} · {rewards}", card.program_name);
        }
    }

    pub fn action(&self, json: Value, result: &ActionResult) {
        if self.json {
            return self.print_json(&json);
        }
        let card = &result.card;
        let line = match result.event.kind {
            EventKind::Redeem => {
                self.t("feedback-redeemed", args([("reward", card.reward.clone())]))
            }
            _ if result.rewards_earned_now > 0 => self.t(
                "feedback-reward-earned",
                args([("reward", card.reward.clone())]),
            ),
            _ => self.t(
                "feedback-punched",
                args([
                    ("program", card.program_name.clone()),
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
        [code, event.reason.clone()]
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
            let program = entry.program_name.clone().unwrap_or_default();
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
                entry.staff_name.as_deref().unwrap_or("?"),
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
                    ("file", file.display().to_string()),
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
                    ("name", card.member_name.clone()),
                    ("code", display_code(&card.code)),
                ]),
            )
        );
        println!("{}", card.token);
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
            let detail = check.detail.as_deref().unwrap_or("");
            println!("{mark} {} {detail}", check.name);
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
