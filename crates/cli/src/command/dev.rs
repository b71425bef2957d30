//! `tessera dev seed --members N --events M [--years Y] [--seed S]` (managers): a history
//! generated from a seed on this till, for benchmarks and report timings. Never on a real
//! shop's database: it writes members and events that never happened.

use serde::Serialize;
use tessera_core::support::seed::{SeedPlan, Seeded};
use tessera_core::Result;

use super::{shared, Context};
use crate::output::{Render, Text};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Members enrolled over the last years and their visits, from a seed (benchmarks only).
    Seed(SeedArgs),
}

#[derive(clap::Args)]
pub struct SeedArgs {
    #[arg(long, default_value_t = 1000)]
    members: u64,
    /// About this many events in all, enrolments included.
    #[arg(long, default_value_t = 20_000)]
    events: u64,
    #[arg(long, default_value_t = 3)]
    years: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct SeedOutput(pub Seeded);

impl Render for SeedOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        vec![t.t(
            "cli-dev-seeded",
            &[
                ("members", self.0.members.to_string()),
                ("events", self.0.events.to_string()),
            ],
        )]
    }
}

pub async fn run(command: Command, cx: &Context<'_>) -> Result<()> {
    match command {
        Command::Seed(args) => {
            let actor = shared::signed_in(cx).await?;
            let plan = SeedPlan {
                members: args.members,
                events: args.events,
                years: args.years,
                seed: args.seed,
            };
            // Progress on stderr: stdout stays the answer.
            let seeded = cx
                .store
                .seed_history(&actor, plan, |so_far| {
                    if so_far.members % 50_000 == 0 {
                        let args = [
                            ("done", so_far.members.to_string()),
                            ("members", plan.members.to_string()),
                            ("events", so_far.events.to_string()),
                        ];
                        cx.out.note("cli-dev-seed-progress", &args);
                    }
                })
                .await?;
            cx.out.print(&SeedOutput(seeded));
            Ok(())
        }
    }
}
