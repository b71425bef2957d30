//! `tessera member add|find|show|edit|consent|merge|import|export|erase|export-data`.
//! Enrolling, correcting and consent are a staff member's (a likely duplicate is refused
//! unless `--allow-duplicate`); finding and showing is reading, open to whoever can read the
//! file; merging, files of members, erasure and the access export are a manager's.

use std::path::PathBuf;

use serde::Serialize;
use tessera_core::counter::enrol::{EnrollOptions, EnrollOutcome};
use tessera_core::people::member_data::{Channel, ConsentSource, MemberDetails, MemberEdit};
use tessera_core::people::members::{Member, NewMember};
use tessera_core::people::members_csv::{ImportOptions, ImportReport};
use tessera_core::{CoreError, Result};

use super::{shared, Context};
use crate::output::{display_code, shown, shown_opt, Render, Text};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Enrol a member: prints their id and the code on their card.
    Add(AddArgs),
    /// Members by name, email, code, or a phone number in any form.
    Find(FindArgs),
    /// Two members are one person (managers): OTHER is merged into KEEP. Both cards keep
    /// working and lead to KEEP; their stamps are added together. The merge syncs.
    Merge(MergeArgs),
    /// One member: details, consent, cards and history (code, scanned token or id).
    Show { member: String },
    /// Correct a member's details (an empty --email or --phone removes it).
    Edit(EditArgs),
    /// Record a member's yes or no to marketing, per channel, with the time.
    Consent(ConsentArgs),
    /// Members from a CSV file (Excel's, any language): every row checked, likely duplicates
    /// flagged; nothing is written unless the whole file is right. Exits 1 when refused.
    Import(ImportArgs),
    /// Every member to a CSV file Excel opens (managers).
    Export { file: PathBuf },
    /// Erase a member's personal data; their card and the anonymous ledger stay (managers).
    Erase { member: String },
    /// Everything held about a member, as JSON, for their access request (managers).
    ExportData {
        member: String,
        /// Write it to this file instead of the screen.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
pub struct EditArgs {
    member: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    language: Option<String>,
    /// Month and day, MM-DD (no year); empty removes it.
    #[arg(long)]
    birthday: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum YesNo {
    Yes,
    No,
}

#[derive(clap::Args)]
pub struct ConsentArgs {
    member: String,
    #[arg(long, value_enum)]
    email: Option<YesNo>,
    #[arg(long, value_enum)]
    sms: Option<YesNo>,
    /// On the shop's panel: asked for their opinion now and then.
    #[arg(long, value_enum)]
    panel: Option<YesNo>,
}

#[derive(clap::Args)]
pub struct ImportArgs {
    file: PathBuf,
    /// Check and report only: nothing is written.
    #[arg(long)]
    dry_run: bool,
    /// Import likely duplicates too (someone else with the same phone, a shared email).
    #[arg(long)]
    allow_duplicates: bool,
}

#[derive(clap::Args)]
pub struct MergeArgs {
    /// The member who stays: their card's code (or a scanned token).
    keep: String,
    /// The member merged into them.
    other: String,
}

#[derive(clap::Args)]
pub struct AddArgs {
    #[arg(long)]
    name: String,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    language: Option<String>,
    /// Enrol even when a member has the same email, phone number or name.
    #[arg(long)]
    allow_duplicate: bool,
}

#[derive(clap::Args)]
pub struct FindArgs {
    query: String,
}

/// The member enrolled, with their code.
#[derive(Serialize)]
#[serde(transparent)]
pub struct MemberAddOutput(pub Member);

impl Render for MemberAddOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        vec![t.t(
            "cli-member-added",
            &[
                ("name", shown(&self.0.name)),
                ("code", display_code(&self.0.code)),
            ],
        )]
    }
}

/// The members found, a JSON array (empty when none).
#[derive(Serialize)]
#[serde(transparent)]
pub struct MemberFindOutput(pub Vec<Member>);

impl Render for MemberFindOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        if self.0.is_empty() {
            return vec![t.t("cli-no-members", &[])];
        }
        self.0
            .iter()
            .map(|m| {
                let contact = [shown_opt(m.email.as_deref()), shown_opt(m.phone.as_deref())]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · ");
                format!("{}  {}  {contact}", display_code(&m.code), shown(&m.name))
            })
            .collect()
    }
}

