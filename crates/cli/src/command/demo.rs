//! `tessera demo`: a demo café with members and two programs, to try Tessera out. Answers like
//! `init`: the shop and its manager.

use tessera_core::Result;

use super::init::InitOutput;
use super::Context;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value = "en")]
    language: String,
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    let set_up = tessera_core::support::demo::load_demo(cx.store, &args.language).await?;
    cx.out.print(&InitOutput(set_up));
    Ok(())
}
