//! `tessera program add|list`: punch-card programs. Adding is a manager's; listing is reading,
//! open to whoever can read the database file.

use serde::Serialize;
use tessera_core::counter::programs::{NewProgram, Program};
use tessera_core::Result;

use super::{shared, Context};
use crate::output::{shown, Render, Text};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Add a program: so many stamps for a reward (managers).
    Add(AddArgs),
    /// Every program, active or not.
    List,
}

#[derive(clap::Args)]
pub struct AddArgs {
    #[arg(long)]
    name: String,
    #[arg(long, allow_negative_numbers = true)]
    punches: i64,
    #[arg(long)]
    reward: String,
}

/// The program added; its id is what `--program` takes.
#[derive(Serialize)]
#[serde(transparent)]
pub struct ProgramAddOutput(pub Program);

impl Render for ProgramAddOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let program = &self.0;
        vec![
            t.t(
                "cli-program-added",
                &[
                    ("program", shown(&program.name)),
                    ("needed", program.punches_needed.to_string()),
                    ("reward", shown(&program.reward)),
                ],
            ),
            program.id.to_string(),
        ]
    }
}

/// Every program, a JSON array.
#[derive(Serialize)]
#[serde(transparent)]
pub struct ProgramListOutput(pub Vec<Program>);

impl Render for ProgramListOutput {
    fn text(&self, _: &Text) -> Vec<String> {
        self.0
            .iter()
            .map(|p| {
                let state = if p.active { "" } else { " (-)" };
                format!(
                    "{}  {} · {} → {}{state}",
                    p.id,
                    shown(&p.name),
                    p.punches_needed,
                    shown(&p.reward)
                )
            })
            .collect()
    }
}

pub async fn run(command: Command, cx: &Context<'_>) -> Result<()> {
    match command {
        Command::Add(args) => {
            let actor = shared::signed_in(cx).await?;
            let new = NewProgram {
                name: args.name,
                punches_needed: args.punches,
                reward: args.reward,
            };
            let program = cx.store.add_program(&actor, &new).await?;
            cx.out.print(&ProgramAddOutput(program));
        }
        Command::List => cx.out.print(&ProgramListOutput(cx.store.programs().await?)),
    }
    Ok(())
}