pub async fn run(command: Command, cx: &Context<'_>) -> Result<()> {
    match command {
        Command::Add(args) => add(args, cx).await,
        Command::Find(args) => {
            // A merged member is found as the member they stand for.
            let found = cx.store.find_member_views(&args.query).await?;
            cx.out.print(&MemberFindOutput(
                found.into_iter().map(|view| view.member).collect(),
            ));
            Ok(())
        }
        Command::Show { member } => {
            let id = shared::member_id(cx.store, &member).await?;
            cx.out
                .print(&MemberShowOutput(cx.store.member_details(id).await?));
            Ok(())
        }
        Command::Edit(args) => {
            let actor = shared::signed_in(cx).await?;
            let id = shared::member_id(cx.store, &args.member).await?;
            let edit = MemberEdit {
                name: args.name,
                email: args.email,
                phone: args.phone,
                language: args.language,
                birthday: args.birthday,
            };
            cx.store.edit_member(&actor, id, &edit).await?;
            cx.out
                .print(&MemberShowOutput(cx.store.member_details(id).await?));
            Ok(())
        }
        Command::Consent(args) => {
            let actor = shared::signed_in(cx).await?;
            let id = shared::member_id(cx.store, &args.member).await?;
            let answers = [
                (Channel::Email, args.email),
                (Channel::Sms, args.sms),
                (Channel::Panel, args.panel),
            ];
            for (channel, answer) in answers {
                if let Some(answer) = answer {
                    let granted = matches!(answer, YesNo::Yes);
                    cx.store
                        .set_consent(&actor, id, channel, granted, ConsentSource::Cli)
                        .await?;
                }
            }
            cx.out
                .print(&MemberShowOutput(cx.store.member_details(id).await?));
            Ok(())
        }
        Command::Import(args) => {
            let actor = shared::signed_in(cx).await?;
            let bytes = std::fs::read(&args.file).map_err(|_| CoreError::FileUnreadable {
                path: args.file.display().to_string(),
            })?;
            let options = ImportOptions {
                dry_run: args.dry_run,
                allow_duplicates: args.allow_duplicates,
            };
            let report = cx.store.import_members(&actor, &bytes, options).await?;
            let refused = !report.written && !args.dry_run;
            cx.out.print(&ImportOutput(report));
            if refused {
                // The report says why; the status says it to a script.
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Export { file } => {
            let actor = shared::signed_in(cx).await?;
            let csv = cx.store.export_members(&actor).await?;
            tessera_core::support::files::write_file(&file, &csv)?;
            cx.out.print(&WrittenOutput {
                file: file.display().to_string(),
            });
            Ok(())
        }
        Command::Erase { member } => {
            let actor = shared::signed_in(cx).await?;
            let id = shared::member_id(cx.store, &member).await?;
            cx.store.erase_member(&actor, id).await?;
            cx.out
                .print(&MemberShowOutput(cx.store.member_details(id).await?));
            Ok(())
        }
        Command::ExportData { member, out } => {
            let actor = shared::signed_in(cx).await?;
            let id = shared::member_id(cx.store, &member).await?;
            let details = cx.store.export_member_data(&actor, id).await?;
            match out {
                Some(file) => {
                    let json = serde_json::to_vec_pretty(&details)
                        .map_err(|e| CoreError::internal("member data export", e))?;
                    tessera_core::support::files::write_file(&file, &json)?;
                    cx.out.print(&WrittenOutput {
                        file: file.display().to_string(),
                    });
                }
                // The export is JSON whatever the output mode: it is for the member.
                None => crate::output::to_stdout(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&details)
                        .map_err(|e| CoreError::internal("member data export", e))?
                )),
            }
            Ok(())
        }
        Command::Merge(args) => {
            let keep = shared::member_by_code(cx.store, &args.keep).await?;
            let other = shared::member_by_code(cx.store, &args.other).await?;
            let actor = shared::signed_in(cx).await?;
            let kept = cx
                .store
                .merge_members(&actor, keep.member.id, other.member.id)
                .await?;
            cx.out.print(&super::scan::ScanOutput(kept));
            Ok(())
        }
    }
}

