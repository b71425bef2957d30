//! `tessera conflicts`: redemptions sync found the card could not pay for (the same reward
//! given in two shops while they were apart); `conflicts resolve ID --accept|--charge-back
//! --reason TEXT` settles one (a manager's), with an event that syncs.

use serde::Serialize;
use tessera_core::counter::conflicts::{Conflict, Settled, Settlement};
use tessera_core::ids::EventId;
use tessera_core::ledger::EventKind;
use tessera_core::{CoreError, Result};

use super::{shared, Context};
use crate::output::{display_code, shown, shown_opt, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    resolve: Option<Resolve>,
}

#[derive(clap::Subcommand)]
enum Resolve {
    /// Settle one conflict (managers): accept the loss, or take it from the next reward.
    Resolve {
        /// The conflict's id (the redemption's), from `tessera conflicts`.
        id: String,
        /// The shop takes the loss: the card no longer owes the reward.
        #[arg(
            long,
            conflicts_with = "charge_back",
            required_unless_present = "charge_back"
        )]
        accept: bool,
        /// The next reward the card earns pays for this one.
        #[arg(long)]
        charge_back: bool,
        /// Why (kept in the ledger with the decision).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct ConflictsOutput(pub Vec<Conflict>);

impl Render for ConflictsOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        if self.0.is_empty() {
            return vec![t.t("cli-conflicts-none", &[])];
        }
        self.0
            .iter()
            .map(|c| {
                let unknown = || "?".to_string();
                t.t(
                    "cli-conflict",
                    &[
                        ("id", c.id.to_string()),
                        (
                            "member",
                            shown_opt(c.member_name.as_deref()).unwrap_or_else(unknown),
                        ),
                        (
                            "code",
                            c.member_code
                                .as_deref()
                                .map(display_code)
                                .unwrap_or_else(unknown),
                        ),
                        (
                            "program",
                            match c.coupon_id {
                                Some(_) => t.t(
                                    "conflict-coupon",
                                    &[(
                                        "coupon",
                                        shown_opt(c.coupon_text.as_deref()).unwrap_or_else(unknown),
                                    )],
                                ),
                                None => {
                                    shown_opt(c.program_name.as_deref()).unwrap_or_else(unknown)
                                }
                            },
                        ),
                        (
                            "shop",
                            c.shop_name.as_deref().map(shown).unwrap_or_else(unknown),
                        ),
                        ("at", c.at.format("%Y-%m-%d %H:%M").to_string()),
                        ("balance", c.balance.to_string()),
                    ],
                )
            })
            .collect()
    }
}

/// A settlement: its event (`event.id`, `event.kind`) and the card as it now stands (`null` for
/// a coupon).
#[derive(Serialize)]
#[serde(transparent)]
pub struct SettledOutput(pub Settled);

impl Render for SettledOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let event = &self.0.event;
        let key = match event.kind {
            EventKind::ChargeBack => "event-charge-back",
            _ => "event-forgive",
        };
        vec![
            t.t(key, &[("reason", t.reason(event))]),
            event.id.to_string(),
        ]
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    match args.resolve {
        None => {
            cx.out.print(&ConflictsOutput(cx.store.conflicts().await?));
            Ok(())
        }
        Some(Resolve::Resolve {
            id,
            accept,
            charge_back: _,
            reason,
        }) => {
            let id: EventId = id.trim().parse().map_err(|_| CoreError::NoSuchConflict)?;
            let settlement = if accept {
                Settlement::Accept
            } else {
                Settlement::ChargeBack
            };
            let actor = shared::signed_in(cx).await?;
            let result = cx
                .store
                .settle_conflict(&actor, id, settlement, &reason)
                .await?;
            cx.out.print(&SettledOutput(result));
            Ok(())
        }
    }
}
