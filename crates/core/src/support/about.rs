//! What support asks first: which version this is, where its database and logs are, and what
//! it is built from under which licences (the About box, `tessera about`).
//!
//! The licences are the list `scripts/licences.py` writes from the lock file for every library
//! the app, the CLI and the hub link, and the fonts the printed cards embed; `make test` fails
//! when the list no longer matches the lock file.

use std::path::Path;

use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::store::default_log_dir;

/// Tessera's version: the app, the CLI, the hub and the core are released together.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

const LICENCES: &str = include_str!("../../assets/licences.txt");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Bundled {
    Font,
    Library,
}

/// One font or library inside Tessera, with the licence its authors give it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Licence {
    pub kind: Bundled,
    pub name: String,
    pub version: String,
    pub licence: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct About {
    pub version: String,
    pub database: String,
    pub logs: String,
    pub licences: Vec<Licence>,
}

/// About this Tessera, working on the database at `database`.
pub fn about(database: &Path) -> About {
    About {
        version: VERSION.to_string(),
        database: database.display().to_string(),
        logs: default_log_dir().display().to_string(),
        licences: licences(),
    }
}

/// The fonts, then the libraries, as the list names them.
pub fn licences() -> Vec<Licence> {
    let mut kind = None;
    let mut found = Vec::new();
    for line in LICENCES.lines() {
        match line {
            "[fonts]" => kind = Some(Bundled::Font),
            "[libraries]" => kind = Some(Bundled::Library),
            _ if line.is_empty() || line.starts_with('#') => {}
            _ => {
                let mut fields = line.splitn(3, '\t');
                if let (Some(kind), Some(name), Some(version), Some(licence)) =
                    (kind, fields.next(), fields.next(), fields.next())
                {
                    found.push(Licence {
                        kind,
                        name: name.to_string(),
                        version: version.to_string(),
                        licence: licence.to_string(),
                    });
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_the_fonts_and_the_libraries_we_link() {
        let licences = licences();
        let font = licences
            .iter()
            .find(|l| l.kind == Bundled::Font)
            .expect("a font");
        assert!(font.name.contains("DejaVu"), "{font:?}");
        for library in ["sqlx-core", "tauri", "printpdf", "axum", "fluent-bundle"] {
            let found = licences
                .iter()
                .find(|l| l.kind == Bundled::Library && l.name == library)
                .unwrap_or_else(|| panic!("{library} is not in the list"));
            assert!(!found.licence.is_empty() && !found.version.is_empty());
        }
        // Test and build helpers are not shipped, so they are not listed.
        assert!(!licences.iter().any(|l| l.name == "tempfile"));
    }

    #[test]
    fn about_says_where_the_database_and_the_logs_are() {
        let about = about(Path::new("/srv/shop/tessera.db"));
        assert_eq!(about.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(about.database, "/srv/shop/tessera.db");
        assert!(about.logs.ends_with("logs"), "{}", about.logs);
    }
}