async fn add(args: AddArgs, cx: &Context<'_>) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    let new = NewMember {
        name: args.name,
        email: args.email,
        phone: args.phone,
        language: args.language,
    };
    let options = EnrollOptions {
        allow_likely_duplicate: args.allow_duplicate,
        first_stamp: None,
    };
    match cx.store.enroll_with(&actor, &new, &options).await? {
        EnrollOutcome::Enrolled { member, .. } => {
            cx.out.print(&MemberAddOutput(member));
            Ok(())
        }
        // The app asks the cashier; a script is refused, and names the first look-alike.
        EnrollOutcome::LikelyDuplicates { members } => {
            let first = &members[0].member;
            Err(CoreError::LikelyDuplicate {
                name: first.name.clone(),
                code: first.code.clone(),
            })
        }
    }
}

/// A member in full.
#[derive(Serialize)]
#[serde(transparent)]
pub struct MemberShowOutput(pub MemberDetails);

impl Render for MemberShowOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let d = &self.0;
        let m = &d.member;
        if d.erased_at.is_some() {
            return vec![t.t("cli-member-erased", &[("code", display_code(&m.code))])];
        }
        let mut lines = vec![format!("{}  {}", display_code(&m.code), shown(&m.name))];
        for value in [m.email.as_deref(), m.phone.as_deref()]
            .into_iter()
            .flatten()
        {
            lines.push(format!("  {}", shown(value)));
        }
        if let Some(birthday) = &d.birthday {
            lines.push(format!(
                "  {}",
                t.t("cli-member-birthday", &[("day", birthday.clone())])
            ));
        }
        let answers = [
            ("email", &d.consent.email),
            ("sms", &d.consent.sms),
            ("panel", &d.consent.panel),
        ];
        for (channel, consent) in answers {
            let said = match consent {
                Some(c) if c.granted => t.t(
                    "cli-consent-yes",
                    &[("date", c.at.format("%Y-%m-%d").to_string())],
                ),
                Some(c) => t.t(
                    "cli-consent-no",
                    &[("date", c.at.format("%Y-%m-%d").to_string())],
                ),
                None => t.t("cli-consent-unasked", &[]),
            };
            lines.push(format!("  {channel}: {said}"));
        }
        for card in &d.cards {
            lines.push(format!(
                "  {} · {}",
                shown(&card.program_name),
                t.t(
                    "card-stamps",
                    &[
                        ("punches", card.punches.to_string()),
                        ("needed", card.punches_needed.to_string())
                    ]
                )
            ));
        }
        lines
    }
}

/// An import's report: what was read, every problem by line and column, the duplicates.
#[derive(Serialize)]
#[serde(transparent)]
pub struct ImportOutput(pub ImportReport);

impl Render for ImportOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let r = &self.0;
        let mut lines = vec![t.t(
            if r.written {
                "cli-import-written"
            } else {
                "cli-import-read"
            },
            &[
                ("rows", r.rows.to_string()),
                ("added", r.added.to_string()),
                ("encoding", r.encoding.clone()),
            ],
        )];
        for p in &r.problems {
            lines.push(t.t(
                "cli-import-problem",
                &[
                    ("line", p.line.to_string()),
                    ("field", p.field.clone()),
                    ("error", t.error_text(&p.error)),
                ],
            ));
        }
        for d in &r.duplicates {
            let with = match (&d.member, d.other_line) {
                (Some(code), _) => display_code(code),
                (None, Some(line)) => t.t("cli-import-line", &[("line", line.to_string())]),
                (None, None) => String::new(),
            };
            lines.push(t.t(
                "cli-import-duplicate",
                &[
                    ("line", d.line.to_string()),
                    ("field", d.field.clone()),
                    ("with", with),
                ],
            ));
        }
        lines
    }
}

/// A file written: its path.
#[derive(Serialize)]
pub struct WrittenOutput {
    pub file: String,
}

impl Render for WrittenOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        vec![t.t("cli-file-written", &[("file", self.file.clone())])]
    }
}
