//! `tessera serve`: the till's pages on the shop's network (the unsubscribe links in the
//! shop's emails), until stopped. The address given to `campaign send --link-base` must lead
//! here (docs/decisions/0031-panel-and-campaigns.md).

use std::net::SocketAddr;

use serde::Serialize;
use tessera_core::{CoreError, Result};

use super::Context;
use crate::output::{Render, Text};

#[derive(clap::Args)]
pub struct Args {
    /// Where to listen: 0.0.0.0:8470 for the whole shop's network, 127.0.0.1:0 for this
    /// computer only, on a free port.
    #[arg(long, default_value = "0.0.0.0:8470")]
    listen: SocketAddr,
}

/// The address the pages answer on (the port the system gave, for `:0`).
#[derive(Serialize)]
pub struct Serving {
    pub listening: String,
}

impl Render for Serving {
    fn text(&self, t: &Text) -> Vec<String> {
        vec![t.t("cli-serving", &[("url", self.listening.clone())])]
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    cx.store.require_shop().await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| CoreError::internal("pages listen", e))?;
    let bound = listener
        .local_addr()
        .map_err(|e| CoreError::internal("pages address", e))?;
    cx.out.print(&Serving {
        listening: format!("http://{bound}"),
    });
    let store = cx.store.clone();
    tessera_pages::serve(std::sync::Arc::new(move || Some(store.clone())), listener)
        .await
        .map_err(|e| CoreError::internal("pages", e))
}
