//! `tessera we-did add|list|withdraw`: "you said, we did", what the shop changed after feedback,
//! in the manager's words (docs/decisions/0032-surveys.md). The newest show on the survey page.

use serde::Serialize;
use tessera_core::care::surveys::WeDid;
use tessera_core::{CoreError, Result};

use super::{shared, Context};
use crate::output::{shown, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Say what changed ("More seats by the window, as you asked"); managers.
    Add { text: String },
    /// The entries standing now, newest first.
    List,
    /// Take an entry off the survey page; managers.
    Withdraw { id: String },
}

#[derive(Serialize)]
#[serde(transparent)]
struct WeDidOutput(Vec<WeDid>);

impl Render for WeDidOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        if self.0.is_empty() {
            return vec![t.t("cli-we-did-none", &[])];
        }
        self.0
            .iter()
            .map(|w| {
                format!(
                    "{}  {}  {}",
                    t.date(w.written_at.date_naive()),
                    shown(&w.text),
                    w.id
                )
            })
            .collect()
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    match args.command {
        Command::Add { text } => {
            let actor = shared::signed_in(cx).await?;
            let entry = cx.store.add_we_did(&actor, &text).await?;
            cx.out.print(&WeDidOutput(vec![entry]));
        }
        Command::List => {
            cx.out
                .print(&WeDidOutput(cx.store.we_did_list(i64::MAX).await?));
        }
        Command::Withdraw { id } => {
            let actor = shared::signed_in(cx).await?;
            let id = id.trim().parse().map_err(|_| CoreError::WeDidNotFound)?;
            cx.store.withdraw_we_did(&actor, id).await?;
            cx.out
                .print(&WeDidOutput(cx.store.we_did_list(i64::MAX).await?));
        }
    }
    Ok(())
}
