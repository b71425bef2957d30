//! `tessera member add|find`: enrolling is a staff member's (a likely duplicate is refused
//! unless `--allow-duplicate`); finding is reading, open to whoever can read the file.

use serde::Serialize;
use tessera_core::counter::enrol::{EnrollOptions, EnrollOutcome};
use tessera_core::people::members::{Member, NewMember};
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
