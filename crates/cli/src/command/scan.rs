//! `tessera scan`: decodes a scanned or typed code (a card's QR token, a code in any case or
//! grouping) as the counter does, and shows the member and each card. Reading: no sign-in.

use serde::Serialize;
use tessera_core::counter::lookup::MemberView;
use tessera_core::Result;

use super::{shared, Context};
use crate::output::{display_code, shown, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    input: String,
}

/// The member and each of their cards, as the counter shows them after a scan.
#[derive(Serialize)]
#[serde(transparent)]
pub struct ScanOutput(pub MemberView);

impl Render for ScanOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let view = &self.0;
        let name = if view.new_here {
            t.t("member-new-here", &[])
        } else {
            shown(&view.member.name)
        };
        let mut lines = vec![format!("{name} ({})", display_code(&view.member.code))];
        for card in &view.cards {
            let stamps = t.t(
                "card-stamps",
                &[
                    ("punches", card.punches.to_string()),
                    ("needed", card.punches_needed.to_string()),
                ],
            );
            let rewards = if card.rewards_available > 0 {
                t.t(
                    "rewards-ready",
                    &[("count", card.rewards_available.to_string())],
                )
            } else {
                t.t("no-reward", &[])
            };
            lines.push(format!(
                "  {}: {stamps} · {rewards}",
                shown(&card.program_name)
            ));
        }
        lines
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    let view = shared::member_by_code(cx.store, &args.input).await?;
    cx.out.print(&ScanOutput(view));
    Ok(())
}
