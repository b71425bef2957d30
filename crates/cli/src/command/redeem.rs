//! `tessera redeem`: redeems one of a member's rewards (a staff member's); `nothing_to_redeem`
//! when the card has none.

use tessera_core::Result;

use super::action::ActionOutput;
use super::{shared, Context};

#[derive(clap::Args)]
pub struct Args {
    code: String,
    /// Program id or name; may be left out when the shop has one active program.
    #[arg(long)]
    program: Option<String>,
    /// A points program: the reward, by the points it costs.
    #[arg(long)]
    reward: Option<i64>,
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    let member = shared::member_by_code(cx.store, &args.code).await?;
    let program = shared::program_id(cx.store, args.program.as_deref()).await?;
    let result = cx
        .store
        .redeem_tier(&actor, member.member.id, program, args.reward)
        .await?;
    cx.out.print(&ActionOutput(result));
    Ok(())
}
