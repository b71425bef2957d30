//! `tessera dev seed --members N --events M [--years Y] [--seed S]` (managers): a history
//! generated from a seed on this till, for benchmarks and report timings. Never on a real
//! shop's database: it writes members and events that never happened.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use tessera_core::ids::{EventId, MemberId};
use tessera_core::ledger::{Event, ReasonCode, VoidReason};
use tessera_core::people::members::NewMember;
use tessera_core::support::seed::{SeedPlan, Seeded};
use tessera_core::{CoreError, Result};

use super::{shared, Context};
use crate::output::{Render, Text};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Members enrolled over the last years and their visits, from a seed (benchmarks only).
    Seed(SeedArgs),
    /// Enrolments, punches, redemptions and voids as fast as the counter allows, each answered
    /// once it is written for good (the crash test kills it at random moments).
    Storm(StormArgs),
}

#[derive(clap::Args)]
pub struct StormArgs {
    /// Where the random choices start.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Stop after this many actions.
    #[arg(long, default_value_t = 1000)]
    actions: u64,
}

/// One action the storm wrote: committed before this is printed.
#[derive(Serialize)]
pub struct Acknowledged {
    pub kind: &'static str,
    pub member: MemberId,
    /// The ledger event (none for an enrolment: the member is what it wrote).
    pub event: Option<EventId>,
    /// What a void cancelled.
    pub voids: Option<EventId>,
}

impl Render for Acknowledged {
    fn text(&self, t: &Text) -> Vec<String> {
        let event = self.event.map_or(String::new(), |e| e.to_string());
        vec![t.t(
            "cli-dev-storm-written",
            &[("kind", self.kind.to_string()), ("event", event)],
        )]
    }
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
        Command::Storm(args) => storm(cx, &args).await,
    }
}

/// The crash test's load: a counter at full speed. Members are this run's own enrolments and
/// the earlier runs' (found by name); a void cancels this run's latest punch or redemption.
async fn storm(cx: &Context<'_>, args: &StormArgs) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut members: Vec<MemberId> = cx
        .store
        .find_members(STORM_NAME)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let mut voidable: Vec<EventId> = Vec::new();
    for n in 0..args.actions {
        let roll = rng.gen_range(0..100);
        let ack = if roll < 20 || members.is_empty() {
            let new = NewMember {
                name: format!("{STORM_NAME} {}-{n}", args.seed),
                ..NewMember::default()
            };
            let member = cx.store.enroll(&actor, &new).await?;
            members.push(member.id);
            Some(Acknowledged {
                kind: "enroll",
                member: member.id,
                event: None,
                voids: None,
            })
        } else if roll < 70 {
            let member = members[rng.gen_range(0..members.len())];
            let done = cx.store.punch(&actor, member, None, 1).await?;
            voidable.push(done.event.id);
            Some(acknowledged("punch", &done.event))
        } else if roll < 85 {
            let member = members[rng.gen_range(0..members.len())];
            match cx.store.redeem(&actor, member, None).await {
                Ok(done) => {
                    voidable.push(done.event.id);
                    Some(acknowledged("redeem", &done.event))
                }
                Err(CoreError::NothingToRedeem) => None,
                Err(e) => return Err(e),
            }
        } else if let Some(target) = voidable.pop() {
            let reason = VoidReason::code(ReasonCode::ScannedTwice);
            let done = cx.store.void(&actor, target, &reason).await?;
            Some(acknowledged("void", &done.event))
        } else {
            None
        };
        if let Some(ack) = ack {
            cx.out.print(&ack);
        }
    }
    Ok(())
}

const STORM_NAME: &str = "Storm";

fn acknowledged(kind: &'static str, event: &Event) -> Acknowledged {
    Acknowledged {
        kind,
        member: event.member_id,
        event: Some(event.id),
        voids: event.voids,
    }
}
