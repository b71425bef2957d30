//! `tessera void`: cancels an earlier punch or redemption with a compensating event (nothing is
//! deleted). A manager's: a cashier's own recent mistakes are the app's Undo.

use tessera_core::ids::EventId;
use tessera_core::ledger::VoidReason;
use tessera_core::{CoreError, Result};

use super::action::ActionOutput;
use super::{shared, Context};

#[derive(clap::Args)]
pub struct Args {
    /// The id a punch or redeem printed, or one from `tessera history`.
    event_id: String,
    /// wrong-member, scanned-twice, wrong-card, or your own words.
    #[arg(long)]
    reason: String,
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    // Text that is not an event id names no event.
    let id = args
        .event_id
        .trim()
        .parse::<EventId>()
        .map_err(|_| CoreError::EventNotFound)?;
    let reason = VoidReason::from_text(&args.reason)?;
    let result = cx.store.void(&actor, id, &reason).await?;
    cx.out.print(&ActionOutput(result));
    Ok(())
}
