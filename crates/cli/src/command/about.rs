//! `tessera about [--licences]`: the version, where the database and the logs are, and what
//! Tessera is built from under which licences. It opens no database, so it answers even when
//! the database does not open.

use serde::Serialize;
use tessera_core::support::about::{About, Bundled};

use crate::output::{shown, Output, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    /// Every bundled font and library with its licence, one per line.
    #[arg(long)]
    licences: bool,
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct AboutOutput {
    about: About,
    #[serde(skip)]
    every_licence: bool,
}

impl Render for AboutOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let about = &self.about;
        let libraries = about
            .licences
            .iter()
            .filter(|l| l.kind == Bundled::Library)
            .count();
        let mut lines = vec![
            t.t("cli-about-version", &[("version", about.version.clone())]),
            t.t("cli-about-database", &[("path", shown(&about.database))]),
            t.t("cli-about-logs", &[("path", shown(&about.logs))]),
            t.t(
                "cli-about-licences",
                &[("libraries", libraries.to_string())],
            ),
        ];
        if self.every_licence {
            lines.extend(
                about
                    .licences
                    .iter()
                    .map(|l| format!("{} {}: {}", l.name, l.version, l.licence)),
            );
        }
        lines
    }
}

pub fn run(args: Args, db: &std::path::Path, out: &Output) {
    out.print(&AboutOutput {
        about: tessera_core::support::about::about(db),
        every_licence: args.licences,
    });
}
