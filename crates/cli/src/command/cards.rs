//! `tessera cards pdf|test-page|show|revoke|reissue|printers`: loyalty cards, all a manager's (a
//! card's token is a copy of the card, so even showing one is). `--print` sends the PDF written
//! to the printer (the till's, from its settings, unless `--printer` names one) through CUPS.

use std::path::PathBuf;

use serde::Serialize;
use tessera_core::cards::print::Selection;
use tessera_core::cards::registry::{IssuedCard, RevokedCard};
use tessera_core::codes::member_code::MemberCode;
use tessera_core::ids::MemberId;
use tessera_core::support::printing::{self, PrintJob, Printers};
use tessera_core::{Result, Store};

use super::{shared, Context};
use crate::output::{display_code, shown, Render, Text};

#[derive(clap::Subcommand)]
pub enum Command {
    /// A PDF of members' cards.
    Pdf(PdfArgs),
    /// A page with a ruler and a sample card, to check the printer's scaling.
    TestPage(TestPageArgs),
    /// A member's current card: its code and QR token.
    Show(CodeArgs),
    /// Refuse a lost card from now on (the member keeps their history).
    Revoke(CodeArgs),
    /// Revoke a card and issue a new one; prints the new code and token.
    Reissue(CodeArgs),
    /// The printers this computer's print service (CUPS) knows, and its default.
    Printers,
}

#[derive(clap::Args)]
pub struct PdfArgs {
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// cr80 (one card per page, card printers) or a4-10 (A4 sheets of 10, office printers).
    #[arg(long, default_value = "cr80")]
    layout: String,
    /// `all`, or member ids / card codes separated by commas.
    #[arg(long, default_value = "all")]
    members: String,
    /// Print every card in this language instead of each member's own.
    #[arg(long)]
    language: Option<String>,
    #[command(flatten)]
    print: PrintArgs,
}

#[derive(clap::Args)]
pub struct TestPageArgs {
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    print: PrintArgs,
}

#[derive(clap::Args)]
pub struct PrintArgs {
    /// Also send the PDF to the printer (the till's setting, or the system's default).
    #[arg(long)]
    print: bool,
    /// The printer to send it to (implies --print).
    #[arg(long, value_name = "NAME")]
    printer: Option<String>,
}

impl PrintArgs {
    /// Sends `file` if asked: to `--printer`, else the till's printer, else the default.
    pub async fn send(&self, store: &Store, file: &std::path::Path) -> Result<Option<PrintJob>> {
        if !self.print && self.printer.is_none() {
            return Ok(None);
        }
        store
            .print_file(file, self.printer.as_deref())
            .await
            .map(Some)
    }
}

#[derive(clap::Args)]
pub struct CodeArgs {
    code: String,
}

/// The PDF written: its path and each card on it (`cards` is empty for the test page).
#[derive(Serialize)]
pub struct CardsWrittenOutput {
    pub file: PathBuf,
    pub count: usize,
    pub cards: Vec<IssuedCard>,
    /// With `--print`: the job the print service accepted.
    pub printed: Option<PrintJob>,
}

impl Render for CardsWrittenOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let mut lines = vec![t.t(
            "cli-cards-written",
            &[
                ("count", self.count.to_string()),
                ("file", shown(&self.file.display().to_string())),
            ],
        )];
        lines.extend(self.printed.as_ref().map(|job| printed_line(t, job)));
        lines
    }
}

/// "Sent to the printer …, job …": what the print service accepted.
pub fn printed_line(t: &Text, job: &PrintJob) -> String {
    let printer = job
        .printer
        .as_deref()
        .map_or_else(|| t.t("cli-printer-default", &[]), shown);
    t.t(
        "cli-printed",
        &[("printer", printer), ("job", shown(&job.job))],
    )
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct PrintersOutput(pub Printers);

impl Render for PrintersOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        if self.0.names.is_empty() {
            return vec![t.t("cli-printers-none", &[])];
        }
        self.0
            .names
            .iter()
            .map(|name| {
                let default = self.0.default.as_deref() == Some(name.as_str());
                let name = shown(name);
                if default {
                    format!("{name} {}", t.t("cli-printer-is-default", &[]))
                } else {
                    name
                }
            })
            .collect()
    }
}

/// A member's current card (`show`, and the new one after `reissue`): its code and token.
#[derive(Serialize)]
#[serde(transparent)]
pub struct CardOutput(pub IssuedCard);

impl Render for CardOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let card = &self.0;
        vec![
            t.t(
                "cli-card-issued",
                &[
                    ("name", shown(&card.member_name)),
                    ("code", display_code(&card.code)),
                ],
            ),
            shown(&card.token),
        ]
    }
}

/// The card refused from now on, and since when.
#[derive(Serialize)]
#[serde(transparent)]
pub struct CardRevokedOutput(pub RevokedCard);

impl Render for CardRevokedOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        vec![t.t("cli-card-revoked", &[("code", display_code(&self.0.code))])]
    }
}

pub async fn run(command: Command, cx: &Context<'_>) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    let store = cx.store;
    match command {
        Command::Pdf(args) => {
            let selection = if args.members.trim() == "all" {
                Selection::All
            } else {
                Selection::Members(args.members.split(',').map(str::to_string).collect())
            };
            let printed = store
                .print_cards(
                    &actor,
                    &selection,
                    args.layout.parse()?,
                    args.language.as_deref(),
                    &mut |_, _| {},
                )
                .await?;
            tessera_core::support::files::write_file(&args.out, &printed.pdf)?;
            let job = args.print.send(store, &args.out).await?;
            cx.out.print(&CardsWrittenOutput {
                file: args.out,
                count: printed.cards.len(),
                cards: printed.cards,
                printed: job,
            });
        }
        Command::TestPage(args) => {
            tessera_core::support::files::write_file(
                &args.out,
                &store.print_test_page(&actor).await?,
            )?;
            let job = args.print.send(store, &args.out).await?;
            cx.out.print(&CardsWrittenOutput {
                file: args.out,
                count: 0,
                cards: Vec::new(),
                printed: job,
            });
        }
        Command::Printers => {
            cx.out.print(&PrintersOutput(printing::printers()));
        }
        Command::Show(args) => {
            let card = store.card_code(&args.code).await?;
            let member = member_of_card(store, &card).await?;
            cx.out
                .print(&CardOutput(store.current_card(&actor, member).await?));
        }
        Command::Revoke(args) => {
            let revoked = store.revoke_card(&actor, &args.code).await?;
            cx.out.print(&CardRevokedOutput(revoked));
        }
        Command::Reissue(args) => {
            let card = store.reissue_card(&actor, &args.code).await?;
            cx.out.print(&CardOutput(card));
        }
    }
    Ok(())
}

async fn member_of_card(store: &Store, code: &MemberCode) -> Result<MemberId> {
    Ok(shared::member_by_code(store, code.as_str())
        .await?
        .member
        .id)
}
