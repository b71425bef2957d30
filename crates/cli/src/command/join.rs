//! `tessera join --hub URL --token TOKEN`: makes this till a till of a chain, then syncs once.
//! A till never set up becomes a till of the token's shop; a set-up till (a manager's call)
//! brings its members and history to the chain.

use std::path::PathBuf;

use serde::Serialize;
use tessera_core::sync::session::{self, Joined};
use tessera_core::sync::till::NewTill;
use tessera_core::{CoreError, Result};

use super::{shared, Context};
use crate::output::{shown, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    /// The hub's address: https://..., or http:// on this machine.
    #[arg(long, value_name = "URL")]
    hub: String,
    /// The token the hub's admin made for this till (`tessera-hub device add`). Prefer
    /// TESSERA_HUB_TOKEN: other users of this computer can read a command line.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "TESSERA_HUB_TOKEN",
        hide_env_values = true
    )]
    token: String,
    /// A certificate (PEM) to trust for this hub, when it has a self-signed one.
    #[arg(long, value_name = "FILE")]
    trust: Option<PathBuf>,
    /// For a till never set up that starts its shop in the chain: the shop's language.
    #[arg(long, value_name = "L", default_value = "en")]
    language: String,
    /// ... and its currency.
    #[arg(long, value_name = "ISO", default_value = "EUR")]
    currency: String,
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct JoinOutput(pub Joined);

impl Render for JoinOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let joined = &self.0;
        let mut lines = vec![t.t(
            "cli-join-done",
            &[
                ("shop", shown(&joined.shop_name)),
                ("device", joined.device_no.to_string()),
                ("hub", shown(&joined.hub)),
            ],
        )];
        lines.extend(super::sync::report_lines(&joined.sync, t));
        lines
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    let trust = match &args.trust {
        Some(path) => {
            Some(std::fs::read_to_string(path).map_err(|_| CoreError::InvalidCertificate)?)
        }
        None => None,
    };
    let actor = match cx.store.shop().await? {
        Some(_) => Some(shared::signed_in(cx).await?),
        None => None,
    };
    let new_till = NewTill {
        language: args.language,
        currency: args.currency,
    };
    let joined = session::join(
        cx.store,
        actor.as_ref(),
        &args.hub,
        &args.token,
        trust.as_deref(),
        &new_till,
    )
    .await?;
    cx.out.print(&JoinOutput(joined));
    Ok(())
}
