//! `tessera init`: sets up the shop and its first manager. Needs nobody signed in: there is
//! nobody yet (docs/decisions/0013).

use serde::Serialize;
use tessera_core::first_run::{NewShop, SetUp};
use tessera_core::Result;

use super::{shared, Context};
use crate::output::{shown, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    shop: String,
    #[arg(long)]
    manager: String,
    /// The first manager's PIN. Other users of this computer can read a command line: prefer
    /// TESSERA_NEW_PIN, or let tessera ask for it (twice) on a terminal.
    #[arg(long)]
    pin: Option<String>,
    #[arg(long, default_value = "en")]
    language: String,
    #[arg(long, default_value = "EUR")]
    currency: String,
}

/// The shop and its first manager, as the app's first run answers them (`init` and `demo`).
#[derive(Serialize)]
#[serde(transparent)]
pub struct InitOutput(pub SetUp);

impl Render for InitOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        vec![t.t(
            "cli-shop-ready",
            &[
                ("shop", shown(&self.0.shop.name)),
                ("manager", shown(&self.0.manager.name)),
            ],
        )]
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    let manager_pin = shared::new_pin(args.pin, "New manager's PIN: ")?;
    let set_up = cx
        .store
        .init_shop(&NewShop {
            shop_name: args.shop,
            language: args.language,
            currency: args.currency,
            manager_name: args.manager,
            manager_pin,
        })
        .await?;
    cx.out.print(&InitOutput(set_up));
    Ok(())
}
