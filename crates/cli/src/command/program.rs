//! `tessera program add|edit|pause|resume|retire|list`: the shop's programs, stamps or points.
//! Changing one is a manager's; listing is reading, open to whoever can read the database file.

use serde::Serialize;
use tessera_core::counter::programs::{
    NewProgram, PointsReward, Program, ProgramEdit, ProgramEdited, ProgramKind, ProgramStatus,
};
use tessera_core::Result;

use super::{shared, Context};
use crate::output::{shown, Render, Text};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Add a program (managers): so many stamps for a reward, or points for what is spent
    /// (`--points-per-unit` and one `--tier` per reward).
    Add(AddArgs),
    /// Rename a program or change what it gives (managers). A new number of stamps or a new
    /// expiry makes a new program; members keep what they earned on the old one.
    Edit(EditArgs),
    /// Stop punches in a program until it is resumed (managers). Rewards earned stay.
    Pause { program: String },
    /// Take punches in a paused program again (managers).
    Resume { program: String },
    /// End a program for good (managers). Rewards earned on it can still be redeemed.
    Retire { program: String },
    /// Every program, active, paused or retired.
    List,
}

#[derive(clap::Args)]
pub struct AddArgs {
    #[arg(long)]
    name: String,
    /// Stamps for a reward (a stamps program).
    #[arg(long, allow_negative_numbers = true)]
    punches: Option<i64>,
    /// The reward (a stamps program).
    #[arg(long)]
    reward: Option<String>,
    /// Points for each whole unit of currency spent: makes a points program.
    #[arg(long, allow_negative_numbers = true)]
    points_per_unit: Option<i64>,
    #[command(flatten)]
    terms: Terms,
}

#[derive(clap::Args)]
pub struct EditArgs {
    program: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    reward: Option<String>,
    #[arg(long, allow_negative_numbers = true)]
    punches: Option<i64>,
    #[arg(long, allow_negative_numbers = true)]
    points_per_unit: Option<i64>,
    #[command(flatten)]
    terms: Terms,
}

/// What add and edit both take besides the basics.
#[derive(clap::Args)]
pub struct Terms {
    /// A reward of a points program, as POINTS=REWARD ("100=A coffee"); repeat for each.
    #[arg(long = "tier", value_parser = parse_tier)]
    tiers: Vec<PointsReward>,
    /// Rewards lapse so many days after they are earned (0 when editing: never).
    #[arg(long, allow_negative_numbers = true)]
    expires_after: Option<i64>,
    /// Minutes a member waits between two punches, unless the cashier gives a reason (0 when
    /// editing: no minimum).
    #[arg(long, allow_negative_numbers = true)]
    min_gap: Option<i64>,
}

fn parse_tier(text: &str) -> std::result::Result<PointsReward, String> {
    let (points, reward) = text
        .split_once('=')
        .ok_or_else(|| "POINTS=REWARD, like 100=A coffee".to_string())?;
    Ok(PointsReward {
        points: points
            .trim()
            .parse()
            .map_err(|_| format!("{points}: not a number"))?,
        reward: reward.trim().to_string(),
    })
}

/// One program, as JSON: the program itself.
#[derive(Serialize)]
#[serde(transparent)]
pub struct ProgramOutput(pub Program);

/// What a program gives, in words: "9 stamps → a coffee", or "1 point per unit: 100 → …".
fn terms(t: &Text, program: &Program) -> String {
    match program.kind {
        ProgramKind::Stamps => t.t(
            "program-terms-stamps",
            &[
                ("needed", program.punches_needed.to_string()),
                ("reward", shown(&program.reward)),
            ],
        ),
        ProgramKind::Points => {
            let tiers: Vec<String> = program
                .tiers
                .iter()
                .map(|tier| format!("{} → {}", tier.points, shown(&tier.reward)))
                .collect();
            t.t(
                "program-terms-points",
                &[
                    ("points", program.points_per_unit.unwrap_or(0).to_string()),
                    ("tiers", tiers.join(", ")),
                ],
            )
        }
    }
}

fn status_word(t: &Text, status: ProgramStatus) -> String {
    t.t(
        match status {
            ProgramStatus::Active => "program-status-active",
            ProgramStatus::Paused => "program-status-paused",
            ProgramStatus::Retired => "program-status-retired",
        },
        &[],
    )
}

impl Render for ProgramOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let program = &self.0;
        vec![
            format!(
                "{} · {} · {}",
                shown(&program.name),
                terms(t, program),
                status_word(t, program.status())
            ),
            program.id.to_string(),
        ]
    }
}

/// An edit: the program, and the one it replaced when it made a new one.
#[derive(Serialize)]
#[serde(transparent)]
pub struct ProgramEditedOutput(pub ProgramEdited);

impl Render for ProgramEditedOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let mut lines = ProgramOutput(self.0.program.clone()).text(t);
        if let Some(old) = self.0.replaced {
            lines.push(t.t("cli-program-replaced", &[("old", old.to_string())]));
        }
        lines
    }
}

/// Every program, a JSON array.
#[derive(Serialize)]
#[serde(transparent)]
pub struct ProgramListOutput(pub Vec<Program>);

impl Render for ProgramListOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        self.0
            .iter()
            .map(|p| {
                format!(
                    "{}  {} · {} · {}",
                    p.id,
                    shown(&p.name),
                    terms(t, p),
                    status_word(t, p.status())
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
                kind: args.points_per_unit.map(|_| ProgramKind::Points),
                punches_needed: args.punches.unwrap_or(0),
                reward: args.reward.unwrap_or_default(),
                points_per_unit: args.points_per_unit,
                tiers: Some(args.terms.tiers),
                reward_days: args.terms.expires_after,
                min_gap_minutes: args.terms.min_gap,
            };
            let program = cx.store.add_program(&actor, &new).await?;
            cx.out.print(&ProgramOutput(program));
        }
        Command::Edit(args) => {
            let actor = shared::signed_in(cx).await?;
            let program = cx.store.program_named(&args.program).await?;
            let edit = ProgramEdit {
                name: args.name,
                reward: args.reward,
                punches_needed: args.punches,
                points_per_unit: args.points_per_unit,
                tiers: (!args.terms.tiers.is_empty()).then_some(args.terms.tiers),
                reward_days: args.terms.expires_after,
                min_gap_minutes: args.terms.min_gap,
            };
            let edited = cx.store.edit_program(&actor, program.id, &edit).await?;
            cx.out.print(&ProgramEditedOutput(edited));
        }
        Command::Pause { program } => {
            let actor = shared::signed_in(cx).await?;
            let id = cx.store.program_named(&program).await?.id;
            let program = cx.store.pause_program(&actor, id).await?;
            cx.out.print(&ProgramOutput(program));
        }
        Command::Resume { program } => {
            let actor = shared::signed_in(cx).await?;
            let id = cx.store.program_named(&program).await?.id;
            let program = cx.store.resume_program(&actor, id).await?;
            cx.out.print(&ProgramOutput(program));
        }
        Command::Retire { program } => {
            let actor = shared::signed_in(cx).await?;
            let id = cx.store.program_named(&program).await?.id;
            let program = cx.store.retire_program(&actor, id).await?;
            cx.out.print(&ProgramOutput(program));
        }
        Command::List => cx.out.print(&ProgramListOutput(cx.store.programs().await?)),
    }
    Ok(())
}
