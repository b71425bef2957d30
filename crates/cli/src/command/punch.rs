//! `tessera punch`: stamps a member's card, `--count` stamps at once; in a points program,
//! `--amount` spent earns the points (a staff member's). Inside the program's minimum time
//! between two punches, `--override REASON` punches anyway, and the audit trail shows it.

use tessera_core::counter::actions::Punch;
use tessera_core::Result;

use super::action::ActionOutput;
use super::{shared, Context};

#[derive(clap::Args)]
pub struct Args {
    code: String,
    /// Program id or name; may be left out when the shop has one active program.
    #[arg(long)]
    program: Option<String>,
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    count: i64,
    /// A points program: the amount spent ("12.50" or "12,50").
    #[arg(long)]
    amount: Option<String>,
    /// Why this punch comes sooner than the program's minimum time.
    #[arg(long = "override")]
    override_reason: Option<String>,
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    let member = shared::member_by_code(cx.store, &args.code).await?;
    let punch = Punch {
        program_id: shared::program_id(cx.store, args.program.as_deref()).await?,
        count: Some(args.count),
        spent: args.amount,
        override_reason: args.override_reason,
    };
    let result = cx
        .store
        .punch_with(&actor, member.member.id, &punch)
        .await?;
    cx.out.print(&ActionOutput(result));
    Ok(())
}
