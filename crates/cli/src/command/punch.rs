//! `tessera punch`: stamps a member's card, `--count` stamps at once (a staff member's).

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
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    let member = shared::member_by_code(cx.store, &args.code).await?;
    let program = shared::program_id(cx.store, args.program.as_deref()).await?;
    let result = cx
        .store
        .punch(&actor, member.member.id, program, args.count)
        .await?;
    cx.out.print(&ActionOutput(result));
    Ok(())
}
