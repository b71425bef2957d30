//! `tessera shop show|set`: the shop's name, default language, currency, time zone and the days
//! between two surveys of a member. Setting
//! them is a manager's (audited, and it syncs); showing is reading.

use serde::Serialize;
use tessera_core::people::shop::{Shop, ShopSettings};
use tessera_core::Result;

use super::{shared, Context};
use crate::output::{shown, Render, Text};

#[derive(clap::Subcommand)]
pub enum Command {
    /// The shop as set up.
    Show,
    /// Change what is given; the rest stays (managers).
    Set {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        language: Option<String>,
        #[arg(long)]
        currency: Option<String>,
        /// An IANA name such as Europe/Bucharest; reports count days in it.
        #[arg(long)]
        time_zone: Option<String>,
        /// Days a member is left alone after being asked for their opinion (90 if never set).
        #[arg(long)]
        survey_interval_days: Option<i64>,
    },
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct ShopOutput(pub Shop);

impl Render for ShopOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let shop = &self.0;
        let zone = shop
            .time_zone
            .clone()
            .unwrap_or_else(|| t.t("cli-shop-local-time", &[]));
        vec![format!(
            "{} · {} · {} · {zone}",
            shown(&shop.name),
            shop.language,
            shop.currency
        )]
    }
}

pub async fn run(command: Command, cx: &Context<'_>) -> Result<()> {
    match command {
        Command::Show => cx.out.print(&ShopOutput(cx.store.require_shop().await?)),
        Command::Set {
            name,
            language,
            currency,
            time_zone,
            survey_interval_days,
        } => {
            let actor = shared::signed_in(cx).await?;
            let shop = cx.store.require_shop().await?;
            let settings = ShopSettings {
                name: name.unwrap_or(shop.name),
                language: language.unwrap_or(shop.language),
                currency: currency.unwrap_or(shop.currency),
                time_zone: time_zone.or(shop.time_zone),
                survey_interval_days: survey_interval_days.or(shop.survey_interval_days),
            };
            let shop = cx.store.set_shop_settings(&actor, &settings).await?;
            cx.out.print(&ShopOutput(shop));
        }
    }
    Ok(())
}
